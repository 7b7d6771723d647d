import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../config/index.js';
import { planChaos, faultOfExperiment, checkOverlaps } from './chaos-plan.js';
import { chaosScenario } from './chaos.js';

async function config(experiments: unknown[], extra: Record<string, unknown> = {}): Promise<Parameters<typeof planChaos>[0]['config']> {
  const r = await resolveConfig({
    cwd: process.cwd(),
    flags: [
      { flag: '--duration', key: 'scenarios.chaos.duration', raw: '2m' },
      { flag: '--rate', key: 'scenarios.chaos.rate', raw: '4/s' },
      { flag: '--scenario', key: 'scenarios.chaos.experiments', raw: experiments as Record<string, unknown>[] },
      ...Object.entries(extra).map(([key, raw]) => ({ flag: key, key, raw: raw as string })),
    ],
  });
  return r.config;
}

test('each experiment becomes one fault of one mechanism on one target, with its params and defaults', async () => {
  const c = await config([
    { kind: 'operator-kill', at: '10s', duration: '20s' },
    { kind: 'packet-loss', at: '40s', duration: '20s' },
    { kind: 'network-delay', at: '70s', duration: '10s', params: { link: 'client-bind', latency: '2s', jitter: '100ms' } },
    { kind: 'bind9-crash', at: '90s', duration: '10s' },
  ]);
  const plan = planChaos({ config: c, runId: 'chaos-1', interleave: false });
  const f = plan.data?.faults ?? [];
  assert.deepEqual(f.map((x) => `${x.key} ${x.site} ${x.target} ${x.spec.kind} ${x.atMs} ${x.durationMs} ${x.touchesServing}`), [
    'exp-0 part operator kill 10000 20000 false',
    'exp-1 link operator-bind loss 40000 20000 false',
    'exp-2 link client-bind latency 70000 10000 true',
    'exp-3 part named kill 90000 10000 true',
  ]);
  assert.deepEqual(f[1]?.spec, { kind: 'loss', share: 0.2, direction: 'both' }, 'packet-loss defaults: 20 % on the operator\'s UPDATE path');
  assert.deepEqual(f[2]?.spec, { kind: 'latency', ms: 2000, jitterMs: 100, direction: 'upstream' });
  // The background load is the sustained engine at the chaos rate for the chaos duration, no ramp.
  assert.equal(plan.data?.load.ratePerSec, 4);
  assert.equal(plan.data?.load.durationMs, 120_000);
  assert.equal(plan.data?.load.rampUpMs, 0);
  assert.equal(plan.scenario, 'chaos');
  assert.ok(plan.describe.some((l) => l.includes('exp-1 packet-loss: loss 20 % both on link operator-bind')), plan.describe.join('\n'));
  // No quiet window after each experiment unless asked for; asked, the plan says the load is held for it.
  assert.equal(plan.data?.quietWindowEachMs, 0);
  assert.ok(!plan.describe.some((l) => l.includes('background load held')));
  const each = planChaos({ config: await config([{ kind: 'operator-kill', at: '10s', duration: '20s' }], { 'scenarios.chaos.quietWindowEach': '45s' }), runId: 'chaos-2', interleave: false });
  assert.equal(each.data?.quietWindowEachMs, 45_000);
  assert.ok(each.describe.some((l) => /after each convergence: the background load held .* counted at rest for 45s, judged per bindy line/.test(l)), each.describe.join('\n'));
});

test('faults that overlap on one target, no experiment, or one the sandbox cannot run are refused before any load', async () => {
  await assert.rejects(async () => planChaos({ config: await config([{ kind: 'partition', at: '10s', duration: '30s' }, { kind: 'network-delay', at: '20s', duration: '10s', params: { link: 'operator-sidecar' } }]), runId: 'r', interleave: false }), /exp-0 .* and exp-1 .* overlap on operator-sidecar/);
  // Back to back on one target, or overlapping on two targets: fine.
  planChaos({ config: await config([{ kind: 'partition', at: '10s', duration: '30s' }, { kind: 'network-delay', at: '40s', duration: '10s', params: { link: 'operator-sidecar' } }, { kind: 'operator-kill', at: '15s', duration: '10s' }]), runId: 'r', interleave: false });
  const one = await config([{ kind: 'operator-kill', at: '10s', duration: '20s' }]);
  const none = { ...one, scenarios: { ...one.scenarios, chaos: { ...one.scenarios.chaos, experiments: [] } } };
  assert.throws(() => planChaos({ config: none, runId: 'r', interleave: false }), /none given: name one with --scenario/);
  assert.throws(() => faultOfExperiment({ kind: 'partition', at: 0, duration: 1000, params: { link: 'sidecar-bind' } }, 3), /experiments\[3\]: partition on link sidecar-bind has no mechanism on the sandbox yet/);
  assert.doesNotThrow(() => checkOverlaps([]));
});


test('sidecar-errors: the bindcar twin answers a share of its API requests with the status, on the part sidecar; it overlaps a sidecar kill, not a delay on the link', async () => {
  const f = faultOfExperiment({ kind: 'sidecar-errors', at: 5000, duration: 8000, params: { errorRate: 0.5, status: 503 } }, 0);
  assert.equal(`${f.site} ${f.target} ${f.touchesServing}`, 'part sidecar false');
  assert.deepEqual(f.spec, { kind: 'http-errors', share: 0.5, status: 503 });
  assert.match(f.text, /^sidecar-errors: HTTP 503 to 50 % of requests on part sidecar, at 5s for 8s$/);
  // The defaults and --param values of the config table reach the spec.
  const plan = planChaos({ config: await config([{ kind: 'sidecar-errors', at: '10s', duration: '20s', params: { errorRate: '100%', status: 500 } }]), runId: 'r', interleave: false });
  assert.deepEqual(plan.data?.faults[0]?.spec, { kind: 'http-errors', share: 1, status: 500 });
  const down = faultOfExperiment({ kind: 'sidecar-down', at: 8000, duration: 1000, params: { signal: 'SIGKILL', server: 'primary' } }, 1);
  assert.throws(() => checkOverlaps([f, down]), /overlap on sidecar/);
  assert.doesNotThrow(() => checkOverlaps([f, faultOfExperiment({ kind: 'sidecar-delay', at: 6000, duration: 1000, params: { delay: 2000 } }, 1)]));
});

test('apiserver-throttle: the operator squeezed into a priority level of `shares` seats on the part apiserver; --param shares reaches it, out of range is refused', async () => {
  const f = faultOfExperiment({ kind: 'apiserver-throttle', at: 5000, duration: 8000, params: { shares: 2 } }, 0);
  assert.equal(`${f.site} ${f.target} ${f.touchesServing}`, 'part apiserver false');
  assert.deepEqual(f.spec, { kind: 'throttle', shares: 2 });
  assert.match(f.text, /^apiserver-throttle: 429 beyond a priority level of 2 shares for the operator on part apiserver, at 5s for 8s$/);
  const plan = planChaos({ config: await config([{ kind: 'apiserver-throttle', at: '10s', duration: '20s' }]), runId: 'r', interleave: false });
  assert.deepEqual(plan.data?.faults[0]?.spec, { kind: 'throttle', shares: 1 }, 'default: 1 share, as backpressure\'s throttleShares');
  await assert.rejects(async () => config([{ kind: 'apiserver-throttle', at: '10s', duration: '20s', params: { shares: '0' } }]), /expected an integer between 1 and 1000, got '0'/);
});

test('cpu-throttle and memory-pressure: a limit on a part (the operator by default), from the params; named touches what answers DNS', async () => {
  const plan = planChaos({ config: await config([{ kind: 'cpu-throttle', at: '10s', duration: '20s' }, { kind: 'memory-pressure', at: '40s', duration: '20s', params: { part: 'named', limit: '64Mi' } }]), runId: 'r', interleave: false });
  const [cpu, mem] = plan.data?.faults ?? [];
  assert.equal(`${cpu?.site} ${cpu?.target} ${cpu?.touchesServing}`, 'part operator false');
  assert.deepEqual(cpu?.spec, { kind: 'cpu-limit', cores: 0.05 }, 'default 50m');
  assert.equal(`${mem?.site} ${mem?.target} ${mem?.touchesServing}`, 'part named true');
  assert.deepEqual(mem?.spec, { kind: 'memory-limit', mib: 64 });
  assert.match(cpu?.text ?? '', /^cpu-throttle: CPU capped at 50m on part operator, at 10s for 20s$/);
  await assert.rejects(async () => config([{ kind: 'cpu-throttle', at: '10s', duration: '20s', params: { part: 'apiserver' } }]), /expected one of operator, sidecar, named/);
  // A limit and a kill of the same part at once would undo each other.
  const kill = faultOfExperiment({ kind: 'operator-kill', at: 15_000, duration: 1000, params: { signal: 'SIGKILL' } }, 2);
  assert.throws(() => checkOverlaps([cpu ?? kill, kill]), /overlap on operator/);
});

test('fd-exhaustion: an open-files limit on named by default (it answers DNS), no spare descriptor unless asked', async () => {
  const plan = planChaos({ config: await config([{ kind: 'fd-exhaustion', at: '10s', duration: '20s' }, { kind: 'fd-exhaustion', at: '40s', duration: '5s', params: { part: 'operator', spare: '3' } }]), runId: 'r', interleave: false });
  const [named, operator] = plan.data?.faults ?? [];
  assert.equal(`${named?.site} ${named?.target} ${named?.touchesServing}`, 'part named true');
  assert.deepEqual(named?.spec, { kind: 'fd-limit', spare: 0 });
  assert.deepEqual(operator?.spec, { kind: 'fd-limit', spare: 3 });
  assert.match(named?.text ?? '', /^fd-exhaustion: open files capped at 0 more than open on part named, at 10s for 20s$/);
});

test('disk-full: named\'s data filesystem filled (nothing left free unless asked); the tight DNS gap bound applies, as named answers from memory', async () => {
  const plan = planChaos({ config: await config([{ kind: 'disk-full', at: '10s', duration: '20s' }, { kind: 'disk-full', at: '40s', duration: '5s', params: { free: '64Ki' } }]), runId: 'r', interleave: false });
  const [full, almost] = plan.data?.faults ?? [];
  assert.equal(`${full?.site} ${full?.target} ${full?.touchesServing}`, 'part named false');
  assert.deepEqual(full?.spec, { kind: 'disk-full' });
  assert.deepEqual(almost?.spec, { kind: 'disk-full', freeBytes: 65536 });
  assert.match(full?.text ?? '', /^disk-full: data filesystem filled on part named, at 10s for 20s$/);
  // Only a schedule with disk-full gets its sandbox a size-limited filesystem for named (a mount in the sandbox's folder blocks removing it while up).
  assert.equal(chaosScenario.needsNamedDisk?.(await config([{ kind: 'disk-full', at: '10s', duration: '20s' }])), true);
  assert.equal(chaosScenario.needsNamedDisk?.(await config([{ kind: 'operator-kill', at: '10s', duration: '20s' }])), false);
  await assert.rejects(async () => config([{ kind: 'disk-full', at: '10s', duration: '20s', params: { free: '-1' } }]), /expected a size like 0, 512Ki/);
});

test('zone-corruption: one zone file of named torn unless asked for more; the loose DNS gap bound applies, as the torn zone answers SERVFAIL', async () => {
  const plan = planChaos({ config: await config([{ kind: 'zone-corruption', at: '10s', duration: '20s' }, { kind: 'zone-corruption', at: '40s', duration: '5s', params: { zones: '3' } }]), runId: 'r', interleave: false });
  const [one, three] = plan.data?.faults ?? [];
  assert.equal(`${one?.site} ${one?.target} ${one?.touchesServing}`, 'part named true');
  assert.deepEqual(one?.spec, { kind: 'zone-corruption' });
  assert.deepEqual(three?.spec, { kind: 'zone-corruption', zones: 3 });
  assert.match(one?.text ?? '', /^zone-corruption: 1 zone file torn, found at named's restart on part named, at 10s for 20s$/);
});

test('disk-full and zone-corruption name a secondary\'s named with server=secondary-<i>, and the server a torn zone touches', async () => {
  const plan = planChaos({ config: await config([{ kind: 'disk-full', at: '10s', duration: '5s', params: { server: 'secondary-0' } }, { kind: 'zone-corruption', at: '40s', duration: '5s', params: { server: 'secondary-1' } }]), runId: 'r', interleave: false });
  const [full, torn] = plan.data?.faults ?? [];
  assert.equal(`${full?.site} ${full?.target} ${full?.touchesServing}`, 'part named-secondary-0 false');
  assert.equal(`${torn?.site} ${torn?.target} ${torn?.touchesServing} ${torn?.touchedServers?.join(',')}`, 'part named-secondary-1 true secondary-1');
});

test('bandwidth: a link capped both ways at the rate asked (64 KiB/s on the API server link unless told), never at 0', async () => {
  const plan = planChaos({ config: await config([{ kind: 'bandwidth', at: '10s', duration: '20s' }, { kind: 'bandwidth', at: '40s', duration: '5s', params: { link: 'client-bind', rate: '2Ki' } }]), runId: 'r', interleave: false });
  const [api, dns] = plan.data?.faults ?? [];
  assert.equal(`${api?.site} ${api?.target} ${api?.touchesServing}`, 'link operator-apiserver false');
  assert.deepEqual(api?.spec, { kind: 'bandwidth', bytesPerSecond: 65536, direction: 'both' });
  assert.equal(`${dns?.target} ${dns?.touchesServing}`, 'client-bind true');
  assert.match(api?.text ?? '', /^bandwidth: bandwidth 65536 B\/s both on link operator-apiserver, at 10s for 20s$/);
  const zero = await config([{ kind: 'bandwidth', at: '10s', duration: '20s', params: { rate: '0' } }]);
  assert.throws(() => planChaos({ config: zero, runId: 'r', interleave: false }), /scenarios\.chaos\.experiments\[0\]: bandwidth rate must be more than 0 bytes per second/);
});

test('too-many-objects: a quota on the part apiserver counting the kinds the background load creates, at their count plus the headroom', async () => {
  const plan = planChaos({ config: await config([{ kind: 'too-many-objects', at: '10s', duration: '20s', params: { headroom: '5' } }], { 'scenarios.sustained.kinds': 'A=70,TXT=30' }), runId: 'r', interleave: false });
  const f = plan.data?.faults[0];
  assert.equal(`${f?.site} ${f?.target} ${f?.touchesServing}`, 'part apiserver false');
  assert.deepEqual(f?.spec, { kind: 'quota', kinds: ['ARecord', 'TXTRecord'], headroom: 5 });
  assert.match(f?.text ?? '', /^too-many-objects: object-count quota on ARecord, TXTRecord at the count when set \+ 5: creates beyond it refused 403 on part apiserver, at 10s for 20s$/);
  assert.throws(() => faultOfExperiment({ kind: 'too-many-objects', at: 0, duration: 1000, params: { headroom: 0 } }, 2), /experiments\[2\]: too-many-objects needs a background load that creates records/);
  await assert.rejects(async () => config([{ kind: 'too-many-objects', at: '10s', duration: '20s', params: { headroom: '-1' } }]), /expected an integer between 0 and 1000000, got '-1'/);
});

test('split-brain: a second operator replica on the part operator, without leader election by default', async () => {
  const plan = planChaos({ config: await config([{ kind: 'split-brain', at: '10s', duration: '20s' }, { kind: 'split-brain', at: '40s', duration: '20s', params: { leaderElection: 'on' } }]), runId: 'r', interleave: false });
  assert.deepEqual(plan.data?.faults.map((f) => `${f.site} ${f.target} ${JSON.stringify(f.spec)}`), ['part operator {"kind":"replica","leaderElection":false}', 'part operator {"kind":"replica","leaderElection":true}']);
});

test('a kill on a secondary: its part, and the loose DNS-gap bound for that server alone; a server that is not primary or secondary-<i> is refused', async () => {
  const plan = planChaos({
    config: await config([
      { kind: 'bind9-crash', at: '10s', duration: '10s', params: { server: 'secondary-0' } },
      { kind: 'sidecar-down', at: '30s', duration: '10s', params: { server: 'secondary-1' } },
      { kind: 'bind9-crash', at: '50s', duration: '10s' },
      { kind: 'partition', at: '70s', duration: '10s', params: { link: 'client-bind' } },
    ]),
    runId: 'r',
    interleave: false,
  });
  const f = plan.data?.faults ?? [];
  assert.deepEqual(f.map((x) => [x.target, x.touchesServing, x.touchedServers]), [
    ['named-secondary-0', true, ['secondary-0']],
    ['sidecar-secondary-1', false, undefined],
    ['named', true, ['primary-0']],
    ['client-bind', true, undefined],
  ]);
  assert.match(f[0]?.text ?? '', /^bind9-crash: .* on part named-secondary-0, at 10s for 10s$/);
  await assert.rejects(config([{ kind: 'bind9-crash', at: '10s', duration: '10s', params: { server: 'secondary' } }]), /expected primary or secondary-<i> like secondary-0, got 'secondary'/);
  // Limits too: a secondary's named under a CPU cap, its bindcar out of file descriptors; the operator has no secondary.
  const limits = planChaos({
    config: await config([
      { kind: 'cpu-throttle', at: '10s', duration: '10s', params: { part: 'named', server: 'secondary-0' } },
      { kind: 'fd-exhaustion', at: '30s', duration: '10s', params: { part: 'sidecar', server: 'secondary-0' } },
    ]),
    runId: 'r',
    interleave: false,
  });
  assert.deepEqual(limits.data?.faults.map((x) => [x.target, x.spec.kind, x.touchedServers]), [
    ['named-secondary-0', 'cpu-limit', ['secondary-0']],
    ['sidecar-secondary-0', 'fd-limit', undefined],
  ]);
  const operatorOnSecondary = await config([{ kind: 'memory-pressure', at: '10s', duration: '10s', params: { part: 'operator', server: 'secondary-0' } }]);
  assert.throws(() => planChaos({ config: operatorOnSecondary, runId: 'r', interleave: false }), /memory-pressure of the operator takes no server/);
});
