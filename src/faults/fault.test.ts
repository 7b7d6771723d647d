import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../errors.js';
import { actsOn, describeFault, faultUnsupportedReason, isClusterDescriptor, isFaultId, parseFaultSpec, parseRevertDescriptor, type FaultSpec } from './fault.js';

void test('valid specs of every kind come back typed, defaults left to the mechanism', () => {
  assert.deepEqual(parseFaultSpec({ kind: 'latency', ms: 200, jitterMs: 20, direction: 'both', durationMs: 30000 }), { kind: 'latency', ms: 200, jitterMs: 20, direction: 'both', durationMs: 30000 });
  assert.deepEqual(parseFaultSpec({ kind: 'loss', share: 0.2, seed: 7 }), { kind: 'loss', share: 0.2, seed: 7 });
  assert.deepEqual(parseFaultSpec({ kind: 'bandwidth', bytesPerSecond: 1000 }), { kind: 'bandwidth', bytesPerSecond: 1000 });
  assert.deepEqual(parseFaultSpec({ kind: 'partition', mode: 'refuse' }), { kind: 'partition', mode: 'refuse' });
  assert.deepEqual(parseFaultSpec({ kind: 'reset', durationMs: 5 }), { kind: 'reset', durationMs: 5 });
  assert.deepEqual(parseFaultSpec({ kind: 'kill', signal: 'SIGTERM' }), { kind: 'kill', signal: 'SIGTERM' });
  assert.deepEqual(parseFaultSpec({ kind: 'pause' }), { kind: 'pause' });
  assert.deepEqual(parseFaultSpec({ kind: 'http-errors', share: 0.5, status: 503, durationMs: 9000 }), { kind: 'http-errors', share: 0.5, status: 503, durationMs: 9000 });
  assert.throws(() => parseFaultSpec({ kind: 'http-errors', share: 0.5, status: 302 }), /^UsageError: fault spec: http-errors\.status must be an integer ≥ 400 and ≤ 599 \(got 302\)$/);
  assert.throws(() => parseFaultSpec({ kind: 'http-errors', status: 500 }), /http-errors\.share is required/);
});

void test('service kinds act on what a part answers: neither a link nor a process carries them', () => {
  assert.match(faultUnsupportedReason({ kind: 'http-errors', share: 1, status: 500 }, 'tcp') ?? '', /^http-errors is a service fault: it acts on what a part answers \(bindcar's fault hooks\), not on a link$/);
  assert.match(faultUnsupportedReason({ kind: 'http-errors', share: 1, status: 500 }, 'process') ?? '', /not on a part's process$/);
  assert.equal(describeFault({ kind: 'http-errors', share: 0.2, status: 503 }), 'HTTP 503 to 20 % of requests');
  assert.match(faultUnsupportedReason({ kind: 'cpu-limit', cores: 0.05 }, 'udp') ?? '', /^cpu-limit is a resource limit: it acts on a part's control groups, not on a link$/);
  assert.equal(describeFault({ kind: 'cpu-limit', cores: 0.05 }), 'CPU capped at 50m');
  assert.deepEqual(parseFaultSpec({ kind: 'memory-limit', mib: 32 }), { kind: 'memory-limit', mib: 32 });
  assert.throws(() => parseFaultSpec({ kind: 'cpu-limit', cores: 0 }), /cpu-limit\.cores must be a number > 0/);
});

void test('network kinds act on links only, process kinds on parts only, each refusal one line', () => {
  assert.match(faultUnsupportedReason({ kind: 'kill' }, 'tcp') ?? '', /^kill is a process fault: it acts on a sandbox part/);
  assert.match(faultUnsupportedReason({ kind: 'pause' }, 'udp') ?? '', /process fault/);
  assert.match(faultUnsupportedReason({ kind: 'latency', ms: 5 }, 'process') ?? '', /^latency is a network fault: it acts on a link of the fault proxy/);
  assert.equal(faultUnsupportedReason({ kind: 'kill', signal: 'SIGTERM' }, 'process'), undefined);
  assert.equal(faultUnsupportedReason({ kind: 'pause' }, 'process'), undefined);
  assert.equal(describeFault({ kind: 'kill' }), 'kill (SIGKILL) until reverted');
  assert.equal(describeFault({ kind: 'pause' }), 'pause (SIGSTOP) until reverted');
});

void test('a bad spec is one UsageError line naming the field and the value', () => {
  const cases: [unknown, RegExp][] = [
    [null, /must be a JSON object/],
    [[1], /must be a JSON object/],
    [{ kind: 'delay', ms: 1 }, /kind must be one of latency, loss, bandwidth, partition, reset, kill, pause, http-errors, throttle, quota, cpu-limit, memory-limit, fd-limit, disk-full, zone-corruption, replica \(got "delay"\)/],
    [{ kind: 'disk-full', freeBytes: -1 }, /disk-full\.freeBytes must be an integer ≥ 0/],
    [{ kind: 'disk-full', part: 'named' }, /disk-full has no field "part" \(its fields: freeBytes, durationMs\)/],
    [{ kind: 'kill', signal: 'SIGHUP' }, /kill\.signal must be SIGKILL or SIGTERM \(got "SIGHUP"\)/],
    [{ kind: 'pause', ms: 1 }, /pause has no field "ms"/],
    [{ kind: 'latency' }, /latency\.ms is required/],
    [{ kind: 'latency', ms: -1 }, /latency\.ms must be a number ≥ 0 .*\(got -1\)/],
    [{ kind: 'latency', ms: '200' }, /latency\.ms must be a number .*\(got "200"\)/],
    [{ kind: 'latency', ms: 1, direction: 'up' }, /latency\.direction must be upstream, downstream or both/],
    [{ kind: 'latency', ms: 1, share: 0.1 }, /latency has no field "share"/],
    [{ kind: 'loss', share: 0 }, /loss\.share must be a number > 0 and ≤ 1 \(got 0\)/],
    [{ kind: 'loss', share: 1.5 }, /loss\.share must be a number > 0 and ≤ 1 \(got 1\.5\)/],
    [{ kind: 'loss', share: 0.1, seed: 1.5 }, /loss\.seed must be an integer/],
    [{ kind: 'bandwidth', bytesPerSecond: 0 }, /bandwidth\.bytesPerSecond must be an integer > 0/],
    [{ kind: 'partition', mode: 'drop' }, /partition\.mode must be blackhole or refuse/],
    [{ kind: 'reset', durationMs: 0 }, /reset\.durationMs must be an integer > 0/],
    [{ kind: 'reset', durationMs: Number.NaN }, /reset\.durationMs must be an integer/],
  ];
  for (const [value, re] of cases) {
    assert.throws(() => parseFaultSpec(value, 'PUT /links/x/fault'), (e: unknown) => {
      assert.ok(e instanceof UsageError, JSON.stringify(value));
      assert.match(e.message, /^PUT \/links\/x\/fault: /);
      assert.match(e.message, re);
      assert.equal(e.message.includes('\n'), false);
      return true;
    });
  }
});

void test('what a UDP link cannot carry is named; TCP carries every kind', () => {
  const specs: FaultSpec[] = [{ kind: 'reset' }, { kind: 'partition', mode: 'refuse' }, { kind: 'loss', share: 0.1, retransmitMs: 100 }];
  for (const s of specs) {
    assert.match(faultUnsupportedReason(s, 'udp') ?? '', /TCP links only/);
    assert.equal(faultUnsupportedReason(s, 'tcp'), undefined);
  }
  assert.equal(faultUnsupportedReason({ kind: 'loss', share: 0.2 }, 'udp'), undefined);
  assert.equal(faultUnsupportedReason({ kind: 'partition' }, 'udp'), undefined);
});

void test('directional faults act upstream by default; partition and reset act both ways', () => {
  assert.equal(actsOn({ kind: 'latency', ms: 1 }, 'upstream'), true);
  assert.equal(actsOn({ kind: 'latency', ms: 1 }, 'downstream'), false);
  assert.equal(actsOn({ kind: 'loss', share: 0.5, direction: 'downstream' }, 'upstream'), false);
  assert.equal(actsOn({ kind: 'bandwidth', bytesPerSecond: 9, direction: 'both' }, 'downstream'), true);
  assert.equal(actsOn({ kind: 'partition' }, 'downstream'), true);
  assert.equal(actsOn({ kind: 'reset' }, 'upstream'), true);
});

void test('descriptions are one line with the direction and the dead-man', () => {
  assert.equal(describeFault({ kind: 'latency', ms: 200, jitterMs: 20, durationMs: 1000 }), 'latency 200 ms ±20 ms upstream for 1000 ms');
  assert.equal(describeFault({ kind: 'loss', share: 0.2, direction: 'both' }), 'loss 20 % both');
  assert.equal(describeFault({ kind: 'partition' }), 'partition (blackhole)');
});

void test('fault ids are URL- and journal-safe', () => {
  assert.ok(isFaultId('f-0a1b2c'));
  for (const bad of ['', '-x', 'F-1', 'a/b', 'a'.repeat(65)]) assert.equal(isFaultId(bad), false, bad);
});

void test('a revert descriptor survives a JSON round trip; a damaged one is refused in one line', () => {
  const d = { mechanism: 'sandbox-proxy', version: 1, controlUrl: 'http://127.0.0.1:1', link: 'dns', faultId: 'f-1', listen: { host: '127.0.0.1', port: 53 }, probe: { kind: 'dns', protocol: 'udp', name: '.', type: 'SOA' } };
  assert.deepEqual(parseRevertDescriptor(JSON.parse(JSON.stringify(d))), d);
  assert.throws(() => parseRevertDescriptor({ ...d, mechanism: 'litmus' }), /unknown mechanism "litmus"/);
  // A cluster's descriptors: the object (or pods) and the API server they live on.
  const c = { mechanism: 'chaos-mesh', version: 1, server: 'https://k8s:6443', kind: 'NetworkChaos', namespace: 'lt', name: 'lt-r-exp-0' };
  assert.deepEqual(parseRevertDescriptor(JSON.parse(JSON.stringify(c))), c);
  assert.throws(() => parseRevertDescriptor({ ...c, kind: 'TimeChaos' }), /kind must be one of NetworkChaos, PodChaos, StressChaos/);
  assert.throws(() => parseRevertDescriptor({ ...c, server: '' }), /server must be a non-empty string/);
  const n = { mechanism: 'cluster-native', version: 1, server: 'https://k8s:6443', namespace: 'bindy-system', labelSelector: 'app=bindy', pods: [{ name: 'bindy-1', uid: 'u1' }], readyBefore: 1 };
  assert.deepEqual(parseRevertDescriptor(JSON.parse(JSON.stringify(n))), n);
  assert.throws(() => parseRevertDescriptor({ ...n, pods: [{ name: 'bindy-1' }] }), /pods must be an array of \{name, uid\}/);
  const dl = { mechanism: 'deployment-limits', version: 1, server: 'https://k8s:6443', namespace: 'bindy-system', name: 'bindy', container: 'bindy', original: null, applied: { limits: { cpu: '50m' } } };
  assert.deepEqual(parseRevertDescriptor(JSON.parse(JSON.stringify(dl))), dl);
  assert.equal(isClusterDescriptor(dl as never), true);
  assert.throws(() => parseRevertDescriptor({ ...dl, original: 'none' }), /original must be null or an object/);
  assert.throws(() => parseRevertDescriptor({ ...dl, applied: null }), /applied must be an object/);
  assert.throws(() => parseRevertDescriptor({ ...d, faultId: '' }), /faultId must be a non-empty string/);
  assert.throws(() => parseRevertDescriptor({ ...d, listen: 'x' }), /listen must be \{host, port\}/);
  const p = { mechanism: 'sandbox-process', version: 1, home: '/tmp/h', part: 'named', action: 'restart', pids: [42] };
  assert.deepEqual(parseRevertDescriptor(JSON.parse(JSON.stringify(p))), p);
  assert.throws(() => parseRevertDescriptor({ ...p, part: 'apiserver' }), /part must be one of operator, sidecar, named or a secondary's named-secondary-<i>, sidecar-secondary-<i> \(got "apiserver"\)/);
  const secondary = { ...p, part: 'named-secondary-0' };
  assert.deepEqual(parseRevertDescriptor(JSON.parse(JSON.stringify(secondary))), secondary, "a secondary's named");
  assert.throws(() => parseRevertDescriptor({ ...p, part: 'named-secondary-x' }), /part must be one of/);
  assert.throws(() => parseRevertDescriptor({ ...p, action: 'reboot' }), /action must be restart or resume/);
  assert.throws(() => parseRevertDescriptor({ ...p, pids: [0] }), /pids must be an array of positive integers/);
  const cg = { mechanism: 'sandbox-cgroup', version: 1, home: '/tmp/h', part: 'operator', pids: [42], groups: ['/sys/fs/cgroup/cpu/bindy-loadtest-operator-abc'] };
  assert.deepEqual(parseRevertDescriptor(JSON.parse(JSON.stringify(cg))), cg);
  assert.throws(() => parseRevertDescriptor({ ...cg, groups: ['/etc'] }), /groups must be an array of paths under \/sys\/fs\/cgroup\//);
  const rl = { mechanism: 'sandbox-rlimit', version: 1, home: '/tmp/h', part: 'named', pid: 42, soft: 1024, hard: -1 };
  assert.deepEqual(parseRevertDescriptor(JSON.parse(JSON.stringify(rl))), rl);
  assert.throws(() => parseRevertDescriptor({ ...rl, soft: -2 }), /soft must be an integer ≥ -1/);
  const fc = { mechanism: 'api-flowcontrol', version: 1, home: '/tmp/h', server: 'https://127.0.0.1:1', name: 'r-throttle-abc' };
  assert.deepEqual(parseRevertDescriptor(JSON.parse(JSON.stringify(fc))), fc);
  const sc = { mechanism: 'sandbox-sidecar', version: 1, home: '/tmp/h', url: 'http://127.0.0.1:1', faultId: 'e-1' };
  assert.deepEqual(parseRevertDescriptor(JSON.parse(JSON.stringify(sc))), sc);
  assert.throws(() => parseRevertDescriptor({ ...sc, faultId: '' }), /faultId must be a non-empty string/);
});

void test('disk-full: a storage fault of a part, never of a link; described with what it leaves free; its descriptor names a ballast inside its mount only', () => {
  assert.deepEqual(parseFaultSpec({ kind: 'disk-full' }), { kind: 'disk-full' });
  assert.deepEqual(parseFaultSpec({ kind: 'disk-full', freeBytes: 65536 }), { kind: 'disk-full', freeBytes: 65536 });
  assert.match(faultUnsupportedReason({ kind: 'disk-full' }, 'udp') ?? '', /^disk-full is a storage fault: it acts on a part's data filesystem, not on a link/);
  assert.equal(describeFault({ kind: 'disk-full' }), 'data filesystem filled');
  assert.equal(describeFault({ kind: 'disk-full', freeBytes: 65536 }), 'data filesystem filled to 64Ki free');
  const d = { mechanism: 'sandbox-disk', version: 1, home: '/h', part: 'named', mount: '/h/run-1/named', ballast: '/h/run-1/named/.bindy-loadtest-ballast-x' };
  assert.deepEqual(parseRevertDescriptor(JSON.parse(JSON.stringify(d))), d);
  // cleanup deletes the ballast: a descriptor pointing anywhere else is refused.
  assert.throws(() => parseRevertDescriptor({ ...d, ballast: '/etc/passwd' }), /ballast must be a file directly inside mount/);
  assert.throws(() => parseRevertDescriptor({ ...d, ballast: '/h/run-1/named/sub/x' }), /ballast must be a file directly inside mount/);
  assert.throws(() => parseRevertDescriptor({ ...d, part: 'apiserver' }), /part must be one of/);
});

test('a quota fault and its revert descriptor round-trip; a descriptor without home is a cluster one', () => {
  assert.deepEqual(parseFaultSpec({ kind: 'quota', kinds: ['ARecord'], headroom: 0 }), { kind: 'quota', kinds: ['ARecord'], headroom: 0 });
  assert.throws(() => parseFaultSpec({ kind: 'quota', kinds: [], headroom: 0 }), /quota.kinds must be a non-empty array of kind names/);
  assert.throws(() => parseFaultSpec({ kind: 'quota', kinds: ['ARecord'] }), /quota.headroom is required/);
  assert.equal(describeFault({ kind: 'quota', kinds: ['ARecord', 'TXTRecord'], headroom: 2 }), 'object-count quota on ARecord, TXTRecord at the count when set + 2: creates beyond it refused 403');
  const sandbox = { mechanism: 'api-quota', version: 1, server: 'https://127.0.0.1:1', home: '/tmp/h', namespace: 'ns', name: 'q' } as const;
  assert.deepEqual(parseRevertDescriptor(JSON.parse(JSON.stringify(sandbox))), sandbox);
  assert.throws(() => parseRevertDescriptor({ ...sandbox, name: '' }), /name must be a non-empty string/);
  assert.equal(isClusterDescriptor(sandbox), false);
  const { home: _home, ...cluster } = sandbox;
  assert.equal(isClusterDescriptor(parseRevertDescriptor(cluster)), true);
});
