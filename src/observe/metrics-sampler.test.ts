/** @module Tests of the metrics sampler (manual ticks, fake sources) and of fetching over HTTP and HTTPS. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiServer } from '../targets/sandbox/apiserver/api-server.js';
import type { MetricSample } from '../measure/index.js';
import { FetchError, fetchText } from './metrics-fetch.js';
import { createMetricsSampler, httpMetricsSource } from './metrics-sampler.js';
import type { MetricsSource } from './metrics-sampler.js';

/** A source answering from a script: a number is a counter value `c` (and gauge `g` = 2c), an Error is thrown. */
function scripted(steps: (number | Error)[]): MetricsSource & { calls: number } {
  const s = {
    description: 'scripted',
    calls: 0,
    read(): Promise<MetricSample[]> {
      const step = steps[s.calls++] ?? steps.at(-1) ?? 0;
      if (step instanceof Error) return Promise.reject(step);
      return Promise.resolve([
        { name: 'c', labels: {}, value: step },
        { name: 'g', labels: {}, value: 2 * step },
      ]);
    },
  };
  return s;
}

/** A manual ticker: `tick()` runs the registered callback, as setInterval would. */
function manualTicker(): { every: (ms: number, fn: () => void) => () => void; tick: () => void; active: () => boolean } {
  let fn: (() => void) | null = null;
  return {
    every: (_ms, f) => {
      fn = f;
      return () => {
        fn = null;
      };
    },
    tick: () => fn?.(),
    active: () => fn !== null,
  };
}

const pick = (name: string) => (s: readonly MetricSample[]) => s.find((x) => x.name === name)?.value ?? null;

void test('keeps first and last scrape, records failures without stopping, reset-corrects counters', async () => {
  const cases: { name: string; steps: (number | Error)[]; ticks: number; want: { firstC: number | null; lastC: number | null; counter: number[]; gauge: number[]; failures: number } }[] = [
    { name: 'steady', steps: [1, 2, 3, 4], ticks: 2, want: { firstC: 1, lastC: 4, counter: [1, 2, 3, 4], gauge: [2, 4, 6, 8], failures: 0 } },
    { name: 'a failed scrape is recorded, not fatal', steps: [1, new Error('boom'), 3, 5], ticks: 2, want: { firstC: 1, lastC: 5, counter: [1, 3, 5], gauge: [2, 6, 10], failures: 1 } },
    // 10 → 2 is a restart: 2 more counted on top of 10.
    { name: 'counter reset', steps: [5, 10, 2, 4], ticks: 2, want: { firstC: 5, lastC: 4, counter: [5, 10, 12, 14], gauge: [10, 20, 4, 8], failures: 0 } },
    { name: 'every scrape fails', steps: [new Error('down')], ticks: 1, want: { firstC: null, lastC: null, counter: [], gauge: [], failures: 3 } },
  ];
  for (const c of cases) {
    let t = 0;
    const ticker = manualTicker();
    const sampler = createMetricsSampler({
      source: scripted(c.steps),
      intervalMs: 1000,
      now: () => (t += 1000),
      every: ticker.every,
      track: { c: { kind: 'counter', pick: pick('c') }, g: { kind: 'gauge', pick: pick('g') } },
    });
    await sampler.start();
    for (let i = 0; i < c.ticks; i++) {
      ticker.tick();
      await sampler.scrapeOnce(); // joins the tick's scrape in flight (it is counted as skipped below)
    }
    const snap = await sampler.stop();
    assert.equal(ticker.active(), false, `${c.name}: stop cancels the interval`);
    const val = (s: typeof snap.first) => s?.samples.find((x) => x.name === 'c')?.value ?? null;
    assert.equal(val(snap.first), c.want.firstC, c.name);
    assert.equal(val(snap.last), c.want.lastC, c.name);
    assert.deepEqual(snap.series.c?.points.map((p) => p.value), c.want.counter, c.name);
    assert.deepEqual(snap.series.g?.points.map((p) => p.value), c.want.gauge, c.name);
    assert.equal(snap.failures, c.want.failures, c.name);
    assert.equal(snap.attempts, c.ticks + 2, `${c.name}: start + ticks + final`);
    assert.equal(snap.skipped, c.ticks, `${c.name}: overlapping calls do not start a second request`);
    assert.equal(snap.recentFailures.length, Math.min(5, c.want.failures));
  }
});

void test('memory stays bounded: points are thinned, counters keep their total increase', async () => {
  let t = 0;
  let v = 0;
  const source: MetricsSource = { description: 'x', read: () => Promise.resolve([{ name: 'c', labels: {}, value: (v += 3) }]) };
  const sampler = createMetricsSampler({ source, intervalMs: 1, now: () => t++, every: () => () => undefined, maxPoints: 16, track: { c: { kind: 'counter', pick: pick('c') } } });
  for (let i = 0; i < 1000; i++) await sampler.scrapeOnce();
  const snap = sampler.snapshot();
  const pts = snap.series.c?.points ?? [];
  assert.ok(pts.length <= 16 && pts.length >= 8, `${pts.length} points kept`);
  assert.equal(snap.thinned, true);
  assert.deepEqual(pts[0], { t: 0, value: 3 });
  assert.deepEqual(pts.at(-1), { t: 999, value: 3000 });
});

void test('HTTP source: bearer token sent, non-2xx and a silent server are failures within the time limit', async () => {
  const seen: (string | undefined)[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers.authorization);
    if (req.url === '/hang') return; // never answers
    if (req.url === '/500') return void res.writeHead(500).end('nope');
    res.writeHead(200, { 'content-type': 'text/plain' }).end('# TYPE up gauge\nup 1\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const samples = await httpMetricsSource(`${base}/metrics`, { bearerToken: 's3cret' }).read(new AbortController().signal);
    assert.deepEqual(samples.map((s) => [s.name, s.value]), [['up', 1]]);
    assert.equal(seen[0], 'Bearer s3cret');
    await assert.rejects(fetchText(`${base}/500`), (e) => e instanceof FetchError && e.status === 500);
    const started = performance.now();
    await assert.rejects(fetchText(`${base}/hang`, { timeoutMs: 200 }), (e) => e instanceof FetchError && e.status === 0);
    assert.ok(performance.now() - started < 2000, 'bounded by the timeout');
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

void test('HTTPS source: trusted with the CA given, refused without it', async () => {
  const server = createApiServer({});
  const listening = await server.listen({ host: '127.0.0.1', port: 0, tls: true });
  try {
    assert.ok(listening.caCert !== undefined);
    const text = await fetchText(`${listening.url}/metrics`, { ca: listening.caCert });
    assert.match(text, /apiserver_request_total|# HELP/);
    await assert.rejects(fetchText(`${listening.url}/metrics`), (e) => e instanceof FetchError && e.status === 0);
  } finally {
    await listening.close();
  }
});
