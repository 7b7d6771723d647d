/**
 * @module Findings and recommendations: rules that read a run result's measurements and say what a
 * bindy operator (or bindy's maintainers) can act on, each with a stable id, a severity and the
 * numbers that triggered it (pure: no I/O).
 */
import type { Finding, JsonValue, OperatorMetric, RunResult, Severity } from '../report/result/index.js';
import { linearFit } from './linear-fit.js';
import { readFigure } from './figures.js';

/** What {@link deriveFindings} returns: statements about the run, and advice. */
export interface FindingsReport {
  findings: Finding[];
  recommendations: Finding[];
}

// ---------------------------------------------------------------------------------------------
// Thresholds. Each is a named constant so a report can be traced back to the rule that fired.
// ---------------------------------------------------------------------------------------------

/**
 * Fewest backlog samples inside the create phase for a line to be fitted. The backlog is sampled
 * once a second; with fewer than 4 points R² is close to 1 by chance (2 points always fit), so a
 * burst shorter than about 4 s gets no backlog finding rather than a guessed one.
 */
export const backlogMinPoints = 4;
/** R² a backlog line must reach to call the growth "roughly linear": 0.8 leaves room for 1 s sampling jitter, not for a backlog that rose and fell. */
export const backlogMinR2 = 0.8;
/**
 * The backlog must grow at least this share of the create rate. Below it the operator absorbed
 * ≥ 90 % of what arrived, and a slow rise is the latency of the objects in flight, not a
 * throughput deficit.
 */
export const backlogMinShareOfCreateRate = 0.1;
/** Growth at or above this share of the create rate (the operator finished < half of what arrived) is high severity. */
export const backlogHighShareOfCreateRate = 0.5;
/**
 * API requests per created object above which the run is called amplified. A record costs bindy
 * about 5 requests of its own (create, finalizer patch, status patch, event, a zone patch of its
 * zoneRef); more than twice that means the per-zone reconcile (list all 8 kinds, patch every
 * selected record) is paid again and again: the O(N²) of TARGET.md.
 */
export const amplificationLimit = 10;
/** Three times the limit is high severity: most API traffic then is re-patching records already done. */
export const amplificationHighLimit = 30;
/** p99 more than this many times p50 is a long tail worth a look (a queue, a retry, a backoff). */
export const tailRatioLimit = 5;
/**
 * Fewest values a latency needs for the tail rule: with fewer, p99 is simply the maximum of a few
 * samples and the ratio says little.
 */
export const tailMinCount = 50;
/** p99 above 20 × p50 is high severity: some objects wait an order of magnitude longer than most. */
export const tailHighRatio = 20;
/**
 * Event-loop delay p99 (µs) above which the tool's own process limited the load. 10 ms is the
 * burst engine's `lateThresholdMs` default, the same limit its saturation notes use.
 */
export const saturationLagUs = 10_000;
/** Dispatch overhead p99 (µs) above which sending itself was slow: the same 10 ms. */
export const saturationOverheadUs = 10_000;
/** Failed objects at or above this share of creates started make a failure group high severity. */
export const failureHighShare = 0.01;

/**
 * Shortest stretch with no object turning Ready, while objects wait, that is called a stall: ten
 * 1 s rate windows in a row. Shorter gaps happen when the operator works through a zone's records
 * at once; the twin's and bindy's requeue after an error is 30 s, which a stall of that length shows.
 */
export const readyStallMinMs = 10_000;
/** A stall of a minute or more is high severity: the system stood still for as long as a quick run lasts. */
export const readyStallHighMs = 60_000;

/**
 * Memory growth (MiB/h) the leak rule compares with when the run's configuration names no
 * `criteria.maxMemoryGrowthMBPerHour`: bindy's maintainers' loosest target (the quick profile's).
 */
export const memoryGrowthDefaultLimitMiBPerHour = 100;
/**
 * Growth whose whole interval lies above this many times the limit is high severity: at the quick
 * profile's 100 MiB/h that is 500 MiB/h, bindy's 512 Mi memory limit in about an hour.
 */
export const memoryGrowthHighFactor = 5;

/** Latencies the tail rule looks at, in report order (the others are client-side timings). */
const tailLatencies = ['create_to_ready', 'update_to_ready', 'delete_to_gone', 'create_to_resolvable'] as const;

const severityOrder: Record<Severity, number> = { high: 0, medium: 1, low: 2, info: 3 };

/** A number for prose: 3 significant digits, integers as they are. */
function fmt(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? String(Math.round(v)) : String(Number(v.toPrecision(3)));
}

/** Rounds evidence to 4 significant digits so the JSON stays readable (the result keeps the exact figures elsewhere). */
function round(v: number): number {
  return Number.isInteger(v) ? v : Number(v.toPrecision(4));
}

function counter(r: RunResult, name: string): number | null {
  const c = r.counters[name];
  return c === undefined || !Number.isFinite(c.value) ? null : c.value;
}

/** `id` as a stable, lower-case, dash-separated token (for ids built from data such as failure reasons). */
function token(s: string): string {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** A number from the effective configuration at `path`, or null. */
function configNumber(r: RunResult, path: readonly string[]): number | null {
  let v: JsonValue | undefined = r.config.effective;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
    v = v[key];
  }
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

// ---------------------------------------------------------------------------------------------
// Rule: the client-side backlog grows linearly while creating.
// ---------------------------------------------------------------------------------------------

/**
 * The create phase is [0, accepted / create_rate]: `create_rate` is accepted creates over (last
 * create response − first create sent), so that quotient is the create phase's length. The backlog
 * series counts from the session start, a few ms before the first send (the watches are started
 * first), so the window ends slightly early, never late: a drain after the last create is never
 * mistaken for growth. Over that window a least-squares line backlog(t) = a + b·t is fitted; b in
 * objects/s is how much faster objects arrived than the operator made them Ready, and
 * create_rate − b is the rate the operator absorbed. The fit must explain most of the variance
 * (R² = 1 − SSR/SST ≥ {@link backlogMinR2}) for the growth to be called linear.
 */
function backlogRule(r: RunResult): Finding[] {
  const series = r.timeSeries.find((s) => s.name === 'client_side_backlog');
  const createRate = counter(r, 'create_rate');
  const accepted = counter(r, 'creates_accepted');
  if (series === undefined || createRate === null || accepted === null || createRate <= 0 || accepted <= 0) return [];
  const phaseMs = (accepted / createRate) * 1000;
  const points = series.points.filter((p) => p.t <= phaseMs).map((p) => ({ x: p.t / 1000, y: p.value }));
  if (points.length < backlogMinPoints) return [];
  // Slope and residuals only: no interval (which would load the t distribution for nothing).
  const fit = linearFit(points, null);
  if (fit === null || fit.residualStdDev === null) return [];
  const mean = points.reduce((a, p) => a + p.y, 0) / points.length;
  const sst = points.reduce((a, p) => a + (p.y - mean) ** 2, 0);
  if (sst === 0) return [];
  const r2 = 1 - (fit.residualStdDev ** 2 * (points.length - 2)) / sst;
  const share = fit.slope / createRate;
  if (!(fit.slope > 0 && r2 >= backlogMinR2 && share >= backlogMinShareOfCreateRate)) return [];
  const absorbed = Math.max(0, createRate - fit.slope);
  const peak = series.points.reduce((m, p) => Math.max(m, p.value), 0);
  return [
    {
      id: 'backlog-grows-during-creates',
      severity: share >= backlogHighShareOfCreateRate ? 'high' : 'medium',
      text:
        `The operator cannot keep up at this rate: the client-side backlog grew ${fmt(fit.slope)} objects/s while creating at ${fmt(createRate)}/s ` +
        `(linear fit over ${points.length} samples of the ${fmt(phaseMs / 1000)} s create phase, R² ${r2.toFixed(2)}); ` +
        `it absorbed about ${fmt(absorbed)} objects/s. Sustained load above that rate queues up without bound; ${operatorName(r, 'mid')} exposes no queue depth, so this is the tool's view.`,
      evidence: {
        backlog_growth_per_s: round(fit.slope),
        create_rate_per_s: round(createRate),
        absorbed_rate_per_s: round(absorbed),
        fit_r2: round(r2),
        fit_points: points.length,
        create_phase_s: round(phaseMs / 1000),
        backlog_peak: peak,
      },
    },
  ];
}

/**
 * A scheduled run (sustained): the backlog's slope over the steady phase says whether the system
 * kept up with the offered rate (see stability.ts for the verdict's rule).
 */
function backlogStabilityRule(r: RunResult): Finding[] {
  const slope = counter(r, 'backlog_slope');
  const growth = counter(r, 'backlog_growth');
  const bound = counter(r, 'backlog_growth_bound');
  const offered = counter(r, 'offered_rate');
  if (slope === null || growth === null || bound === null || offered === null) return [];
  const low = counter(r, 'backlog_slope_low') ?? slope;
  const high = counter(r, 'backlog_slope_high') ?? slope;
  const evidence = {
    backlog_slope_per_min: round(slope),
    slope_interval_low: round(low),
    slope_interval_high: round(high),
    growth_over_steady_phase: round(growth),
    growth_bound: round(bound),
    offered_rate_per_s: round(offered),
    sustained_ops_rate_per_s: counter(r, 'sustained_ops_rate') === null ? null : round(counter(r, 'sustained_ops_rate') ?? 0),
  };
  if (low > 0 && growth >= bound) {
    return [
      {
        id: 'backlog-growing',
        severity: 'high',
        text:
          `${operatorName(r)} cannot keep up at ${fmt(offered)} operations/s: the client-side backlog grew ${fmt(slope)} objects/min over the steady phase ` +
          `(95 % interval ${fmt(low)} to ${fmt(high)}; ${fmt(growth)} objects in all, above the ${fmt(bound)} allowed). At this rate it queues up without bound; ` +
          `${counter(r, 'sustained_ops_rate') === null ? '' : `it absorbed about ${fmt(counter(r, 'sustained_ops_rate') ?? 0)} operations/s. `}Find the rate it sustains with a lower --rate, or backpressure --mode step.`,
        evidence,
      },
    ];
  }
  return [
    {
      id: 'backlog-stable',
      severity: 'info',
      text: `${operatorName(r)} kept up at ${fmt(offered)} operations/s: the client-side backlog did not grow over the steady phase (slope ${fmt(slope)} objects/min, 95 % interval ${fmt(low)} to ${fmt(high)}).`,
      evidence,
    },
  ];
}

/**
 * How findings name the operator: the sandbox runs the tool's own twin, not bindy, so what it
 * shows is said of the twin. `start`: at the start of a sentence.
 */
export function operatorName(r: RunResult, at: 'start' | 'mid' = 'start'): string {
  if (r.metadata.target.kind !== 'sandbox') return 'bindy';
  return at === 'start' ? 'The operator (sandbox twin)' : 'the operator (sandbox twin)';
}

// ---------------------------------------------------------------------------------------------
// Rule: the Ready rate stalls while the backlog stays up.
// ---------------------------------------------------------------------------------------------

/** The events a rate series counts inside [fromMs, toMs]: each point's rate times the part of its window (previous point to it) inside. */
function eventsWithin(series: RunResult['timeSeries'][number], fromMs: number, toMs: number): number {
  let total = 0;
  let prev: number | null = null;
  for (const p of series.points) {
    const start = prev ?? p.t;
    prev = p.t;
    const overlap = Math.min(p.t, toMs) - Math.max(start, fromMs);
    if (overlap > 0) total += (p.value * overlap) / 1000;
  }
  return total;
}

/** The longest stretch of zero-Ready windows during which every backlog sample was above 0, with how many such stretches there were. */
function longestStall(ready: RunResult['timeSeries'][number], backlog: RunResult['timeSeries'][number]): { fromMs: number; toMs: number; backlogMin: number; backlogMax: number; count: number } | null {
  const stalls: { fromMs: number; toMs: number }[] = [];
  let prevT = 0;
  let open: { fromMs: number; toMs: number } | null = null;
  for (const p of ready.points) {
    if (p.value === 0) {
      if (open === null) open = { fromMs: prevT, toMs: p.t };
      else open.toMs = p.t;
    } else if (open !== null) {
      stalls.push(open);
      open = null;
    }
    prevT = p.t;
  }
  if (open !== null) stalls.push(open);
  const waiting = stalls
    .filter((st) => st.toMs - st.fromMs >= readyStallMinMs)
    .map((st) => ({ ...st, samples: backlog.points.filter((b) => b.t >= st.fromMs && b.t <= st.toMs).map((b) => b.value) }))
    .filter((st) => st.samples.length > 0 && st.samples.every((v) => v > 0));
  const longest = [...waiting].sort((a, b) => b.toMs - b.fromMs - (a.toMs - a.fromMs))[0];
  if (longest === undefined) return null;
  return { fromMs: longest.fromMs, toMs: longest.toMs, backlogMin: Math.min(...longest.samples), backlogMax: Math.max(...longest.samples), count: waiting.length };
}

/**
 * No object turned Ready for at least {@link readyStallMinMs} while the client-side backlog stayed
 * above 0: the system stood still with work waiting. The finding names what the tool saw in that
 * stretch (bindcar's rate limiter answering 429, operator errors, reconciles), or that it saw
 * nothing that explains it, rather than leaving a flat line to be noticed on a chart.
 */
function readyStallRule(r: RunResult): Finding[] {
  const series = (name: string): RunResult['timeSeries'][number] | undefined => r.timeSeries.find((s) => s.name === name && s.points.length > 0);
  const ready = series('ready_per_second');
  const backlog = series('client_side_backlog');
  if (ready === undefined || backlog === undefined) return [];
  const stall = longestStall(ready, backlog);
  if (stall === null) return [];
  const op = operatorName(r, 'mid');
  const lengthMs = stall.toMs - stall.fromMs;
  const seen = (name: string): number | null => {
    const s = series(name);
    return s === undefined ? null : eventsWithin(s, stall.fromMs, stall.toMs);
  };
  const limited = seen('bindcar_rate_limited_per_second');
  const errors = seen('operator_errors_per_second');
  const reconciles = seen('operator_reconciles_per_second');
  const causes: string[] = [];
  const quiet: string[] = [];
  if (limited === null) quiet.push("bindcar's 429s were not observed (its metrics were not scraped)");
  else if (limited >= 0.5) causes.push(`bindcar's rate limiter answered about ${fmt(Math.round(limited))} requests with 429 Too Many Requests`);
  else quiet.push('bindcar answered no request with 429');
  if (errors === null) quiet.push(`${op}'s errors were not observed`);
  else if (errors >= 0.5) causes.push(`${op} counted about ${fmt(Math.round(errors))} reconcile errors`);
  else quiet.push(`${op} counted no errors`);
  const reconcileText = reconciles === null ? '' : ` ${operatorName(r)} ran about ${fmt(Math.round(reconciles))} reconciles in that time.`;
  const seenText =
    causes.length > 0
      ? `At that time ${causes.join(', and ')}${quiet.length > 0 ? ` (${quiet.join('; ')})` : ''}.`
      : `Nothing the tool observed explains it: ${quiet.join('; ')}.`;
  return [
    {
      id: 'ready-rate-stall',
      severity: lengthMs >= readyStallHighMs ? 'high' : 'medium',
      text:
        `No object became Ready for ${fmt(lengthMs / 1000)} s (from ${fmt(stall.fromMs / 1000)} s to ${fmt(stall.toMs / 1000)} s of the run) while ` +
        `${stall.backlogMin === stall.backlogMax ? stall.backlogMin : `${stall.backlogMin} to ${stall.backlogMax}`} objects waited (client-side backlog). ${seenText}${reconcileText}` +
        `${stall.count > 1 ? ` ${stall.count} such stalls in all; this is the longest.` : ''}`,
      evidence: {
        stall_s: round(lengthMs / 1000),
        from_s: round(stall.fromMs / 1000),
        to_s: round(stall.toMs / 1000),
        backlog_min: stall.backlogMin,
        backlog_max: stall.backlogMax,
        bindcar_429s: limited === null ? null : Math.round(limited),
        operator_errors: errors === null ? null : Math.round(errors),
        operator_reconciles: reconciles === null ? null : Math.round(reconciles),
        stalls: stall.count,
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Rule: the operator's memory grows steadily (a leak).
// ---------------------------------------------------------------------------------------------

/**
 * The memory-growth figure (least-squares slope of operator RSS over the steady phase, with its
 * 95 % interval; see figures.ts) with the whole interval above the limit: the run's own
 * `criteria.maxMemoryGrowthMBPerHour`, else {@link memoryGrowthDefaultLimitMiBPerHour}. The
 * interval, not the slope alone, must clear it, so GC noise on a flat series never fires it. On the
 * sandbox the criterion is not judged (the operator is the tool's twin) but this finding still says
 * what the twin's memory did: that is how an injected leak is seen.
 */
function memoryGrowthRule(r: RunResult): Finding[] {
  const f = readFigure(r, 'memory_growth');
  if (f.value === null || f.interval === undefined) return [];
  const limit = configNumber(r, ['criteria', 'maxMemoryGrowthMBPerHour']) ?? memoryGrowthDefaultLimitMiBPerHour;
  const { low, high } = f.interval;
  if (!(low > limit)) return [];
  const mib = 1_000_000 / 1_048_576;
  const lastMB = r.operator.find((m) => m.name === 'process_memory' && m.labels === undefined)?.values['last'];
  const lastMiB = typeof lastMB === 'number' ? lastMB * mib : null;
  const maxMiB = configNumber(r, ['criteria', 'maxMemoryMB']);
  const hoursToMax = lastMiB !== null && maxMiB !== null && maxMiB > lastMiB ? (maxMiB - lastMiB) / f.value : null;
  const sandbox = r.metadata.target.kind === 'sandbox';
  return [
    {
      id: 'operator-memory-growing',
      severity: low > memoryGrowthHighFactor * limit ? 'high' : 'medium',
      text:
        `${operatorName(r)}'s memory grew ${fmt(f.value)} MiB/h over the steady phase (95 % interval ${fmt(low)} to ${fmt(high)} MiB/h), above ${fmt(limit)} MiB/h` +
        `${sandbox ? ' (on the sandbox reported, not judged: the operator is the tool\'s twin)' : ''}.` +
        `${hoursToMax === null ? '' : ` From its last ${fmt(lastMiB ?? 0)} MiB it would reach ${fmt(maxMiB ?? 0)} MiB in about ${fmt(hoursToMax)} h.`}` +
        ' A steady rise is a leak or a cache that grows without bound; a longer run tells them apart (a cache levels off, a leak does not).',
      evidence: {
        slope_mib_per_h: round(f.value),
        interval_low: round(low),
        interval_high: round(high),
        limit_mib_per_h: round(limit),
        last_rss_mib: lastMiB === null ? null : round(lastMiB),
        hours_to_memory_limit: hoursToMax === null ? null : round(hoursToMax),
        method: f.method,
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Rule: many API requests per created object.
// ---------------------------------------------------------------------------------------------

function amplificationRule(r: RunResult): Finding[] {
  const a = r.apiAmplification;
  if (a === null || a.requestsPerObject === null || a.requestsPerObject <= amplificationLimit) return [];
  const top = [...a.requests].sort((x, y) => y.count - x.count)[0];
  const records = configNumber(r, ['scenarios', r.metadata.scenario, 'records']);
  const zones = configNumber(r, ['scenarios', r.metadata.scenario, 'zones']);
  const perZone = records !== null && zones !== null && zones > 0 ? records / zones : null;
  const total = a.requests.reduce((s, x) => s + x.count, 0);
  const topText = top === undefined ? '' : ` The most frequent request was ${top.verb} ${top.resource} (${top.count}, ${fmt((100 * top.count) / Math.max(1, total))} % of all).`;
  return [
    {
      id: 'api-amplification-high',
      severity: a.requestsPerObject > amplificationHighLimit ? 'high' : 'medium',
      text:
        `${fmt(a.requestsPerObject)} API requests per created object (${a.objectsCreated} objects${perZone === null ? '' : `, ${fmt(perZone)} records per zone`}), ` +
        `more than ${amplificationLimit}.${topText} ${operatorName(r)} re-runs the zone reconcile on every record event, and each one lists all 8 record kinds ` +
        `and patches every selected record: about O(N²) calls for N records in one zone. Fewer records per zone, or a zone reconcile that patches only changed records, cuts it.`,
      evidence: {
        requests_per_object: round(a.requestsPerObject),
        objects_created: a.objectsCreated,
        requests_total: total,
        top_request: top === undefined ? null : `${top.verb} ${top.resource}`,
        top_request_count: top?.count ?? null,
        records_per_zone: perZone === null ? null : round(perZone),
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Rule: p99 far above p50.
// ---------------------------------------------------------------------------------------------

function tailRule(r: RunResult): Finding[] {
  const out: Finding[] = [];
  for (const name of tailLatencies) {
    const l = r.latencies[name];
    const s = l?.summary;
    if (l === undefined || s === undefined || s.count < tailMinCount || s.p50 === null || s.p99 === null || s.p50 <= 0) continue;
    const ratio = s.p99 / s.p50;
    if (ratio <= tailRatioLimit) continue;
    // The kind with the slowest p99, when the latency is broken down per kind.
    const kinds = Object.entries(l.byKind ?? {}).filter(([, k]) => k.summary.p99 !== null && k.summary.count > 0);
    const worst = kinds.sort(([, a], [, b]) => (b.summary.p99 ?? 0) - (a.summary.p99 ?? 0))[0];
    out.push({
      id: `long-tail-${name.replace(/_/g, '-')}`,
      severity: ratio > tailHighRatio ? 'high' : 'medium',
      text:
        `${name} has a long tail: p99 ${fmt(s.p99 / 1000)} ms is ${fmt(ratio)}× the p50 of ${fmt(s.p50 / 1000)} ms (limit ${tailRatioLimit}×).` +
        `${worst === undefined ? '' : ` Slowest kind at p99: ${worst[0]} (${fmt((worst[1].summary.p99 ?? 0) / 1000)} ms).`}` +
        ` Typical causes: a queue in front of the workers, a requeue after an error (30 s in ${operatorName(r, 'mid')}), bindcar backoff; worth a look.`,
      evidence: {
        latency: name,
        count: s.count,
        p50_ms: round(s.p50 / 1000),
        p99_ms: round(s.p99 / 1000),
        max_ms: s.max === null ? null : round(s.max / 1000),
        p99_over_p50: round(ratio),
        slowest_kind: worst?.[0] ?? null,
      },
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rule: seed-listed operator metrics bindy does not expose or never updates.
// ---------------------------------------------------------------------------------------------

/** Advice for bindy's maintainers per quantity of the seed's metric list, and the states it applies to. */
interface MetricAdvice {
  states: readonly OperatorMetric['state'][];
  severity: Severity;
  /** What to say, given the run (so the text can cite what the tool had to use instead). */
  text: (r: RunResult, rows: readonly OperatorMetric[]) => string;
  evidence: (r: RunResult, rows: readonly OperatorMetric[]) => Finding['evidence'];
}

function reconcileCount(r: RunResult): number | null {
  const rows = r.operator.filter((o) => o.name === 'reconcile_total' && o.labels === undefined);
  const all = rows.length > 0 ? rows : r.operator.filter((o) => o.name === 'reconcile_total');
  const counts = all.map((o) => o.values['count']).filter((v): v is number => typeof v === 'number');
  return counts.length === 0 ? null : Math.max(...counts);
}

function backlogPeak(r: RunResult): number | null {
  const s = r.timeSeries.find((t) => t.name === 'client_side_backlog');
  return s === undefined || s.points.length === 0 ? null : s.points.reduce((m, p) => Math.max(m, p.value), 0);
}

/**
 * Only quantities whose absence is a defect are listed: `errors` never moving just means no
 * reconcile failed, and `managed_zones` stays flat when the zones already existed.
 */
const metricAdvice: Readonly<Record<string, MetricAdvice>> = {
  queue_depth: {
    states: ['missing'],
    severity: 'medium',
    text: (r) => {
      const peak = backlogPeak(r);
      return (
        `${operatorName(r)} exposes no work-queue depth metric, so nobody can see from the operator side how far behind it is` +
        `${peak === null ? '' : ` (this run had to stand in its own client-side backlog, peak ${peak} objects)`}. ` +
        'Expose a gauge of queued reconcile requests per controller (resource_type).'
      );
    },
    evidence: (r) => ({ metric: 'queue_depth', state: 'missing', client_side_backlog_peak: backlogPeak(r) }),
  },
  retries: {
    states: ['never-updated', 'missing'],
    severity: 'low',
    text: (r) => {
      const n = reconcileCount(r);
      return (
        `bindy_firestoned_io_requeues_total never moved${n === null ? '' : ` although ${n} reconciles ran`}, and ${operatorName(r, 'mid')} requeues after every reconcile ` +
        '(300 s when Ready, 30 s when not or on error). Increment it where the requeue is scheduled (with a reason label), or remove it from the documented metrics.'
      );
    },
    evidence: (r, rows) => ({ metric: 'bindy_firestoned_io_requeues_total', state: rows[0]?.state ?? null, reconciles: reconcileCount(r) }),
  },
  managed_records: {
    states: ['missing'],
    severity: 'low',
    text: (r) =>
      `${operatorName(r)} has no count of the records it manages (bindy_firestoned_io_resources_active is only ever decremented, so it goes negative). ` +
      'Increment it when a resource is first reconciled so it is a real gauge.',
    evidence: () => ({ metric: 'managed_records', state: 'missing', bindy_metric: 'bindy_firestoned_io_resources_active' }),
  },
  reconcile_duration: {
    states: ['never-updated', 'missing'],
    severity: 'high',
    text: (r) => `bindy_firestoned_io_reconciliation_duration_seconds did not move during a run that created objects: reconciles are not timed, or ${operatorName(r, 'mid')} did not reconcile them.`,
    evidence: (_r, rows) => ({ metric: 'bindy_firestoned_io_reconciliation_duration_seconds', state: rows[0]?.state ?? null }),
  },
  reconcile_total: {
    states: ['never-updated', 'missing'],
    severity: 'high',
    text: (r) => `bindy_firestoned_io_reconciliations_total did not move during a run that created objects: reconciles are not counted, or ${operatorName(r, 'mid')} did not reconcile them.`,
    evidence: (_r, rows) => ({ metric: 'bindy_firestoned_io_reconciliations_total', state: rows[0]?.state ?? null }),
  },
};

/**
 * A quantity is flagged only when no row of it is `present` (rows are per label set, so one idle
 * resource_type is not a gap) and when it was actually looked for: a row whose method starts with
 * "not observed:" had no scrape source, which says nothing about bindy.
 */
function operatorMetricRule(r: RunResult): Finding[] {
  const created = counter(r, 'creates_accepted') ?? r.apiAmplification?.objectsCreated ?? 0;
  const out: Finding[] = [];
  for (const [name, advice] of Object.entries(metricAdvice)) {
    const rows = r.operator.filter((o) => o.name === name);
    if (rows.length === 0 || rows.some((o) => o.state === 'present' || o.method.startsWith('not observed:'))) continue;
    if (!rows.every((o) => advice.states.includes(o.state))) continue;
    // Reconcile metrics can only be expected to move when the run created something.
    if ((name === 'reconcile_duration' || name === 'reconcile_total') && created <= 0) continue;
    out.push({ id: `bindy-metric-${name.replace(/_/g, '-')}-${rows[0]?.state ?? 'missing'}`, severity: advice.severity, text: advice.text(r, rows), evidence: advice.evidence(r, rows) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rule: the load generator itself was saturated.
// ---------------------------------------------------------------------------------------------

/** What the burst engine writes into notes when it detected its own saturation (src/drive/burst-measure.ts). */
const saturationNotePrefix = 'load generator saturation:';

function saturationRule(r: RunResult): { findings: Finding[]; recommendations: Finding[] } {
  const lag = counter(r, 'event_loop_lag_p99');
  const lagMax = counter(r, 'event_loop_lag_max');
  const overhead = r.latencies['dispatch_overhead']?.summary.p99 ?? null;
  const slip = r.latencies['schedule_slip']?.summary.p99 ?? null;
  const late = counter(r, 'late_starts_no_slot');
  const notes = r.notes.filter((n) => n.startsWith(saturationNotePrefix));
  const reasons: string[] = [];
  if (lag !== null && lag > saturationLagUs) reasons.push(`event-loop delay p99 ${fmt(lag / 1000)} ms > ${saturationLagUs / 1000} ms`);
  if (overhead !== null && overhead > saturationOverheadUs) reasons.push(`dispatch overhead p99 ${fmt(overhead / 1000)} ms > ${saturationOverheadUs / 1000} ms`);
  if (reasons.length === 0 && notes.length > 0) reasons.push(...notes.map((n) => n.slice(saturationNotePrefix.length).trim()));
  if (reasons.length === 0) return { findings: [], recommendations: [] };
  const evidence: Finding['evidence'] = {
    event_loop_lag_p99_ms: lag === null ? null : round(lag / 1000),
    event_loop_lag_max_ms: lagMax === null ? null : round(lagMax / 1000),
    dispatch_overhead_p99_ms: overhead === null ? null : round(overhead / 1000),
    schedule_slip_p99_ms: slip === null ? null : round(slip / 1000),
    late_starts_no_slot: late,
    host_cpus: r.metadata.host.cpus,
  };
  const sandbox = r.metadata.target.kind === 'sandbox';
  return {
    findings: [
      {
        id: 'load-generator-saturated',
        severity: 'medium',
        text:
          `The load generator itself was saturated (${reasons.join('; ')}): creates went out later than planned and every latency includes the tool's own delay, ` +
          `so the run understates the system: the load offered was lower, and the latencies higher, than the figures say about ${operatorName(r, 'mid')}.`,
        evidence,
      },
    ],
    recommendations: [
      {
        id: 'rerun-with-generator-headroom',
        severity: 'low',
        text:
          `Rerun with headroom for the load generator: lower --concurrency or --qps, or more free cores (this host has ${r.metadata.host.cpus})` +
          `${sandbox ? '; the sandbox\'s parts share these cores with the tool, so a run against a cluster separates them' : ''}.`,
        evidence,
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Rule: failures grouped by reason.
// ---------------------------------------------------------------------------------------------

function failureRule(r: RunResult): Finding[] {
  const groups = new Map<string, RunResult['failures']>();
  for (const f of r.failures) {
    const key = `${f.phase}\u0000${f.reason}`;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [f]);
    else g.push(f);
  }
  const started = counter(r, 'creates_started');
  const out: Finding[] = [];
  for (const g of groups.values()) {
    const first = g[0];
    if (first === undefined) continue;
    const kinds = new Map<string, number>();
    for (const f of g) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
    const kindText = [...kinds].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).map(([k, n]) => `${k} ${n}`).join(', ');
    // The most common last condition reason: what the operator said about these objects.
    const conditions = new Map<string, number>();
    for (const f of g) {
      const c = f.lastCondition;
      const k = c === null ? '(none)' : `${c.type}=${c.status}${c.reason === undefined ? '' : `/${c.reason}`}`;
      conditions.set(k, (conditions.get(k) ?? 0) + 1);
    }
    const [topCondition, topConditionCount] = [...conditions].sort(([a, x], [b, y]) => y - x || a.localeCompare(b))[0] ?? ['(none)', 0];
    const share = started !== null && started > 0 ? g.length / started : null;
    out.push({
      id: `failures-${token(first.phase)}-${token(first.reason)}`,
      severity: share === null || share >= failureHighShare ? 'high' : 'medium',
      text:
        `${g.length} object${g.length === 1 ? '' : 's'} failed ${first.phase} with ${first.reason}${share === null ? '' : ` (${fmt(100 * share)} % of creates started)`}: ${kindText}. ` +
        `Most common last condition: ${topCondition} (${topConditionCount}); e.g. ${first.kind} ${first.namespace === undefined ? '' : `${first.namespace}/`}${first.name}: ${first.message}`,
      evidence: {
        phase: first.phase,
        reason: first.reason,
        objects: g.length,
        share_of_creates: share === null ? null : round(share),
        kinds: kindText,
        top_last_condition: topCondition,
        example: `${first.kind} ${first.name}`,
      },
    });
  }
  return out;
}

function bySeverity(a: Finding, b: Finding): number {
  return severityOrder[a.severity] - severityOrder[b.severity] || a.id.localeCompare(b.id);
}

/**
 * Every rule applied to `result`: findings (what the run shows) and recommendations (what to
 * change, in bindy or in how the test was run), each sorted by severity then id. Rules that lack
 * their inputs stay silent; none of them guesses.
 */
export function deriveFindings(result: RunResult): FindingsReport {
  const saturation = saturationRule(result);
  const findings = [...backlogRule(result), ...backlogStabilityRule(result), ...readyStallRule(result), ...amplificationRule(result), ...memoryGrowthRule(result), ...tailRule(result), ...saturation.findings, ...failureRule(result)];
  const recommendations = [...operatorMetricRule(result), ...saturation.recommendations];
  return { findings: findings.sort(bySeverity), recommendations: recommendations.sort(bySeverity) };
}
