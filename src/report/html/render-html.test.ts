import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createLatencyHistogram } from '../../measure/index.js';
import { createRunResult, finishRunResult, latencyResult, parseResult, serializeResult } from '../result/index.js';
import type { RunResult } from '../result/index.js';
import { loadChartAssets } from './chart-assets.js';
import type { ChartAssets } from './chart-assets.js';
import type { ChartSpec } from './chart-spec.js';
import { renderHtml } from './render-html.js';
import { syntheticResult, withChaos } from '../../../test/helpers/rich-result.js';

const fakeAssets: ChartAssets = { name: 'fake-chart 0', script: 'window.uPlot = function () {};', style: '.u{}', license: 'MIT fake' };
const hostile = '</script><script>alert("x")</script><b>&amp;\'';

/** Through the JSON text, as `report` reads it. */
function roundTrip(r: RunResult): RunResult {
  return parseResult(serializeResult(r), 'test');
}

function chartSpecs(html: string): ChartSpec[] {
  const m = /<script type="application\/json" id="chart-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m?.[1] !== undefined, 'chart data present');
  return JSON.parse(m[1]) as ChartSpec[];
}

test('html: every section of a rich result, with a chart and a "how measured" line per figure', () => {
  const r = roundTrip(syntheticResult({ records: 1000, hostile }));
  const html = renderHtml(r, fakeAssets);
  for (const id of ['summary', 'verdicts', 'latencies', 'time-series', 'counters', 'operator', 'api', 'failures', 'findings', 'notes', 'config']) {
    assert.match(html, new RegExp(`<section id="${id}">`), `section ${id}`);
  }
  const specs = chartSpecs(html);
  const ids = specs.map((s) => s.id);
  // Sorted by name: api_create, create_to_ready, delete_to_gone (empty: no chart), schedule_slip.
  for (const n of [0, 1, 3]) assert.ok(ids.includes(`lat-${n}-dist`) && ids.includes(`lat-${n}-curve`), `latency ${n} charts in ${ids.join(',')}`);
  assert.ok(!ids.includes('lat-2-dist') && !ids.includes('lat-2-curve'));
  assert.match(html, /No delete_to_gone values were recorded, so there is no distribution to draw\./);
  assert.deepEqual(ids.filter((i) => i.startsWith('ts-')), ['ts-rates-0', 'ts-ready-rates-0', 'ts-backlog-0', 'ts-memory-0', 'ts-cpu-0', 'ts-reconciles-0']);
  // The Ready rate has its own chart, so the create spike does not squash it flat.
  assert.deepEqual(specs.find((s) => s.id === 'ts-rates-0')?.series.map((s) => s.label), ['creates_per_second']);
  assert.deepEqual(specs.find((s) => s.id === 'ts-ready-rates-0')?.series.map((s) => s.label), ['ready_per_second']);
  for (const s of specs) assert.match(html, new RegExp(`<div class="chart" id="chart-${s.id}"`));
  // The curve of create_to_ready has the overall line and one per kind.
  const curve = specs.find((s) => s.id === 'lat-1-curve');
  assert.deepEqual(curve?.series.map((s) => s.label), ['all', 'AAAARecord', 'ARecord', 'CAARecord', 'CNAMERecord', 'MXRecord', 'NSRecord', 'SRVRecord', 'TXTRecord']);
  // Memory is shown in MB (10^6 bytes), as the operator docs say.
  assert.equal(specs.find((s) => s.id === 'ts-memory-0')?.yLabel, 'MB');
  assert.doesNotMatch(html, /This result holds no create-rate or Ready-rate time series/);
  // "How this was measured" under each latency, series, the API table; methods come from the result.
  assert.ok((html.match(/How this was measured:/g) ?? []).length >= 4 + 6 + 1);
  assert.match(html, /How this was measured:<\/span> intended start of the create \(monotonic\) to the first watch event/);
  assert.match(html, /How this was measured:<\/span> increase of apiserver_request_total/);
  assert.match(html, /<span class="verdict verdict-fail">fail<\/span>/);
  assert.match(html, /<span class="verdict verdict-not-measured">not-measured<\/span>/);
  assert.match(html, /7000 requests to the Kubernetes API for 1000 objects created: 7 per object\./);
  assert.match(html, /<code class="key">scenarios\.burst\.records<\/code><\/td><td><code>1000<\/code><\/td><td>flag:--records<\/td>/);
  assert.match(html, /1 \(below 0, above 0, invalid 1\)/, 'values not recorded are shown');
  assert.equal(renderHtml(r, fakeAssets), html, 'pure: same result, same text');
});

test('html: every string from the result is escaped; the only scripts are the report\'s three', () => {
  const html = renderHtml(roundTrip(syntheticResult({ records: 20, hostile })), fakeAssets);
  assert.equal((html.match(/<script/g) ?? []).length, 3);
  assert.doesNotMatch(html, /alert\("x"\)<\/script>/);
  assert.doesNotMatch(html, /<b>/);
  assert.match(html, /&lt;\/script&gt;&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;&lt;b&gt;&amp;amp;&#39;/);
});

test('html: a result with empty sections states what is absent instead of drawing it', () => {
  const r = createRunResult({
    toolVersion: '0.1.0',
    runId: 'lt-empty',
    scenario: 'burst',
    profile: null,
    target: { kind: 'cluster', description: 'kind' },
    startedAt: '2026-01-01T00:00:00.000Z',
    commandLine: [],
    seed: 1,
    host: { hostname: 'h', platform: 'linux', arch: 'x64', nodeVersion: 'v20', cpus: 1, memoryBytes: 1 },
  });
  r.timeSeries.push({ name: 'client_side_backlog', unit: 'objects', description: 'backlog', points: [] });
  const html = renderHtml(roundTrip(r), fakeAssets);
  assert.deepEqual(chartSpecs(html), []);
  for (const text of [
    'No success criteria were judged in this run',
    'This result holds no latency measurements.',
    'This result holds no create-rate or Ready-rate time series',
    'Series client_side_backlog present but with no points.',
    'This result holds no operator memory series',
    'This result holds no operator CPU series',
    'This result holds no BIND9 memory series',
    'API amplification was not measured in this run',
    'No object missed a milestone.',
    'No findings in this result.',
    'No recommendations in this result.',
    'This result holds no effective configuration.',
    '— (did not finish)',
  ]) assert.ok(html.includes(text), text);
});

test('html: the example result and a 1,000-record burst with real uPlot stay far below 2 MB, with no raw samples', async () => {
  const assets = await loadChartAssets();
  const example = parseResult(readFileSync('examples/result.example.json', 'utf8'), 'example');
  assert.ok(renderHtml(example, assets).length < 2_000_000);
  // 1,000 records with 1,000 failures listed (capped at 200 rows) and a wide latency spread.
  const big = roundTrip(syntheticResult({ records: 1000, failures: 1000 }));
  const h = createLatencyHistogram();
  for (let i = 1; i <= 1000; i++) h.record(Math.round(1000 * 1.013 ** i));
  big.latencies.wide = latencyResult(h, 'synthetic: 1000 values from 1 ms to ~400 s');
  const html = renderHtml(roundTrip(big), assets);
  const bytes = Buffer.byteLength(html);
  assert.ok(bytes < 2_000_000, `${bytes} bytes`);
  assert.ok(html.includes(assets.script.slice(0, 200)), 'uPlot inlined');
  assert.match(html, /800 more failures are not listed here; all 1000 are in result\.json\./);
  // Curves are sampled at fixed percentiles: at most 28 points per curve, whatever the count.
  for (const s of chartSpecs(html)) if (s.kind === 'curve') assert.ok(s.x.length <= 28, `${s.id}: ${s.x.length} points`);
});

test('html: a finished result renders with the run still marked aborted when it is', () => {
  const r = syntheticResult({ records: 10 });
  const aborted = finishRunResult(r, { status: 'aborted', endedAt: '2026-01-12T09:31:00.000Z', durationMs: 1 });
  assert.match(renderHtml(roundTrip(aborted), fakeAssets), /<div class="status status-aborted">aborted<\/div>/);
});

test('html: the verdict line is the first thing in the body, escaped, and names the outcome in the title', () => {
  const r = roundTrip(syntheticResult({ records: 10, hostile }));
  r.verdict = { outcome: 'fail', reasons: [`create_to_ready.p99 25300 ms (limit <= 15000 ms)`, hostile] };
  const html = renderHtml(r, fakeAssets);
  const body = html.slice(html.indexOf('<body>') + '<body>'.length).trimStart();
  assert.match(body, /^<p id="verdict" class="run-verdict verdict-fail">FAIL: create_to_ready\.p99 25300 ms \(limit &lt;= 15000 ms\); &lt;\/script&gt;/);
  assert.match(html, /<title>FAIL: bindy-loadtest /);
});

test('html: one unit per quantity, said once at the top; labelled operator rows; tables scroll in their own box', () => {
  const html = renderHtml(roundTrip(syntheticResult({ records: 100 })), fakeAssets);
  assert.equal((html.match(/id="units"/g) ?? []).length, 1);
  assert.ok(html.indexOf('id="units"') < html.indexOf('<section'), 'the convention comes before the first section');
  assert.match(html, /Units: latencies in ms \(µs below 1 ms\); memory in MB \(10\^6 bytes/);
  // bindy's reconcile histogram is in seconds: shown in ms like every latency; its memory in MB, its rates per second.
  const reconcile = /<code>reconcile_duration<\/code> <span class="labels">resource_type=ARecord<\/span>.*/.exec(html)?.[0] ?? '';
  for (const figure of ['count 812', 'p50 80 ms', 'p99 900 ms', 'mean 110 ms']) assert.ok(reconcile.includes(figure), `${figure} in ${reconcile}`);
  const memory = /<code>process_memory<\/code> <span class="labels">all<\/span>.*/.exec(html)?.[0] ?? '';
  for (const figure of ['first 60 MB', 'last 100 MB', 'peak 102 MB']) assert.ok(memory.includes(figure), `${figure} in ${memory}`);
  assert.doesNotMatch(html, /\d (MiB|bytes|us)<\/td>/, 'no MiB, no bytes, no raw us in a table');
  assert.doesNotMatch(html, /<td class="num">[\d.,]+ s<\/td>/, 'no latency in s');
  // Every table sits in a box of its own that scrolls sideways instead of the page.
  assert.equal((html.match(/<table/g) ?? []).length, (html.match(/<div class="table-box"><table/g) ?? []).length);
  assert.match(html, /\.table-box \{ max-width: 100%; overflow-x: auto; \}/);
});

test('html: legends carry each line series\' peak and last value; a series always 0 is stated, not drawn', () => {
  const r = roundTrip(syntheticResult({ records: 100 }));
  const errors = r.timeSeries.find((s) => s.name === 'operator_errors_per_second');
  assert.ok(errors !== undefined);
  errors.points = errors.points.map((p) => ({ ...p, value: 0 }));
  const cpu = r.timeSeries.find((s) => s.name === 'operator_cpu');
  assert.ok(cpu !== undefined);
  cpu.points = cpu.points.map((p) => ({ ...p, value: 0 }));
  const html = renderHtml(r, fakeAssets);
  const specs = chartSpecs(html);
  assert.ok(!specs.some((s) => s.id.startsWith('ts-cpu')), 'a chart of only zeros is not drawn');
  assert.match(html, /<h3>Operator CPU<\/h3>\n<p class="flat">operator_cpu was always 0 over the run \(\d+ samples from [\d.]+ s to [\d.]+ s\)\.<\/p>/);
  const rec = specs.find((s) => s.id === 'ts-reconciles-0');
  assert.deepEqual(rec?.series.map((s) => s.label), ['operator_reconciles_per_second'], 'the zero series is left out of a chart with others');
  assert.match(html, /<p class="flat">operator_errors_per_second was always 0 over the run/);
  const memory = specs.find((s) => s.id === 'ts-memory-0')?.series[0];
  const peakMB = Math.max(...(r.timeSeries.find((s) => s.name === 'operator_memory_rss')?.points ?? []).map((p) => p.value)) / 1e6;
  assert.match(memory?.note ?? '', new RegExp(`^peak ${String(Number(peakMB.toPrecision(3))).replace('.', '\\.')}, last [\\d.]+ MB$`));
  for (const s of specs.filter((x) => x.kind === 'line')) for (const series of s.series) assert.match(series.note ?? '', /^peak .*, last /, `${s.id} ${series.label}`);
});

test('html: a chaos run says each experiment\'s invariants first, escaped, and shades every time series with the fault and its recovery', () => {
  const r = roundTrip(withChaos(syntheticResult({ records: 100 })));
  const html = renderHtml(r, fakeAssets);
  const chaos = html.indexOf('<section id="chaos">');
  assert.ok(chaos > 0 && chaos < html.indexOf('<section id="latencies">'), 'the experiments come before the figures');
  assert.match(html, /<h3>exp-0 operator-kill: every invariant held; converged 2\.1 s after the revert<\/h3>/);
  assert.match(html, /<h3>exp-1 bind9-crash: FAILED converged after the revert; did not converge<\/h3>/);
  assert.match(html, /desired-vs-served audit NOT clean \(primary-0: 25 match, 6 missing/);
  assert.match(html, /API requests on bindy&#39;s resources from just before the fault to its convergence \(every client\): 412, of which 3 answered 409 Conflict/);
  assert.doesNotMatch(html.slice(chaos), /<b>x<\/b>/, 'hostile text stays text');
  const lines = chartSpecs(html).filter((c) => c.kind === 'line');
  assert.ok(lines.length > 0);
  for (const c of lines) {
    assert.deepEqual(
      c.bands?.map((b) => `${b.kind} ${b.from}-${b.to === Number.MAX_SAFE_INTEGER ? 'end' : b.to} ${b.label}`),
      ['fault 10-22.4 exp-0 operator-kill', 'recovery 22.4-24.5 recovery', 'fault 40-44.9 exp-1 bind9-crash', 'recovery 44.9-end not converged'],
      c.id,
    );
  }
  for (const c of chartSpecs(renderHtml(roundTrip(syntheticResult({ records: 100 })), fakeAssets))) assert.equal(c.bands, undefined, 'no chaos, no bands');
});

/** A sustained-like result whose operator memory grows exactly `mibPerHour` (± a fixed 0.5 MB zig-zag) every 30 s for `minutes`. */
function growingMemory(mibPerHour: number, minutes: number): RunResult {
  const r = roundTrip(syntheticResult({ records: 100 }));
  const bytesPerMs = (mibPerHour * 1_048_576) / 3_600_000;
  const rss = r.timeSeries.find((s) => s.name === 'operator_memory_rss');
  assert.ok(rss !== undefined);
  rss.points = [];
  for (let t = 0, i = 0; t <= minutes * 60_000; t += 30_000, i++) rss.points.push({ t, value: 100e6 + bytesPerMs * t + (i % 2 === 0 ? 5e5 : -5e5) });
  // The steady phase the judge fits on starts at 5 min (a sustained run's ramp-up end).
  r.counters.steady_phase_from_ms = { value: 300_000, unit: 'ms', description: 'start of the steady phase' };
  return r;
}

test('html: the memory chart draws the judge\'s fitted line, dashed, over exactly its steady phase, labelled with the figure\'s slope and interval', () => {
  const r = growingMemory(1800, 25);
  const html = renderHtml(r, fakeAssets);
  const memory = chartSpecs(html).find((s) => s.id === 'ts-memory-0');
  assert.ok(memory !== undefined);
  assert.equal(memory.series.length, 2);
  const fitted = memory.series[1];
  assert.ok(fitted !== undefined);
  assert.equal(fitted.dashed, true);
  // 1800 MiB/h = 1887 MB/h; the label carries the interval, as the criteria and findings do.
  const m = /^fitted: \+([\d,]+) MB\/h \(95 %: ([\d,]+) to ([\d,]+)\)$/.exec(fitted.label);
  assert.ok(m !== null, fitted.label);
  const [shown, low, high] = [m[1], m[2], m[3]].map((v) => Number((v ?? '').replace(/,/g, '')));
  assert.ok(Math.abs((shown ?? 0) - 1887) <= 10 && (low ?? 0) < 1887 && (high ?? 0) > 1887, fitted.label);
  // Exactly the steady phase: from the first sample at or after 300 s to the last, nothing outside it.
  const drawn = memory.x.map((x, i) => ({ x, v: fitted.values[i] ?? null })).filter((p) => p.v !== null);
  assert.equal(drawn[0]?.x, 300);
  assert.equal(drawn.at(-1)?.x, 1500);
  assert.equal(drawn.length, memory.x.filter((x) => x >= 300 && x <= 1500).length);
  // A straight line whose slope is the known growth (MB/s on the chart: 1800 MiB/h = 0.524288 MB/s), through the data.
  const first = drawn[0]?.v ?? 0;
  const last = drawn.at(-1)?.v ?? 0;
  assert.ok(Math.abs((last - first) / 1200 / 0.524288 - 1) < 0.01, `slope ${(last - first) / 1200} MB/s`);
  assert.ok(Math.abs(first - (100 + 0.524288 * 300)) < 1, `starts at ${first} MB`);
  assert.match(html, /fitted line: least-squares slope of operator RSS \(operator_memory_rss\) over the steady phase, 95 % t confidence interval; steady phase from 300 s: 41 samples over 20\.0 min/);
  assert.doesNotMatch(html, /No fitted line/);
});

test('html: a memory series too short to fit draws no line and says why under the chart', () => {
  const html = renderHtml(roundTrip(syntheticResult({ records: 100 })), fakeAssets);
  const memory = chartSpecs(html).find((s) => s.id === 'ts-memory-0');
  assert.deepEqual(memory?.series.map((s) => s.label), ['operator_memory_rss']);
  assert.match(html, /<p class="flat">No fitted line: steady phase from \d+ s: \d+ samples over [\d.]+ min; a slope needs at least 10 min and 10 samples \(judge\.memoryGrowthMinimum\)\.<\/p>/);
});

test('html: the quiet window is shaded on every time series at its recorded times, beside any fault', () => {
  const r = syntheticResult({ records: 100 });
  r.quietWindow = { fromMs: 61_500, toMs: 91_500 };
  const html = renderHtml(roundTrip(r), fakeAssets);
  const lines = chartSpecs(html).filter((c) => c.kind === 'line');
  assert.ok(lines.length >= 6);
  for (const c of lines) assert.deepEqual(c.bands, [{ from: 61.5, to: 91.5, label: 'quiet window', kind: 'quiet' }], c.id);
  assert.match(html, /The grey band on each chart is the quiet window, 61\.5 s to 91\.5 s/);
  const both = chartSpecs(renderHtml(roundTrip(withChaos(r)), fakeAssets)).find((c) => c.id === 'ts-memory-0');
  assert.deepEqual(both?.bands?.map((b) => b.kind), ['fault', 'recovery', 'fault', 'recovery', 'quiet']);
  // The schema holds it to its shape.
  assert.throws(() => parseResult(JSON.stringify({ ...JSON.parse(serializeResult(r)), quietWindow: { fromMs: 1 } }), 'q.json'), /quietWindow/);
});

test('html: each named\'s memory on one BIND9 memory chart, each CPU on one BIND9 CPU chart', () => {
  const r = roundTrip(syntheticResult({ records: 10 }));
  const points = (base: number): { t: number; value: number }[] => [0, 1000, 2000].map((t, i) => ({ t, value: base + i * 1e6 }));
  for (const server of ['primary-0', 'secondary-0']) {
    r.timeSeries.push({ name: `bind9_memory_rss.${server}`, unit: 'bytes', description: 'named RSS', points: points(40e6) });
    r.timeSeries.push({ name: `bind9_cpu.${server}`, unit: 'cores', description: 'named CPU', points: points(0.1) });
  }
  const specs = chartSpecs(renderHtml(r, fakeAssets));
  const memory = specs.find((c) => c.id === 'ts-bind9-memory-0');
  assert.deepEqual(memory?.series.map((x) => x.label.split(' ')[0]), ['bind9_memory_rss.primary-0', 'bind9_memory_rss.secondary-0']);
  assert.equal(specs.find((c) => c.id === 'ts-bind9-cpu-0')?.series.length, 2);
});
