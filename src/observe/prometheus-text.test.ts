/** @module Tests of the Prometheus text-format parser. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrometheusText } from './prometheus-text.js';
import { estimateQuantiles } from '../measure/bucket-quantile.js';

void test('samples, labels, HELP and TYPE, families of histogram series', () => {
  const text = [
    '# HELP bindy_firestoned_io_reconciliation_duration_seconds Duration of reconciliations\\nin seconds \\\\ total',
    '# TYPE bindy_firestoned_io_reconciliation_duration_seconds histogram',
    'bindy_firestoned_io_reconciliation_duration_seconds_bucket{resource_type="DNSZone",le="0.1"} 3',
    'bindy_firestoned_io_reconciliation_duration_seconds_bucket{resource_type="DNSZone",le="+Inf"} 4',
    'bindy_firestoned_io_reconciliation_duration_seconds_sum{resource_type="DNSZone"} 0.75',
    'bindy_firestoned_io_reconciliation_duration_seconds_count{resource_type="DNSZone"} 4',
    '# TYPE up gauge',
    'up 1',
    '',
  ].join('\n');
  const { samples, families, problems } = parsePrometheusText(text);
  assert.deepEqual(problems, []);
  assert.equal(samples.length, 5);
  const fam = 'bindy_firestoned_io_reconciliation_duration_seconds';
  assert.deepEqual(families[fam], { help: 'Duration of reconciliations\nin seconds \\ total', type: 'histogram' });
  assert.deepEqual(families.up, { type: 'gauge' });
  assert.deepEqual(
    samples.map((s) => s.family),
    [fam, fam, fam, fam, 'up'],
  );
  assert.deepEqual(samples[1], {
    name: `${fam}_bucket`,
    labels: { resource_type: 'DNSZone', le: '+Inf' },
    value: 4,
    family: fam,
  });
});

void test('sample lines: values, escapes, timestamps and spacing', () => {
  const cases: { line: string; name: string; labels: Record<string, string>; value: number; ts?: number }[] = [
    { line: 'a 1', name: 'a', labels: {}, value: 1 },
    { line: 'a{} 2.5e-3', name: 'a', labels: {}, value: 0.0025 },
    { line: 'a +Inf', name: 'a', labels: {}, value: Infinity },
    { line: 'a -Inf', name: 'a', labels: {}, value: -Infinity },
    { line: 'a NaN', name: 'a', labels: {}, value: NaN },
    { line: 'a -0.5 1712345678901', name: 'a', labels: {}, value: -0.5, ts: 1712345678901 },
    { line: 'ns:a_b{x="1",} 7', name: 'ns:a_b', labels: { x: '1' }, value: 7 },
    { line: 'a{ x = "y" , z="w" }\t3 \t', name: 'a', labels: { x: 'y', z: 'w' }, value: 3 },
    { line: String.raw`a{p="C:\\dir",q="say \"hi\"",n="l1\nl2"} 1`, name: 'a', labels: { p: 'C:\\dir', q: 'say "hi"', n: 'l1\nl2' }, value: 1 },
    { line: 'a{path="/api/v1/zones/{z}",method="POST"} 12', name: 'a', labels: { path: '/api/v1/zones/{z}', method: 'POST' }, value: 12 },
    { line: 'a{v="}, #"} 1', name: 'a', labels: { v: '}, #' }, value: 1 },
  ];
  for (const c of cases) {
    const { samples, problems } = parsePrometheusText(c.line);
    assert.deepEqual(problems, [], c.line);
    const [s] = samples;
    assert.ok(s, c.line);
    assert.equal(s.name, c.name, c.line);
    assert.deepEqual(s.labels, c.labels, c.line);
    assert.ok(Object.is(s.value, c.value) || s.value === c.value, `${c.line}: value ${s.value}`);
    assert.equal(s.timestampMs, c.ts, c.line);
  }
});

void test('malformed lines are reported with their line number and the rest is still parsed', () => {
  const text = [
    'good 1',
    'bad{x="1"',
    'bad{x=1} 1',
    'bad{x="1",x="2"} 1',
    'bad{x="\\t"} 1',
    'bad 0x10',
    'bad',
    'bad 1 12.5',
    'bad 1 2 3',
    '# TYPE t nonsense',
    '# just a comment',
    '  # indented comment',
    'also_good{a="b"} 2\r',
  ].join('\n');
  const { samples, problems } = parsePrometheusText(text);
  assert.deepEqual(
    samples.map((s) => s.name),
    ['good', 'also_good'],
  );
  assert.deepEqual(
    problems.map((p) => p.line),
    [2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  for (const p of problems) assert.ok(p.message.length > 0);
});

void test('summary series join their family but a summary has no _bucket', () => {
  const text = ['# TYPE s summary', 's{quantile="0.5"} 1', 's_sum 3', 's_count 2', 's_bucket 1'].join('\n');
  const { samples } = parsePrometheusText(text);
  assert.deepEqual(
    samples.map((x) => x.family),
    ['s', 's', 's', 's_bucket'],
  );
});

void test('two parsed scrapes feed the bucket-delta quantile estimate', () => {
  const scrape = (b01: number, b05: number, inf: number, sum: number): string =>
    [
      '# TYPE h histogram',
      `h_bucket{le="0.1"} ${b01}`,
      `h_bucket{le="0.5"} ${b05}`,
      `h_bucket{le="+Inf"} ${inf}`,
      `h_sum ${sum}`,
      `h_count ${inf}`,
    ].join('\n');
  const before = parsePrometheusText(scrape(1, 2, 2, 0.3)).samples;
  const after = parsePrometheusText(scrape(11, 22, 22, 4.3)).samples;
  // Delta: 10 ≤ 0.1, 10 in (0.1, 0.5]; median rank 10 → 0.1
  const [est] = estimateQuantiles('h', before, after, [0.5, 0.75]);
  assert.equal(est?.count, 20);
  assert.equal(est?.quantiles['0.5'], 0.1);
  // rank 15 in (0.1, 0.5]: 0.1 + 0.4 · 5/10
  assert.ok(Math.abs((est?.quantiles['0.75'] ?? NaN) - 0.3) < 1e-12);
});
