import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCoordinatorMessage, parseShardMessage, type DnsEngineWork } from './shard-protocol.js';
import { defaultConfig } from '../config/index.js';

const base = { toolVersion: '0.1.0', runId: 'r', index: 0, count: 1, interleave: false, config: defaultConfig, journalDir: '', cwd: '/' };
const work: DnsEngineWork = {
  type: 'dns-engine',
  engine: 'dnsperf',
  server: { host: 'lt-primary-0.ns.svc.cluster.local', port: 53 },
  dnsperf: { qps: 100, durationMs: 2000, clients: 4, maxOutstanding: 100, timeoutMs: 5000 },
  resperf: { maxQps: 1000, rampMs: 2000, maxLoss: 0.01, clients: 4, maxOutstanding: 100, timeoutMs: 5000 },
  queries: { generated: [{ name: 'a.z.example.com.', type: 'A', expect: 'data' }, { name: 'nx-1.z.example.com.', type: 'A', expect: 'nxdomain' }], what: 'the 2 queries' },
};

test('a shard spec round-trips through JSON, with and without the work of a DNS engine pod', () => {
  const burst = parseCoordinatorMessage(JSON.parse(JSON.stringify({ type: 'spec', spec: base })));
  assert.ok(burst?.type === 'spec');
  assert.equal(burst.spec.work, undefined, 'no work: a burst slice');
  const engine = parseCoordinatorMessage(JSON.parse(JSON.stringify({ type: 'spec', spec: { ...base, work } })));
  assert.ok(engine?.type === 'spec');
  assert.deepEqual(engine.spec.work, work);
  const file = { ...work, engine: 'resperf', queries: { fileText: 'a.example.com A\n', file: 'q.txt' } };
  const r = parseCoordinatorMessage({ type: 'spec', spec: { ...base, work: file } });
  assert.ok(r?.type === 'spec');
  assert.deepEqual(r.spec.work?.queries, { fileText: 'a.example.com A\n', file: 'q.txt' });
});

test('a work of another shape is refused whole, never guessed at', () => {
  for (const bad of [
    { ...work, type: 'burst' },
    { ...work, engine: 'dig' },
    { ...work, server: { host: 'x', port: -1 } },
    { ...work, dnsperf: { ...work.dnsperf, qps: 'fast' } },
    { ...work, queries: { generated: [{ name: 'a', type: 'A', expect: 'maybe' }], what: 'w' } },
    { ...work, queries: { fileText: 'x' } },
  ]) {
    assert.equal(parseCoordinatorMessage({ type: 'spec', spec: { ...base, work: bad } }), null, JSON.stringify(bad).slice(0, 120));
  }
  assert.equal(parseShardMessage({ type: 'result' }), null);
});
