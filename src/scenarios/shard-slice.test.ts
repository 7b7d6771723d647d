import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../config/index.js';
import type { Config } from '../config/index.js';
import { runIdLabel, zoneLabel } from '../model/kinds.js';
import type { KubeObject } from '../observe/kube-client.js';
import { planBurst } from './burst-plan.js';
import { burstShardProblem, evenShare, rateShare, shardLabel, shardSelector } from './shard-slice.js';

function config(burst: Partial<Config['scenarios']['burst']>, shards = 1): Config {
  return { ...defaultConfig, shards, scenarios: { ...defaultConfig.scenarios, burst: { ...defaultConfig.scenarios.burst, ...burst } } };
}

const key = (o: KubeObject): string => `${o.kind}/${o.metadata.name ?? ''}`;
/** An object without the shard label, to compare with the unsharded stream. */
const unlabelled = (o: KubeObject): string => {
  const labels = { ...o.metadata.labels };
  delete labels[shardLabel];
  return JSON.stringify({ ...o, metadata: { ...o.metadata, labels } });
};

for (const [records, zones, count, mixed] of [
  [60, 3, 3, false],
  [100, 10, 3, false],
  [7, 5, 4, true],
  [1000, 7, 7, false],
] as const) {
  test(`shards: ${records} records over ${zones} zones in ${count} shards${mixed ? ' (--mixed)' : ''}: disjoint slices whose union is the whole run, objects unchanged`, () => {
    const c = config({ records, zones }, count);
    const whole = [...planBurst({ config: c, runId: 'r', interleave: mixed }).objects()];
    const slices = Array.from({ length: count }, (_, index) => planBurst({ config: c, runId: 'r', interleave: mixed, shard: { index, count } }));
    const objects = slices.map((p) => [...p.objects()]);
    // Object counts add up to the run's objects, and each plan's total is what it streams.
    assert.equal(slices.reduce((n, p) => n + p.total, 0), records + zones);
    slices.forEach((p, i) => assert.equal(p.total, objects[i]?.length));
    // Disjoint, and together exactly the unsharded stream's objects, identical but for the shard label.
    const all = objects.flat();
    assert.equal(new Set(all.map(key)).size, all.length, 'no object in two shards');
    assert.deepEqual(all.map(unlabelled).sort(), whole.map((o) => JSON.stringify(o)).sort());
    objects.forEach((objs, index) => {
      const zonesHere = new Set(objs.filter((o) => o.kind === 'DNSZone').map((o) => o.metadata.name));
      for (const o of objs) {
        assert.equal(o.metadata.labels?.[shardLabel], String(index));
        assert.equal(o.metadata.labels?.[runIdLabel], 'r', 'the run id label stays: cleanup finds every shard');
        // A record goes with its zone: every shard is a burst of whole zones.
        if (o.kind !== 'DNSZone') assert.ok(zonesHere.has(String(o.metadata.labels?.[zoneLabel]).replaceAll('.', '-')), `${key(o)} without its zone in shard ${index}`);
      }
      // Each shard keeps the run's order: its zones first (default) or each zone before its records (--mixed).
      if (!mixed) {
        const firstRecord = objs.findIndex((o) => o.kind !== 'DNSZone');
        assert.ok(firstRecord === -1 || objs.slice(firstRecord).every((o) => o.kind !== 'DNSZone'));
      }
    });
  });
}

test('shards: concurrency and the prober budget split evenly, the QPS by objects, each adding up to the run', () => {
  const c = { ...config({ records: 100, zones: 4, concurrency: 10, qps: 50 }, 3), probe: { ...defaultConfig.probe, rate: 500, inFlight: 64 } };
  const slices = [0, 1, 2].map((index) => planBurst({ config: c, runId: 'r', interleave: false, shard: { index, count: 3 } }));
  assert.deepEqual(slices.map((p) => p.engine.concurrency), [4, 3, 3]);
  // Shard 0 has zones 0 and 3 (52 objects of 104): its schedule spans the same time as the others'.
  assert.deepEqual(slices.map((p) => p.total), [52, 26, 26]);
  const qps = slices.map((p) => p.engine.qps ?? 0);
  assert.ok(Math.abs(qps.reduce((a, b) => a + b, 0) - 50) < 1e-9, 'the rates add up to --qps');
  slices.forEach((p, i) => assert.ok(Math.abs(p.total / (qps[i] ?? 1) - 104 / 50) < 1e-9, 'every shard ends its schedule when the run would'));
  assert.deepEqual(slices.map((p) => p.dnsProbe?.maxInFlight), [22, 21, 21]);
  assert.ok(Math.abs(slices.reduce((n, p) => n + (p.dnsProbe?.ratePerSecond ?? 0), 0) - 500) < 1e-9);
  assert.equal(evenShare(7, { index: 0, count: 3 }) + evenShare(7, { index: 1, count: 3 }) + evenShare(7, { index: 2, count: 3 }), 7);
  assert.equal(rateShare(10, 0, 0), 10);
  assert.equal(shardSelector('r', { index: 2, count: 3 }), `${runIdLabel}=r,${shardLabel}=2`);
});

test('shards: more shards than zones or than creates in flight is refused, naming the flag', () => {
  assert.equal(burstShardProblem(config({ zones: 3, concurrency: 20 }, 3)), undefined);
  assert.match(burstShardProblem(config({ zones: 2, concurrency: 20 }, 3)) ?? '', /^--shards 3: a shard creates whole zones .* 2 zones/);
  assert.match(burstShardProblem(config({ zones: 10, concurrency: 2 }, 3)) ?? '', /^--shards 3: the 2 creates in flight \(--concurrency\)/);
  // Probing a cluster through the port-forwards one run opens is not for shards: they need addresses.
  const probing = config({ zones: 3, concurrency: 20, dnsProbe: 'on' }, 3);
  assert.match(burstShardProblem({ ...probing, target: 'cluster' }) ?? '', /^--shards 3 with --dns-probe on a cluster: .*give --probe-servers host:port/);
  assert.equal(burstShardProblem({ ...probing, target: 'cluster', probe: { ...probing.probe, servers: [{ host: '10.0.0.53', port: 53 }] } }), undefined);
  assert.equal(burstShardProblem(probing), undefined, 'the sandbox: every shard reaches its named');
});

test('the plan of a sharded run says how it is split (--dry-run)', () => {
  const plan = planBurst({ config: config({ records: 10, zones: 3, concurrency: 6 }, 2), runId: 'r', interleave: false });
  const text = plan.describe.join('\n');
  assert.match(text, /sharded over 2 processes/);
  assert.match(text, /shard 0: zones z with z mod 2 = 0 \(2\) and their 7 records, 3 in flight, unpaced/);
  assert.match(text, /shard 1: zones z with z mod 2 = 1 \(1\) and their 3 records, 3 in flight, unpaced/);
  assert.equal(plan.total, 13, 'the coordinator plans the whole run');
});
