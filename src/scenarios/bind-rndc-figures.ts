/**
 * @module The figures of a `bind rndc` storm (pure): each request's outcome tallied per route and
 * per client into HDR histograms (latency from the intended start, service time from the send),
 * status-code counters, 429s from bindcar's limiter apart from errors, connection errors and
 * timeouts apart, drops apart; per-second series by intended start.
 */
import { Counters, createLatencyHistogram, type QuantityHistogram } from '../measure/index.js';
import { latencyResult, type LatencyResult } from '../report/result/index.js';
import type { TimePoint } from '../measure/time-series.js';
import type { BindcarOutcome } from '../drive/bindcar-client.js';
import { classicHistograms, histogramDelta, histogramQuantile, type ClassicHistogram, type MetricSample } from '../measure/bucket-quantile.js';

/** How a request ended, as the figures count it. */
export type OutcomeClass = 'ok' | 'limited' | 'error' | 'connection-error' | 'timeout';

/** The class of an outcome: 2xx ok, 429 limited (bindcar's rate limiter, not an error), any other status an error. */
export function classify(o: BindcarOutcome): OutcomeClass {
  if (o.kind === 'timeout') return 'timeout';
  if (o.kind === 'connection-error') return 'connection-error';
  if (o.status === 429) return 'limited';
  return o.status >= 200 && o.status < 300 ? 'ok' : 'error';
}

interface RouteFigures {
  latency: QuantityHistogram;
  service: QuantityHistogram;
  sent: number;
  dropped: number;
  byClass: Record<OutcomeClass, number>;
  byStatus: Map<number, number>;
  connectionCodes: Map<string, number>;
}

interface Second {
  ok: number;
  limited: number;
  failed: number;
}

/** The sections of the result a storm fills. */
export interface StormFigures {
  latencies: Record<string, LatencyResult>;
  counters: ReturnType<Counters['toJSON']>;
  timeSeries: { name: string; unit: string; description: string; points: TimePoint[] }[];
  notes: string[];
}

const classes: readonly OutcomeClass[] = ['ok', 'limited', 'error', 'connection-error', 'timeout'];

/** The tally of one storm; times in monotonic ms, `t0` the storm's start. */
export class StormTally {
  readonly #routes = new Map<string, RouteFigures>();
  readonly #clients: { ok: number; limited: number }[];
  readonly #seconds: Second[] = [];
  readonly #t0: number;

  constructor(clients: number, t0: number) {
    this.#clients = Array.from({ length: clients }, () => ({ ok: 0, limited: 0 }));
    this.#t0 = t0;
  }

  #route(route: string): RouteFigures {
    let r = this.#routes.get(route);
    if (r === undefined) {
      r = { latency: createLatencyHistogram(), service: createLatencyHistogram(), sent: 0, dropped: 0, byClass: { ok: 0, limited: 0, error: 0, 'connection-error': 0, timeout: 0 }, byStatus: new Map(), connectionCodes: new Map() };
      this.#routes.set(route, r);
    }
    return r;
  }

  #second(intendedMs: number): Second {
    const i = Math.max(0, Math.floor((intendedMs - this.#t0) / 1000));
    while (this.#seconds.length <= i) this.#seconds.push({ ok: 0, limited: 0, failed: 0 });
    return this.#seconds[i] as Second;
  }

  /**
   * One request's end. Only answers bindcar served (not a 429) go into the histograms: a 429 is
   * the limiter answering before any route runs, and timing it with the route would hide both.
   */
  record(route: string, client: number, intendedMs: number, sentMs: number, endedMs: number, o: BindcarOutcome): OutcomeClass {
    const r = this.#route(route);
    const c = classify(o);
    r.sent++;
    r.byClass[c]++;
    if (o.kind === 'answered') r.byStatus.set(o.status, (r.byStatus.get(o.status) ?? 0) + 1);
    if (o.kind === 'connection-error') r.connectionCodes.set(o.code, (r.connectionCodes.get(o.code) ?? 0) + 1);
    if (c === 'ok' || c === 'error') {
      r.latency.record(Math.max(0, endedMs - intendedMs) * 1000);
      r.service.record(Math.max(0, endedMs - sentMs) * 1000);
    }
    const perClient = this.#clients[client];
    if (perClient !== undefined && c === 'ok') perClient.ok++;
    if (perClient !== undefined && c === 'limited') perClient.limited++;
    const s = this.#second(intendedMs);
    if (c === 'ok') s.ok++;
    else if (c === 'limited') s.limited++;
    else s.failed++;
    return c;
  }

  /** A request due with no free slot: not sent. */
  dropped(route: string): void {
    this.#route(route).dropped++;
  }

  /** Answers of class `c` over every route. */
  total(c: OutcomeClass): number {
    let n = 0;
    for (const r of this.#routes.values()) n += r.byClass[c];
    return n;
  }

  /** The result's sections. */
  figures(): StormFigures {
    const counters = new Counters();
    const c = (name: string, value: number, unit: string, description: string): void => {
      counters.declare(name, unit, description);
      counters.add(name, value);
    };
    const latencies: Record<string, LatencyResult> = {};
    const notes: string[] = [];
    let sent = 0;
    let dropped = 0;
    const totals: Record<OutcomeClass, number> = { ok: 0, limited: 0, error: 0, 'connection-error': 0, timeout: 0 };
    for (const [route, r] of [...this.#routes].sort(([a], [b]) => a.localeCompare(b))) {
      const p = `bindcar_${route}`;
      sent += r.sent;
      dropped += r.dropped;
      for (const k of classes) totals[k] += r.byClass[k];
      c(`${p}_requests`, r.sent, 'requests', `requests sent to the ${route} route`);
      c(`${p}_ok`, r.byClass.ok, 'requests', `${route} requests answered 2xx`);
      c(`${p}_429`, r.byClass.limited, 'requests', `${route} requests answered 429 by bindcar's rate limiter (not errors)`);
      c(`${p}_errors`, r.byClass.error, 'requests', `${route} requests answered with any other status (4xx but 429, 5xx)`);
      c(`${p}_connection_errors`, r.byClass['connection-error'], 'requests', `${route} requests that got no answer: the connection failed (refused, reset)`);
      c(`${p}_timeouts`, r.byClass.timeout, 'requests', `${route} requests unanswered within the request timeout`);
      c(`${p}_dropped`, r.dropped, 'requests', `${route} requests due while every in-flight slot was taken (not sent, never queued)`);
      for (const [status, n] of [...r.byStatus].sort(([a], [b]) => a - b)) c(`${p}_status_${status}`, n, 'requests', `${route} requests answered with HTTP ${status}`);
      if (r.latency.count > 0) {
        latencies[p] = latencyResult(r.latency, `${route}: the request's intended start (open-loop schedule) → its answer read; answers bindcar served (2xx and errors, not 429s)`);
        latencies[`${p}_service`] = latencyResult(r.service, `${route}: the request sent → its answer read (service time, without the wait for a late start); answers bindcar served (not 429s)`);
      }
      if (r.connectionCodes.size > 0) notes.push(`${route}: connection errors ${[...r.connectionCodes].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
    }
    c('bindcar_requests_sent', sent, 'requests', 'storm requests sent, every route');
    c('bindcar_requests_dropped', dropped, 'requests', 'storm requests due while every in-flight slot was taken (not sent, never queued)');
    c('bindcar_ok', totals.ok, 'requests', 'storm requests answered 2xx');
    c('bindcar_429', totals.limited, 'requests', "storm requests answered 429 by bindcar's per-client-IP rate limiter (counted apart from errors)");
    c('bindcar_errors', totals.error, 'requests', 'storm requests answered with any other non-2xx status');
    c('bindcar_connection_errors', totals['connection-error'], 'requests', 'storm requests that got no answer: the connection failed');
    c('bindcar_timeouts', totals.timeout, 'requests', 'storm requests unanswered within the request timeout');
    if (this.#clients.length > 0) {
      const oks = this.#clients.map((x) => x.ok);
      const lim = this.#clients.map((x) => x.limited);
      c('bindcar_client_ok_min', Math.min(...oks), 'requests', 'the fewest 2xx answers any one client got (each client its own address on loopback)');
      c('bindcar_client_ok_max', Math.max(...oks), 'requests', 'the most 2xx answers any one client got');
      c('bindcar_client_429_min', Math.min(...lim), 'requests', 'the fewest 429s any one client got');
      c('bindcar_client_429_max', Math.max(...lim), 'requests', 'the most 429s any one client got');
    }
    const series = (name: string, pick: (s: Second) => number, description: string): StormFigures['timeSeries'][number] => ({
      name,
      unit: '1/s',
      description,
      points: this.#seconds.map((s, i) => ({ t: (i + 1) * 1000, value: pick(s) })),
    });
    const timeSeries = [
      series('bindcar_ok_per_second', (s) => s.ok, 'storm requests answered 2xx, by the second of their intended start (t: that second\'s end, from the storm\'s start)'),
      series('bindcar_429_per_second', (s) => s.limited, 'storm requests answered 429 by bindcar\'s rate limiter, by the second of their intended start'),
      series('bindcar_failed_per_second', (s) => s.failed, 'storm requests answered with an error, or with no answer (connection error, timeout), by the second of their intended start'),
    ];
    return { latencies, counters: counters.toJSON(), timeSeries, notes };
  }
}

/** The storm route a bindcar request path names for one of `zones`, by method; undefined for any other request (setup, teardown, server-wide routes). */
export function routeOfPath(method: string, path: string, zones: ReadonlySet<string>): string | undefined {
  const m = /^\/api\/v1\/zones\/([^/]+)(?:\/([a-z]+))?$/.exec(path);
  if (m === null || !zones.has(decodeURIComponent(m[1] ?? ''))) return undefined;
  const sub = m[2];
  if (sub === undefined) return method === 'GET' ? 'zone_get' : undefined;
  if (sub === 'status' && method === 'GET') return 'zone_status';
  if ((sub === 'reload' || sub === 'notify') && method === 'POST') return sub;
  if (sub === 'records') return method === 'POST' ? 'record_add' : method === 'DELETE' ? 'record_remove' : undefined;
  return undefined;
}

/** One sample of `bindcar_http_requests_total` as a cross-check reads it. */
export interface RequestCountSample {
  labels: Record<string, string>;
  value: number;
}

/**
 * bindcar's own count of the storm's requests to the run's zones, per `route status`, from the
 * deltas of `bindcar_http_requests_total{method,path,status}` between two scrapes (pure).
 */
export function bindcarCounts(before: readonly RequestCountSample[], after: readonly RequestCountSample[], zones: ReadonlySet<string>): Map<string, number> {
  const key = (s: RequestCountSample): string | undefined => {
    const route = routeOfPath(s.labels['method'] ?? '', s.labels['path'] ?? '', zones);
    return route === undefined ? undefined : `${route} ${s.labels['status'] ?? ''}`;
  };
  const out = new Map<string, number>();
  const add = (s: RequestCountSample, sign: number): void => {
    const k = key(s);
    if (k !== undefined) out.set(k, (out.get(k) ?? 0) + sign * s.value);
  };
  for (const s of after) add(s, 1);
  for (const s of before) add(s, -1);
  for (const [k, v] of out) if (v === 0) out.delete(k);
  return out;
}

/** The tool's count per `route status` (its `bindcar_<route>_status_<code>` counters) against bindcar's: each difference, as text. */
export function countDisagreements(tool: Readonly<Record<string, { value: number }>>, bindcar: ReadonlyMap<string, number>, routes: readonly string[]): string[] {
  const ours = new Map<string, number>();
  for (const [name, c] of Object.entries(tool)) {
    const m = /^bindcar_(.+)_status_(\d+)$/.exec(name);
    if (m !== null && routes.includes(m[1] ?? '')) ours.set(`${m[1] ?? ''} ${m[2] ?? ''}`, c.value);
  }
  const keys = [...new Set([...ours.keys(), ...bindcar.keys()])].sort();
  return keys.filter((k) => (ours.get(k) ?? 0) !== (bindcar.get(k) ?? 0)).map((k) => `${k}: the tool ${ours.get(k) ?? 0}, bindcar ${bindcar.get(k) ?? 0}`);
}

/** bindcar's own timing of one route or rndc command over the storm (bucket estimates, seconds; the mean is exact). */
export interface ServerTiming {
  name: string;
  count: number;
  p50: number | null;
  p99: number | null;
  mean: number | null;
}

function timingOf(name: string, windows: readonly ClassicHistogram[]): ServerTiming {
  // Windows of one route over many zones share bucket bounds: their counts add per bound.
  const byLe = new Map<number, number>();
  let count = 0;
  let sum = 0;
  for (const w of windows) {
    for (const b of w.buckets) byLe.set(b.le, (byLe.get(b.le) ?? 0) + b.count);
    count += w.count;
    sum += w.sum;
  }
  const buckets = [...byLe].map(([le, c]) => ({ le, count: c })).sort((a, b) => a.le - b.le);
  const q = (x: number): number | null => {
    const v = histogramQuantile(x, buckets);
    return Number.isNaN(v) ? null : v;
  };
  return { name, count, p50: q(0.5), p99: q(0.99), mean: count > 0 && Number.isFinite(sum) ? sum / count : null };
}

/**
 * What bindcar itself measured over the storm, from two scrapes of its /metrics (pure): per storm
 * route, `bindcar_http_request_duration_seconds` of the paths naming the run's zones (its whole
 * handling, 429s included); per rndc command, `bindcar_rndc_command_duration_seconds` (every
 * client's commands: bindcar does not label them by zone).
 */
export function serverTimings(before: readonly MetricSample[], after: readonly MetricSample[], zones: ReadonlySet<string>): { routes: ServerTiming[]; rndc: ServerTiming[] } {
  const http = histogramDelta(classicHistograms(before, 'bindcar_http_request_duration_seconds'), classicHistograms(after, 'bindcar_http_request_duration_seconds'));
  const byRoute = new Map<string, ClassicHistogram[]>();
  for (const w of http) {
    const route = routeOfPath(w.labels['method'] ?? '', w.labels['path'] ?? '', zones);
    if (route === undefined || w.count === 0) continue;
    byRoute.set(route, [...(byRoute.get(route) ?? []), w]);
  }
  const rndc = histogramDelta(classicHistograms(before, 'bindcar_rndc_command_duration_seconds'), classicHistograms(after, 'bindcar_rndc_command_duration_seconds'));
  return {
    routes: [...byRoute].sort(([a], [b]) => a.localeCompare(b)).map(([route, ws]) => timingOf(route, ws)),
    rndc: rndc.filter((w) => w.count > 0).map((w) => timingOf(w.labels['command'] ?? '?', [w])).sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** One line per timing, in ms: `reload n=20 p50 ≈ 45 ms p99 ≈ 98 ms mean 51.2 ms`. */
export function timingText(t: ServerTiming): string {
  const ms = (v: number | null): string => (v === null ? '-' : `${(v * 1000).toFixed(1)} ms`);
  return `${t.name} n=${t.count} p50 ≈ ${ms(t.p50)} p99 ≈ ${ms(t.p99)} mean ${ms(t.mean)}`;
}
