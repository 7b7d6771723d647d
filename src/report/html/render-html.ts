/**
 * @module The self-contained HTML report, rendered from the JSON run result alone (pure: result
 * and chart library text in, one HTML string out). Every chart's data is computed here from the
 * result (percentile curves and distributions from the decoded HDR histograms, time series as
 * stored) and embedded as JSON; the inlined uPlot draws it, so the file opens with no network.
 */
import { apiResponsesText, quietWindowText } from '../chaos-text.js';
import { phaseLines, timelineColumns, timelineRows } from '../e2e-story.js';
import { toolVersion } from '../../version.js';
import { readFigure } from '../../judge/figures.js';
import { histogramOf } from '../result/index.js';
import type { ChaosInvariant, CriterionVerdict, Finding, JsonValue, LatencyResult, RunResult } from '../result/index.js';
import type { HistogramSummary } from '../../measure/index.js';
import type { ChartAssets } from './chart-assets.js';
import type { ChartBand, ChartSpec } from './chart-spec.js';
import { clientScript } from './client-script.js';
import { escapeHtml, inlineScript, inlineStyle, jsonForScript } from './escape.js';
import { formatMicros, formatNumber, formatWithUnit } from './format.js';
import { latencyDistribution, percentileCurve } from './latency-charts.js';
import type { PercentileCurve } from './latency-charts.js';
import { seriesFigures } from './series-groups.js';
import { verdictLine, verdictOf } from '../verdict-line.js';
import { configuredIn, displayValue, labelsText, operatorValue, unitsConvention } from '../units.js';

/** Options of {@link renderHtml}. */
export interface HtmlReportOptions {
  /** At most this many failure rows are listed (default 200); the rest are counted, and all are in result.json. */
  maxFailures?: number;
}

const e = escapeHtml;

/** A table from a header and rows of cells that are already HTML. */
function table(header: readonly string[], rows: readonly (readonly string[])[], numeric: readonly number[] = []): string {
  const th = header.map((h, i) => `<th${numeric.includes(i) ? ' class="num"' : ''}>${e(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${numeric.includes(i) ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`).join('\n');
  // The box scrolls a wide table sideways by itself, so the page never does.
  return `<div class="table-box"><table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** The "how this was measured" line under a figure or table. */
function how(text: string): string {
  return `<p class="how"><span>How this was measured:</span> ${e(text)}</p>`;
}

/** A chart placeholder the browser script draws into. */
function chartDiv(spec: ChartSpec, caption: string): string {
  return `<figure><div class="chart" id="chart-${e(spec.id)}" role="img" aria-label="${e(caption)}"></div><figcaption>${e(caption)}</figcaption>`;
}

function absentNote(text: string): string {
  return `<p class="absent">${e(text)}</p>`;
}

function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${e(title)}</h2>\n${body}\n</section>`;
}

function summaryRow(label: string, s: HistogramSummary): string[] {
  const oor = s.outOfRange;
  const out = oor.below + oor.above + oor.invalid;
  return [
    e(label),
    String(s.count),
    ...[s.min, s.p50, s.p90, s.p95, s.p99, s.p999, s.max, s.mean].map((v) => e(formatMicros(v))),
    out === 0 ? '0' : e(`${out} (below ${oor.below}, above ${oor.above}, invalid ${oor.invalid})`),
  ];
}

const latencyHeader = ['', 'count', 'min', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max', 'mean', 'not recorded'];

function overviewSection(r: RunResult): string {
  const m = r.metadata;
  const verdicts = { pass: 0, fail: 0, 'not-measured': 0 };
  for (const c of r.criteria) verdicts[c.verdict]++;
  const rows: [string, string][] = [
    ['status', m.status],
    ['scenario', m.scenario],
    ['profile', m.profile ?? '(none)'],
    ['run id', m.runId],
    ['target', `${m.target.kind}: ${m.target.description}`],
    ['started', m.startedAt],
    ['ended', m.endedAt ?? '(did not finish)'],
    ['duration', m.durationMs === null ? '— (did not finish)' : `${(m.durationMs / 1000).toFixed(1)} s`],
    ['criteria', r.criteria.length === 0 ? 'none judged' : `${verdicts.pass} passed, ${verdicts.fail} failed, ${verdicts['not-measured']} not measured`],
    ['failures', String(r.failures.length)],
    ['seed', String(m.seed)],
    ['command', m.commandLine.join(' ')],
    ['tool', `bindy-loadtest ${m.toolVersion}`],
    ['host', `${m.host.hostname}: ${m.host.platform} ${m.host.arch}, ${m.host.cpus} CPUs, ${formatWithUnit(m.host.memoryBytes, 'bytes')}, Node ${m.host.nodeVersion}`],
  ];
  const headline: string[] = [];
  for (const [name, entry] of Object.entries(r.latencies)) {
    if (entry.summary.count > 0) headline.push(`${name} p50 ${formatMicros(entry.summary.p50)}, p99 ${formatMicros(entry.summary.p99)} (n=${entry.summary.count})`);
  }
  return section(
    'summary',
    'Summary',
    `<div class="status status-${e(m.status)}">${e(m.status)}</div>` +
      `<div class="table-box"><table class="kv"><tbody>${rows.map(([k, v]) => `<tr><th>${e(k)}</th><td>${e(v)}</td></tr>`).join('')}</tbody></table></div>` +
      (headline.length > 0 ? `<ul class="headline">${headline.map((h) => `<li>${e(h)}</li>`).join('')}</ul>` : '') +
      how('durations from the tool\'s monotonic clock (performance.now()); started/ended are the wall-clock anchors of the run.'),
  );
}

function verdictSection(criteria: readonly CriterionVerdict[]): string {
  if (criteria.length === 0) return section('verdicts', 'Verdicts', absentNote('No success criteria were judged in this run (the result has no criteria).'));
  const rows = criteria.map((c) => [
    `<span class="verdict verdict-${e(c.verdict)}">${e(c.verdict)}</span>`,
    `<code>${e(c.metric)}</code>`,
    e(formatWithUnit(c.observed, c.unit)),
    e(`${c.comparison} ${formatWithUnit(c.limit, c.unit)}${configuredIn(c.limit, c.unit)}`),
    e(c.reason),
    `<span class="method">${e(c.method)}</span>`,
  ]);
  return section('verdicts', 'Verdicts', table(['verdict', 'metric', 'observed', 'limit', 'reason', 'how measured'], rows) +
    how('each criterion compares the observed figure with its limit; "not-measured" means the figure could not be measured (reason given), never that it passed.'));
}

/** Percentile curves of the whole latency and of each kind, on one nines axis. */
function curveChart(id: string, curves: readonly { label: string; curve: PercentileCurve }[]): ChartSpec {
  const xs = [...new Set(curves.flatMap((c) => c.curve.points.map((p) => p.nines)))].sort((a, b) => a - b);
  return {
    id,
    kind: 'curve',
    xLabel: 'percentile',
    yLabel: 'ms',
    x: xs,
    series: curves.map(({ label, curve }) => {
      const at = new Map(curve.points.map((p) => [p.nines, p.us / 1000]));
      return { label, values: xs.map((x) => at.get(x) ?? null) };
    }),
  };
}

function latencySection(r: RunResult, charts: ChartSpec[]): string {
  const entries = Object.entries(r.latencies);
  if (entries.length === 0) return section('latencies', 'Latency distributions', absentNote('This result holds no latency measurements.'));
  const parts: string[] = [];
  let n = 0;
  for (const [name, entry] of entries) {
    const id = `lat-${n++}`;
    parts.push(`<h3 id="${id}">${e(name)}</h3>`);
    if (entry.description !== undefined) parts.push(`<p>${e(entry.description)}</p>`);
    const rows = [summaryRow('all', entry.summary)];
    for (const [kind, k] of Object.entries(entry.byKind ?? {})) rows.push(summaryRow(kind, k.summary));
    parts.push(table(latencyHeader, rows, [1, 2, 3, 4, 5, 6, 7, 8, 9]));
    parts.push(latencyFigures(id, name, entry, charts));
    parts.push(how(`${entry.method}. HDR histogram recorded in µs, 1 µs – 1 h, 3 significant digits; "not recorded" counts values outside that range or invalid (never clamped).`));
  }
  return section('latencies', 'Latency distributions', parts.join('\n'));
}

function latencyFigures(id: string, name: string, entry: LatencyResult, charts: ChartSpec[]): string {
  if (entry.summary.count === 0) return absentNote(`No ${name} values were recorded, so there is no distribution to draw.`);
  const h = histogramOf(entry);
  const out: string[] = [];
  const dist = latencyDistribution(h);
  if (dist !== null) {
    const spec: ChartSpec = {
      id: `${id}-dist`,
      kind: 'bars',
      xLabel: `latency bin (${dist.log ? 'log-spaced' : 'evenly spaced'})`,
      yLabel: 'values',
      x: dist.bins.map((_b, i) => i),
      xLabels: dist.bins.map((b) => `${formatMicros(b.lo)} – ${formatMicros(b.hi)}`),
      series: [{ label: name, values: dist.bins.map((b) => b.count) }],
    };
    charts.push(spec);
    out.push(chartDiv(spec, `${name}: how many values fell in each latency bin (${dist.bins.length} ${dist.log ? 'log-spaced' : 'evenly spaced'} bins from min to max; counts at HDR bucket resolution)`));
  }
  const curves: { label: string; curve: PercentileCurve }[] = [];
  const all = percentileCurve(h);
  if (all !== null) curves.push({ label: 'all', curve: all });
  for (const [kind, k] of Object.entries(entry.byKind ?? {})) {
    if (k.summary.count === 0) continue;
    const c = percentileCurve(histogramOf(k));
    if (c !== null) curves.push({ label: kind, curve: c });
  }
  if (curves.length > 0) {
    const spec = curveChart(`${id}-curve`, curves);
    charts.push(spec);
    out.push(
      chartDiv(
        spec,
        `${name}: latency at each percentile${curves.length > 1 ? ', all kinds and per kind' : ''} (fixed percentiles from 0 to 99.999 that the count can resolve; the last point of each curve is its maximum)`,
      ),
    );
  }
  return `<div class="figures">${out.join('\n')}</div>`;
}

/** Each chaos fault's window on the time series' axis (seconds): in force, then its recovery. */
export function chaosBands(r: RunResult): ChartBand[] {
  const out: ChartBand[] = [];
  // A backpressure run's pressure window is shaded as a fault is.
  const pressure = r.backpressure?.pressure;
  for (const x of [...(r.chaos?.experiments ?? []), ...(pressure === undefined || pressure === null ? [] : [pressure])]) {
    const w = x.windowMs;
    if (w === undefined) continue;
    out.push({ from: w.applied / 1000, to: w.reverted / 1000, label: `${x.key} ${x.kind}`, kind: 'fault' });
    // Never converged: shaded to the chart's right edge (the browser clamps it).
    const end = w.converged ?? Number.MAX_SAFE_INTEGER;
    if (end > w.reverted) out.push({ from: w.reverted / 1000, to: end === Number.MAX_SAFE_INTEGER ? end : end / 1000, label: w.converged === null ? 'not converged' : 'recovery', kind: 'recovery' });
  }
  // Each experiment's quiet window (the background load held) is shaded as the end's is.
  for (const x of r.chaos?.experiments ?? []) {
    if (x.quietWindow !== undefined) out.push({ from: x.quietWindow.fromMs / 1000, to: x.quietWindow.toMs / 1000, label: `${x.key} quiet window`, kind: 'quiet' });
  }
  return out;
}

/** The sustained scenario's quiet window on the time series' axis (seconds), when the run had one. */
export function quietBands(r: RunResult): ChartBand[] {
  const q = r.quietWindow;
  return q === undefined ? [] : [{ from: q.fromMs / 1000, to: q.toMs / 1000, label: 'quiet window', kind: 'quiet' }];
}

/** A table of judged invariants or checks, each with its evidence. */
function invariantTable(invariants: ChaosInvariant[], what: string): string {
  const rows = invariants.map((i) => {
    const unit = i.unit === '' ? '' : ` ${i.unit}`;
    return [e(i.name), e(i.observed === null ? '—' : `${formatNumber(i.observed)}${unit}`), e(`${i.comparison} ${i.limit}${unit}`), i.verdict === 'fail' ? '<strong>FAIL</strong>' : e(i.verdict), `<span class="method">${e(i.evidence)}</span>`];
  });
  return table([what, 'observed', 'limit', 'verdict', 'evidence'], rows, [1, 2]);
}

/** The chaos experiments: each one's invariants with their evidence, answer first; then the end state. */
function chaosSection(r: RunResult): string {
  const c = r.chaos;
  if (c === undefined) return '';
  const parts: string[] = [];
  for (const x of c.experiments) {
    const failed = x.invariants.filter((i) => i.verdict === 'fail');
    const conv = x.convergenceMs === null ? 'did not converge' : `converged ${(x.convergenceMs / 1000).toFixed(1)} s after the revert`;
    parts.push(`<h3>${e(`${x.key} ${x.kind}: ${failed.length === 0 ? 'every invariant held' : `FAILED ${failed.map((i) => i.name).join(', ')}`}; ${conv}`)}</h3>`);
    parts.push(`<p>${e(`${x.description}. In force ${(x.heldMs / 1000).toFixed(1)} s (${x.appliedAt ?? 'never applied'} → ${x.revertedAt ?? '—'}); revert ${x.reverted ? 'proven' : 'NOT proven'}: ${x.revertProof}.`)}</p>`);
    if (x.before !== null && x.during !== null) parts.push(`<p>${e(`Ready before: ${x.before.ready} of ${x.before.objects}; during the fault: at least ${x.during.minReady} Ready, at most ${x.during.maxNotReady} not Ready.`)}</p>`);
    if (x.apiResponses !== undefined) parts.push(`<p>${e(apiResponsesText(x.apiResponses))}</p>`);
    if (x.quietWindow !== undefined) parts.push(`<p>${e(quietWindowText(x.quietWindow))}</p>`);
    parts.push(invariantTable(x.invariants, 'invariant'));
  }
  const f = c.final;
  parts.push(
    f === null
      ? absentNote('End state: not checked (the run was interrupted).')
      : `<p>${e(`End state: ${f.ready} of ${f.objects} objects Ready; desired-vs-served audit ${f.auditClean ? 'clean' : 'NOT clean'} (${f.audit}); ${f.untruthful} Ready statuses DNS contradicts${f.lostWrites === undefined ? '' : `; data loss: ${f.lostWrites} acknowledged writes not served`}.`)}</p>` +
          (f.mismatches.length === 0 ? '' : `<ul>${f.mismatches.map((m) => `<li>${e(m)}</li>`).join('')}</ul>`),
  );
  parts.push(how('each fault is journalled before it is applied, held, reverted and proven reverted (the link answers again; the part runs and answers its health check); convergence: no object written before the revert still not Ready and every Ready one of them served as desired by every DNS server; DNS gap: longest stretch without a NOERROR answer to an SOA query asked every 250 ms. The time series below shade each fault (red) and its recovery (yellow).'));
  return section('chaos', 'Chaos experiments', parts.join('\n'));
}

/** The e2e story: the headline, the phases, the timeline per interval (the worst one marked). */
function e2eSection(r: RunResult): string {
  const s = r.e2e;
  if (s === undefined) return '';
  const parts: string[] = [`<ul>${s.headline.map((h) => `<li><strong>${e(h)}</strong></li>`).join('')}</ul>`];
  parts.push(`<p>${e(`Population: ${s.population.records} records in ${s.population.zones} zones, ${s.population.ready} Ready after ${(s.population.setupMs / 1000).toFixed(1)} s of setup (not measured).`)}</p>`);
  parts.push(`<h3>Phases</h3><ul>${phaseLines(s).map((p) => `<li>${e(p)}</li>`).join('')}</ul>`);
  const rows = timelineRows(s).map((row) => row.cells.map((c) => (row.worst ? `<strong>${e(c)}</strong>` : e(c))));
  parts.push(`<h3>${e(`Timeline, every ${(s.intervalMs / 1000).toFixed(0)} s (the worst interval in bold)`)}</h3>`);
  parts.push(table(['interval (m:ss)', 'phases', ...timelineColumns.map((c) => c.heading)], rows, timelineColumns.map((_, i) => i + 2)));
  parts.push(how('operations are counted in the interval of their intended start; each latency p99 comes from an HDR histogram of that interval\'s operations (never an average of percentiles); change→answered is the slowest DNS server\'s first right answer; DNS columns reduce dnsperf\'s per-second series over the interval; the worst interval has the most failures and operations that never took effect, then the slowest p99. The time series below shade the spikes (blue), each fault (red), its recovery (yellow) and the quiet window (grey).'));
  return section('e2e', 'The story', parts.join('\n'));
}

/** The e2e run's spikes on the time series' axis (seconds). */
export function spikeBands(r: RunResult): ChartBand[] {
  return (r.e2e?.phases ?? []).filter((p) => p.kind === 'spike').map((p) => ({ from: p.fromMs / 1000, to: (p.toMs ?? p.fromMs) / 1000, label: p.label, kind: 'spike' as const }));
}

/** The backpressure section: the knee with its steps, or the pressure's checks with their evidence, answer first. */
function backpressureSection(r: RunResult): string {
  const b = r.backpressure;
  if (b === undefined) return '';
  const parts: string[] = [];
  const n = (v: number | null, digits = 2): string => (v === null ? '—' : formatNumber(Number(v.toFixed(digits))));
  if (b.knee !== null) {
    parts.push(`<h3>${e(`Knee: ${b.knee.rate === null ? 'not found' : `${n(b.knee.rate)}/s`}`)}</h3>`, `<p>${e(b.knee.text)}.</p>`);
    const rows = b.steps.map((s) => [e(`${n(s.rate)}/s`), s.verdict === 'growing' ? '<strong>growing</strong>' : e(s.verdict), e(n(s.slopePerMinute, 1)), e(s.slopeInterval === null ? '—' : `${n(s.slopeInterval.low, 1)} to ${n(s.slopeInterval.high, 1)}`), e(n(s.completedPerSec, 1)), e(n(s.reconcilesPerSec, 1)), e(n(s.backlogAtEnd, 0))]);
    parts.push(table(['step rate', 'backlog', 'slope (objects/min)', '95 % interval', 'completed/s', 'reconciles/s', 'backlog at end'], rows, [0, 2, 4, 5, 6]));
    parts.push(how('each step is judged on its last two thirds (the backlog settles at its new level first): a least-squares slope of the client-side backlog with its 95 % t interval; growing = the interval above 0 and a growth of at least max(5, one second of the rate). The schedule stops at the first growing step.'));
  }
  const p = b.pressure;
  if (p !== null) {
    const failed = p.invariants.filter((i) => i.verdict === 'fail');
    parts.push(`<h3>${e(`${b.mode}: ${failed.length === 0 ? 'every check held' : `FAILED ${failed.map((i) => i.name).join(', ')}`}; ${p.convergenceMs === null ? 'did not recover within the bound' : `recovered ${(p.convergenceMs / 1000).toFixed(1)} s after the lift`}`)}</h3>`);
    parts.push(`<p>${e(`${p.description}. In force ${(p.heldMs / 1000).toFixed(1)} s (${p.appliedAt ?? 'never applied'} → ${p.revertedAt ?? '—'}); lift ${p.reverted ? 'proven' : 'NOT proven'}: ${p.revertProof}.`)}</p>`);
    parts.push(invariantTable(p.invariants, 'check'));
    parts.push(how('the pressure is journalled before it is applied and lifted at its end; recovery: every object written before the lift Ready. The time series below shade the pressure (red) and the recovery (yellow).'));
  }
  return section('backpressure', `Backpressure: ${b.mode}`, parts.join('\n'));
}

function timeSeriesSection(r: RunResult, charts: ChartSpec[]): string {
  const parts: string[] = [];
  const bands = [...spikeBands(r), ...chaosBands(r), ...quietBands(r)];
  const q = r.quietWindow;
  if (q !== undefined) {
    parts.push(`<p>${e(`The grey band on each chart is the quiet window, ${formatNumber(q.fromMs / 1000)} s to ${formatNumber(q.toMs / 1000)} s: the run's series end before it; what it counted is in the quiet_window_* counters.`)}</p>`);
  }
  // The memory-growth figure's own fit (the one the criterion and the leak finding read), drawn over its series.
  for (const f of seriesFigures(r.timeSeries, { operator_memory_rss: readFigure(r, 'memory_growth') })) {
    if ('absent' in f) {
      parts.push(`<h3>${e(f.title)}</h3>`, f.flat === true ? `<p class="flat">${e(f.absent)}</p>` : absentNote(f.absent));
      continue;
    }
    charts.push(bands.length === 0 ? f.chart : { ...f.chart, bands });
    parts.push(`<h3>${e(f.title)}</h3>`, chartDiv(f.chart, `${f.title}: ${f.chart.series.map((s) => s.label).join(', ')} (${f.chart.yLabel}) over the run`));
    if (f.alwaysZero.length > 0) parts.push(`<p class="flat">${e(f.alwaysZero.join(' '))}</p>`);
    if (f.noFit.length > 0) parts.push(`<p class="flat">${e(f.noFit.join(' '))}</p>`);
    parts.push(how(`${f.methods.join('; ')}. t = ms since the run started, monotonic clock.`));
  }
  return section('time-series', 'Time series', parts.join('\n'));
}

function countersSection(r: RunResult): string {
  const names = Object.keys(r.counters).sort();
  if (names.length === 0) return section('counters', 'Counts and rates', absentNote('This result holds no counters.'));
  const rows = names.map((n) => {
    const c = r.counters[n];
    if (c === undefined) return [];
    const d = displayValue(c.value, c.unit);
    return [`<code>${e(n)}</code>`, e(d.value), e(d.unit), `<span class="method">${e(c.description)}</span>`];
  });
  return section('counters', 'Counts and rates', table(['counter', 'value', 'unit', 'what it counts and how'], rows, [1]));
}

function operatorSection(r: RunResult): string {
  if (r.operator.length === 0) return section('operator', 'Operator metrics', absentNote("This result holds no observations of the operator's own metrics."));
  const rows = r.operator.map((o) => [
    `<code>${e(o.name)}</code> <span class="labels">${e(labelsText(o.labels))}</span>`,
    o.bindyName === null ? '—' : `<code>${e(o.bindyName)}</code>`,
    `<span class="state state-${e(o.state)}">${e(o.state)}</span>`,
    e(Object.entries(o.values).map(([k, v]) => `${k} ${operatorValue(k, v, o.unit)}`).join(', ') || '—'),
    `<span class="method">${e(o.method)}</span>`,
  ]);
  return section('operator', 'Operator metrics', table(['quantity', 'bindy metric', 'state', 'values', 'how measured'], rows) +
    how('percentiles from bindy\'s Prometheus histograms are bucket estimates (error up to one bucket width); state "missing" = bindy has no such metric or it was not scraped, "never-updated" = it did not move during the run.'));
}

function amplificationSection(r: RunResult): string {
  const a = r.apiAmplification;
  if (a === null) return section('api', 'API amplification', absentNote("API amplification was not measured in this run (the API server's /metrics was not scraped)."));
  const total = a.requests.reduce((s, q) => s + q.count, 0);
  const rows = a.requests.map((q) => [e(q.verb), `<code>${e(q.resource)}</code>`, e(formatNumber(q.count)), e(a.objectsCreated > 0 ? formatNumber(q.count / a.objectsCreated) : '—')]);
  rows.push(['<strong>total</strong>', '', `<strong>${e(formatNumber(total))}</strong>`, `<strong>${e(formatNumber(a.requestsPerObject))}</strong>`]);
  return section('api', 'API amplification', `<p>${e(`${formatNumber(total)} requests to the Kubernetes API for ${a.objectsCreated} objects created: ${formatNumber(a.requestsPerObject)} per object.`)}</p>` +
    table(['verb', 'resource', 'requests', 'per object'], rows, [2, 3]) + how(a.method));
}

function failuresSection(r: RunResult, max: number): string {
  if (r.failures.length === 0) return section('failures', 'Failures', '<p>No object missed a milestone.</p>');
  const groups = new Map<string, number>();
  for (const f of r.failures) groups.set(`${f.phase}\u0000${f.reason}`, (groups.get(`${f.phase}\u0000${f.reason}`) ?? 0) + 1);
  const summary = table(['phase', 'reason', 'objects'], [...groups].map(([k, c]) => {
    const [phase = '', reason = ''] = k.split('\u0000');
    return [e(phase), e(reason), String(c)];
  }), [2]);
  const rows = r.failures.slice(0, max).map((f) => [
    e(f.kind),
    e(f.namespace === undefined ? f.name : `${f.namespace}/${f.name}`),
    e(f.phase),
    e(f.reason),
    e(f.message),
    e(f.lastCondition === null ? '—' : `${f.lastCondition.type}=${f.lastCondition.status}${f.lastCondition.reason === undefined ? '' : ` (${f.lastCondition.reason})`}${f.lastCondition.message === undefined ? '' : `: ${f.lastCondition.message}`}`),
    e(f.atMs === undefined ? '—' : formatWithUnit(f.atMs, 'ms')),
  ]);
  const more = r.failures.length > max ? `<p class="absent">${e(`${r.failures.length - max} more failures are not listed here; all ${r.failures.length} are in result.json.`)}</p>` : '';
  return section('failures', `Failures (${r.failures.length})`, summary + table(['kind', 'object', 'phase', 'reason', 'message', 'last condition', 'declared at'], rows) + more +
    how('an object is listed when it missed a milestone (phase); "declared at" is ms since the run started, monotonic clock.'));
}

function findingList(items: readonly Finding[], what: string): string {
  if (items.length === 0) return absentNote(`No ${what} in this result.`);
  return `<ul class="findings">${items
    .map((f) => {
      const ev = Object.entries(f.evidence).map(([k, v]) => `${k} = ${v === null ? '—' : typeof v === 'number' ? formatNumber(v) : v}`).join('; ');
      return `<li><span class="sev sev-${e(f.severity)}">${e(f.severity)}</span> <code>${e(f.id)}</code> ${e(f.text)}${ev === '' ? '' : `<div class="evidence">evidence: ${e(ev)}</div>`}</li>`;
    })
    .join('\n')}</ul>`;
}

/** `effective` flattened to dotted keys, in document order. */
function flatten(value: JsonValue, prefix: string, out: [string, JsonValue][]): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix === '' ? k : `${prefix}.${k}`, out);
  } else out.push([prefix, value]);
}

function configSection(r: RunResult): string {
  const flat: [string, JsonValue][] = [];
  flatten(r.config.effective, '', flat);
  const rows = flat.filter(([k]) => k !== '').map(([k, v]) => [`<code class="key">${e(k)}</code>`, `<code>${e(JSON.stringify(v))}</code>`, e(r.config.origins[k] ?? '—')]);
  if (rows.length === 0) return section('config', 'Effective configuration', absentNote('This result holds no effective configuration.'));
  return section('config', 'Effective configuration', table(['key', 'value', 'from'], rows) +
    how('the configuration after flags, file, profile and defaults were merged; "from" is where each value came from.'));
}

const style = `
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; }
body { margin: 0 auto; max-width: 1180px; padding: 1rem 1.5rem 3rem; line-height: 1.4; overflow-wrap: anywhere; }
.table-box { max-width: 100%; overflow-x: auto; } code.key { white-space: nowrap; } .units { color: #444; font-size: .85rem; margin: .2rem 0; }
td code, td { overflow-wrap: anywhere; } .chart { max-width: 100%; overflow: hidden; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { border-bottom: 2px solid #ddd; padding-bottom: .2rem; margin-top: 2rem; }
h3 { margin-bottom: .3rem; } nav a { margin-right: .8rem; }
table { border-collapse: collapse; margin: .5rem 0; font-size: .9rem; } th, td { border: 1px solid #ddd; padding: .25rem .5rem; vertical-align: top; text-align: left; }
th { background: #f4f4f4; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: .85rem; } .method, .labels, .evidence { color: #555; font-size: .85rem; }
.how { color: #444; font-size: .85rem; border-left: 3px solid #9ab; padding-left: .5rem; margin: .3rem 0 1rem; } .how span { font-weight: 600; }
.flat { color: #333; background: #f4f6f8; border-left: 3px solid #9ab; padding: .3rem .5rem; }
.absent { color: #6a4d00; background: #fff8e1; border-left: 3px solid #e0b000; padding: .3rem .5rem; }
.status { display: inline-block; font-weight: 700; padding: .2rem .6rem; border-radius: 4px; margin-bottom: .4rem; }
.status-completed, .verdict-pass { background: #dff3e0; color: #185c1c; } .status-failed, .verdict-fail { background: #fde0de; color: #8a1c12; }
.status-aborted, .verdict-not-measured, .verdict-aborted { background: #fff1c9; color: #6a4d00; }
.run-verdict { font-weight: 700; font-size: 1.1rem; padding: .4rem .7rem; border-radius: 4px; margin: .5rem 0; } .verdict { padding: 0 .3rem; border-radius: 3px; font-weight: 600; }
.sev { font-weight: 700; text-transform: uppercase; font-size: .75rem; padding: 0 .3rem; border-radius: 3px; background: #eee; }
.sev-high { background: #fde0de; } .sev-medium { background: #fff1c9; } .state-missing { color: #8a1c12; } .state-never-updated { color: #6a4d00; }
figure { margin: .5rem 0 1rem; } table.kv th { text-align: left; font-weight: 600; }
figcaption { font-size: .85rem; color: #333; } .chart { min-height: 300px; } .chart-error { color: #8a1c12; }
footer { margin-top: 3rem; font-size: .8rem; color: #666; } footer pre { white-space: pre-wrap; font-size: .7rem; }
@media print { nav { display: none; } .chart { break-inside: avoid; } }
`;

/** The whole report as one HTML document: no external resource, every string from the result escaped. */
export function renderHtml(r: RunResult, assets: ChartAssets, options: HtmlReportOptions = {}): string {
  const m = r.metadata;
  const charts: ChartSpec[] = [];
  const body = [
    overviewSection(r),
    e2eSection(r),
    verdictSection(r.criteria),
    chaosSection(r),
    backpressureSection(r),
    latencySection(r, charts),
    timeSeriesSection(r, charts),
    countersSection(r),
    operatorSection(r),
    amplificationSection(r),
    failuresSection(r, options.maxFailures ?? 200),
    section('findings', 'Findings and recommendations', `<h3>Findings</h3>${findingList(r.findings, 'findings')}<h3>Recommendations</h3>${findingList(r.recommendations, 'recommendations')}`),
    section('notes', 'Notes', r.notes.length === 0 ? absentNote('No notes.') : `<ul>${r.notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>`),
    configSection(r),
  ].join('\n');
  const nav = [
    ['summary', 'Summary'], ...(r.e2e === undefined ? [] : [['e2e', 'Story']]), ['verdicts', 'Verdicts'], ...(r.chaos === undefined ? [] : [['chaos', 'Chaos']]), ...(r.backpressure === undefined ? [] : [['backpressure', 'Backpressure']]), ['latencies', 'Latencies'], ['time-series', 'Time series'], ['counters', 'Counts'],
    ['operator', 'Operator'], ['api', 'API'], ['failures', 'Failures'], ['findings', 'Findings'], ['config', 'Config'],
  ].map(([id, label]) => `<a href="#${id}">${label}</a>`).join('');
  const title = `${verdictOf(r).outcome.toUpperCase()}: bindy-loadtest ${m.scenario} ${m.runId}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${e(title)}</title>
<style>${inlineStyle(assets.style)}</style>
<style>${style}</style>
</head>
<body>
<p id="verdict" class="run-verdict verdict-${e(verdictOf(r).outcome)}">${e(verdictLine(r))}</p>
<header><h1>${e(`bindy-loadtest ${m.scenario}`)}</h1><div>${e(`run ${m.runId}, ${m.startedAt}`)}</div><p id="units" class="units">${e(unitsConvention)}</p><nav>${nav}</nav></header>
${body}
<footer>Rendered by bindy-loadtest ${e(toolVersion)} from the run result (schema version ${r.schemaVersion}) that bindy-loadtest ${e(m.toolVersion)} wrote. Charts drawn by ${e(assets.name)}, inlined under its licence:<pre>${e(assets.license)}</pre></footer>
<script type="application/json" id="chart-data">${jsonForScript(charts)}</script>
<script>${inlineScript(assets.script)}</script>
<script>${inlineScript(clientScript)}</script>
</body>
</html>
`;
}
