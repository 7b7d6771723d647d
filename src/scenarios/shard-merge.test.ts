import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLatencyHistogram, eventRatePerSecond, rateWindowMs } from '../measure/index.js';
import type { CounterData, TimeSeriesData } from '../measure/index.js';
import { createRunResult, histogramOf, hostInfo, latencyResult, parseResult, serializeResult } from '../report/result/index.js';
import type { RunResult } from '../report/result/index.js';
import { mergeShardResults } from './shard-merge.js';
import type { ShardResult } from './shard-merge.js';

/** A deterministic spread of latencies (µs) per shard, with a long tail in one shard only. */
function values(shard: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => 1000 + ((i * 7919 + shard * 104729) % 50_000) + (shard === 2 && i % 10 === 0 ? 4_000_000 : 0));
}

function counter(value: number, unit: string): CounterData {
  return { value, unit, description: 'test' };
}

function rate(name: string, times: number[], endMs: number): TimeSeriesData {
  return { name, unit: '1/s', description: name, points: eventRatePerSecond(times, rateWindowMs(endMs), endMs) };
}

/** A shard's result as the shard process would send it (through its JSON text, as the coordinator reads it). */
function shard(index: number, o: { ready: number[]; createdAt: number[]; readyAt: number[]; endMs: number; backlog: [number, number][]; lag: number; firstSent: number; lastAnswered: number }): ShardResult {
  const h = createLatencyHistogram();
  const a = createLatencyHistogram();
  for (const v of o.ready) h.record(v);
  for (const v of o.ready.slice(0, 3)) a.record(v / 100);
  const r: RunResult = createRunResult({ toolVersion: 't', runId: 'r', scenario: 'burst', profile: null, target: { kind: 'sandbox', description: 's' }, startedAt: new Date(0).toISOString(), commandLine: [], seed: 1, host: hostInfo() });
  r.latencies = {
    create_to_ready: latencyResult(h, 'm', { byKind: { ARecord: h }, description: 'd' }),
    api_create: latencyResult(a, 'm'),
  };
  r.counters = {
    creates_accepted: counter(o.createdAt.length, 'objects'),
    objects_ready: counter(o.readyAt.length, 'objects'),
    objects_ready_at_relist: counter(0, 'objects'),
    probe_queries_sent: counter(10 * (index + 1), 'queries'),
    event_loop_lag_p99: counter(o.lag, 'us'),
    tool_peak_rss: counter(100 + index, 'MB'),
    create_rate: counter(999, '1/s'),
  };
  r.timeSeries = [
    rate('creates_per_second', o.createdAt, o.endMs),
    rate('ready_per_second', o.readyAt, o.endMs),
    { name: 'client_side_backlog', unit: 'objects', description: 'b', points: o.backlog.map(([t, value]) => ({ t, value })) },
    { name: 'odd', unit: 'bytes', description: 'o', points: [{ t: 0, value: index }] },
  ];
  r.notes = ['said by all', ...(index === 1 ? ['only shard 1'] : [])];
  r.metadata.shard = { index, count: 3, objects: o.createdAt.length, firstCreateSentMs: o.firstSent, lastCreateAnsweredMs: o.lastAnswered, lastReadyMs: Math.max(...o.readyAt) };
  const back = parseResult(serializeResult(r), `shard ${index}`);
  assert.ok(back.metadata.shard !== undefined);
  return { shard: back.metadata.shard, result: back };
}

const shards: ShardResult[] = [0, 1, 2].map((i) => {
  const ready = values(i, 200 + i * 37);
  const createdAt = ready.map((_, k) => 5 + k * (3 + i));
  const readyAt = createdAt.map((t, k) => t + 400 + (k % 97) * 10);
  const endMs = Math.max(...readyAt) + 5;
  return shard(i, { ready, createdAt, readyAt, endMs, backlog: [[0, 0], [500 + i, 10 * (i + 1)], [900 + i, 5], [endMs, 0]], lag: 1000 * (i + 1), firstSent: 5 + i, lastAnswered: Math.max(...createdAt) });
});

test('merged latencies are exactly the histogram of every shard\'s values (HDR add), overall and per kind', () => {
  const merged = mergeShardResults(shards);
  const all = createLatencyHistogram();
  for (const i of [0, 1, 2]) for (const v of values(i, 200 + i * 37)) all.record(v);
  const c2r = merged.latencies['create_to_ready'];
  assert.ok(c2r !== undefined);
  assert.equal(c2r.summary.count, 200 + 237 + 274);
  assert.deepEqual(c2r.summary, all.summary());
  assert.equal(histogramOf(c2r).encode(), all.encode(), 'the same counts in every bucket');
  assert.deepEqual(c2r.byKind?.['ARecord']?.summary, all.summary());
  // The tail lives in shard 2 alone: the merged p99 is the tail, which no average of the shards' p99s would give.
  const p99s = shards.map((s) => s.result.latencies['create_to_ready']?.summary.p99 ?? 0);
  assert.ok((c2r.summary.p99 ?? 0) > 3_000_000 && p99s.reduce((a, b) => a + b, 0) / 3 < (c2r.summary.p99 ?? 0));
  assert.equal(merged.latencies['api_create']?.summary.count, 9);
  assert.equal(c2r.method, 'm');
});

test('counts add; per-process figures are the largest shard\'s; the run\'s rate is recomputed on the common clock', () => {
  const m = mergeShardResults(shards);
  assert.equal(m.counters['creates_accepted']?.value, 711);
  assert.equal(m.counters['objects_ready']?.value, 711);
  assert.equal(m.counters['probe_queries_sent']?.value, 60);
  assert.equal(m.counters['event_loop_lag_p99']?.value, 3000);
  assert.equal(m.counters['tool_peak_rss']?.value, 102);
  const firstSent = 5;
  const lastAnswered = Math.max(...shards.map((s) => s.shard.lastCreateAnsweredMs ?? 0));
  const lastReady = Math.max(...shards.map((s) => s.shard.lastReadyMs ?? 0));
  assert.equal(m.counters['create_rate']?.value, (711 * 1000) / (lastAnswered - firstSent), 'not the shards\' 999/s');
  assert.equal(m.counters['first_create_to_last_ready']?.value, lastReady - firstSent);
  assert.equal(m.counters['ready_rate']?.value, (711 * 1000) / (lastReady - firstSent));
});

test('rate series add window by window (every event counted once); levels add instant by instant; others stay per shard', () => {
  const m = mergeShardResults(shards);
  const integral = (s: TimeSeriesData | undefined): number => (s?.points ?? []).reduce((n, p, i, ps) => n + (p.value * (p.t - (i === 0 ? 0 : (ps[i - 1]?.t ?? 0)))) / 1000, 0);
  for (const name of ['creates_per_second', 'ready_per_second']) {
    const merged = m.timeSeries.find((s) => s.name === name);
    assert.equal(Math.round(integral(merged)), 711, `${name}: Σ rate × window = every object`);
  }
  // The first second: shard i created the objects with 5 + k(3 + i) < 1000.
  const firstSecond = [0, 1, 2].reduce((n, i) => n + Math.min(200 + i * 37, Math.ceil((1000 - 5) / (3 + i))), 0);
  assert.equal(m.timeSeries.find((s) => s.name === 'creates_per_second')?.points[0]?.value, firstSecond);
  const backlog = m.timeSeries.find((s) => s.name === 'client_side_backlog');
  // On shard 0's instants (0, 500, 900, its end): at 500 only shard 0 has sampled (the others at 501, 502);
  // at 900 every shard's latest (5, 20, 30); at shard 0's end 0 + the others' 5 each.
  assert.deepEqual(backlog?.points.map((p) => p.value), [0, 10, 55, 10]);
  assert.deepEqual(m.timeSeries.filter((s) => s.name.startsWith('odd')).map((s) => s.name), ['odd.shard-0', 'odd.shard-1', 'odd.shard-2']);
  assert.ok(m.notes.some((n) => /^odd: kept per shard/.test(n)));
});

test('notes: one said by every shard once; one said by some shards names them', () => {
  const m = mergeShardResults(shards);
  assert.equal(m.notes.filter((n) => n === 'said by all').length, 1);
  assert.ok(m.notes.includes('shard 1: only shard 1'));
  assert.deepEqual(mergeShardResults(shards.slice(0, 1)).notes.slice(0, 1), ['shard 0: said by all'], 'a lone shard is named');
});
