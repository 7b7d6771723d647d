/** @module The Markdown report (`summary.md`), rendered from the JSON run result alone (pure: no I/O). */
import { apiResponsesText, quietWindowText } from './chaos-text.js';
import { e2eMarkdown } from './e2e-story.js';
import type { HistogramSummary } from '../measure/index.js';
import type { Finding, RunResult } from './result/index.js';
import { verdictLine } from './verdict-line.js';
import { configuredIn, displayValue, formatLatencyUs, formatNumber as formatPlain, formatWithUnit, labelsText, operatorValue, unitsConvention } from './units.js';

/** A latency in µs in the reports' unit (ms, µs below 1 ms); `—` when not measured. */
export const formatUs = formatLatencyUs;

/** A counter value: integers as they are, other values ≥ 100 rounded, smaller ones to 3 significant digits. */
export function formatNumber(v: number): string {
  return formatPlain(v);
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function row(cells: readonly string[]): string {
  return `| ${cells.map(escapeCell).join(' | ')} |`;
}

function latencyRow(name: string, s: HistogramSummary): string {
  return row([name, String(s.count), formatUs(s.p50), formatUs(s.p90), formatUs(s.p95), formatUs(s.p99), formatUs(s.p999), formatUs(s.max), formatUs(s.mean)]);
}

const latencyHeader = [row(['latency', 'count', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max', 'mean']), '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'];

/** One finding or recommendation as a list item: severity, id, text, then the evidence it rests on. */
function findingLine(f: Finding): string {
  const evidence = Object.entries(f.evidence)
    .map(([k, v]) => `${k} = ${v === null ? '—' : typeof v === 'number' ? formatNumber(v) : v}`)
    .join('; ');
  return `- **${f.severity}** \`${f.id}\`: ${f.text.replace(/\n/g, ' ')}${evidence === '' ? '' : ` _(evidence: ${evidence})_`}`;
}

/** The order the counts table lists the burst's counters in; any other counter follows, sorted. */
const countOrder = [
  'creates_started',
  'creates_accepted',
  'creates_rejected',
  'create_errors',
  'creates_abandoned',
  'objects_ready',
  'objects_ready_at_relist',
  'objects_not_ready',
  'objects_deleted_before_ready',
  'objects_unconfirmed',
  'ready_without_observed_generation',
  'late_starts_no_slot',
  'create_rate',
  'ready_rate',
  'first_create_to_last_ready',
  'watch_restarts',
  'watch_relists',
  'event_loop_lag_p99',
  'event_loop_lag_max',
  'tool_peak_rss',
];

/** A table of judged invariants or checks, each with its evidence. */
export function invariantTable(invariants: NonNullable<RunResult['chaos']>['experiments'][number]['invariants'], what: string): string[] {
  const out = [row([what, 'observed', 'limit', 'verdict', 'evidence']), '| --- | ---: | ---: | --- | --- |'];
  for (const i of invariants) {
    const unit = i.unit === '' ? '' : ` ${i.unit}`;
    out.push(row([i.name, i.observed === null ? '—' : `${Number(i.observed.toFixed(2))}${unit}`, `${i.comparison} ${i.limit}${unit}`, i.verdict === 'fail' ? '**FAIL**' : i.verdict, i.evidence]));
  }
  return out;
}

/** The backpressure section: the knee and its steps, or the pressure window with its checks. */
export function backpressureMarkdown(b: NonNullable<RunResult['backpressure']>): string[] {
  const out: string[] = [`## Backpressure: ${b.mode}`, ''];
  const n = (v: number | null, digits = 2): string => (v === null ? '—' : String(Number(v.toFixed(digits))));
  if (b.knee !== null) {
    out.push(`**Knee: ${b.knee.rate === null ? 'not found' : `${n(b.knee.rate)}/s`}.** ${b.knee.text}.`, '');
    out.push(row(['step rate', 'backlog', 'slope (objects/min)', '95 % interval', 'completed/s', 'reconciles/s', 'backlog at end']), '| ---: | --- | ---: | --- | ---: | ---: | ---: |');
    for (const s of b.steps) {
      out.push(row([`${n(s.rate)}/s`, s.verdict === 'growing' ? '**growing**' : s.verdict, n(s.slopePerMinute, 1), s.slopeInterval === null ? '—' : `${n(s.slopeInterval.low, 1)} to ${n(s.slopeInterval.high, 1)}`, n(s.completedPerSec, 1), n(s.reconcilesPerSec, 1), n(s.backlogAtEnd, 0)]));
    }
    out.push('', 'Each step is judged on its last two thirds (the backlog settles at its new level first); growing = the slope interval above 0 and a growth of at least max(5, one second of the rate).', '');
  }
  const p = b.pressure;
  if (p !== null) {
    const failed = p.invariants.filter((i) => i.verdict === 'fail');
    const rec = p.convergenceMs === null ? 'did not recover within the bound' : `recovered ${(p.convergenceMs / 1000).toFixed(1)} s after the lift`;
    out.push(`**${failed.length === 0 ? 'Every check held' : `FAILED: ${failed.map((i) => i.name).join(', ')}`}; ${rec}.**`, '');
    out.push(`${p.description}. Applied ${p.appliedAt ?? '(never)'}, lifted ${p.revertedAt ?? '(never)'} after ${(p.heldMs / 1000).toFixed(1)} s; lift ${p.reverted ? 'proven' : '**NOT proven**'}: ${p.revertProof}.`, '');
    out.push(...invariantTable(p.invariants, 'check'), '');
  }
  return out;
}

/** The chaos section: one table per experiment (its invariants with their evidence), then the end state. */
export function chaosMarkdown(c: NonNullable<RunResult['chaos']>): string[] {
  const out: string[] = ['## Chaos experiments', ''];
  for (const e of c.experiments) {
    const conv = e.convergenceMs === null ? 'did not converge' : `converged ${(e.convergenceMs / 1000).toFixed(1)} s after the revert`;
    out.push(`### ${e.key} ${e.kind}: ${conv}`, '');
    out.push(`${e.description}. Applied ${e.appliedAt ?? '(never)'}, reverted ${e.revertedAt ?? '(never)'} after ${(e.heldMs / 1000).toFixed(1)} s in force${e.revertMs === undefined || e.revertMs < 100 ? '' : ` (the revert took ${(e.revertMs / 1000).toFixed(1)} s)`}${e.startedLateMs > 1000 ? ` (started ${(e.startedLateMs / 1000).toFixed(1)} s late: the previous experiment was still converging)` : ''}; revert ${e.reverted ? 'proven' : '**NOT proven**'}: ${e.revertProof}.`);
    if (e.before !== null && e.during !== null) out.push('', `Ready before: ${e.before.ready} of ${e.before.objects}; during the fault: at least ${e.during.minReady} Ready, at most ${e.during.maxNotReady} not Ready.`);
    if (e.apiResponses !== undefined) out.push('', apiResponsesText(e.apiResponses));
    if (e.quietWindow !== undefined) out.push('', quietWindowText(e.quietWindow));
    out.push('', ...invariantTable(e.invariants, 'invariant'), '');
  }
  const f = c.final;
  if (f === null) out.push('End state: not checked (the run was interrupted).', '');
  else {
    out.push(`End state: ${f.ready} of ${f.objects} objects Ready; desired-vs-served audit ${f.auditClean ? 'clean' : '**NOT clean**'} (${f.audit}); ${f.untruthful} Ready statuses DNS contradicts${f.lostWrites === undefined ? '' : `; data loss: ${f.lostWrites} acknowledged writes not served`}.`, '');
    for (const m of f.mismatches) out.push(`- ${m}`);
    if (f.mismatches.length > 0) out.push('');
  }
  if (c.dnsProbe.length > 0) out.push(`DNS gap prober: ${c.dnsProbe.map((p) => `${p.server} ${p.answered} of ${p.sent} SOA queries answered`).join('; ')}.`, '');
  return out;
}

/** The Markdown summary of a run result: the verdict line, what ran, criteria, findings and recommendations, counts, latency tables, rates, failures, and how each figure was measured. */
export function renderMarkdown(r: RunResult, options: { maxFailures?: number } = {}): string {
  const m = r.metadata;
  // The verdict comes first: it is what a gate (and a person) reads.
  const out: string[] = [`**${verdictLine(r).replace(/^(PASS|FAIL|ABORTED)/, '$1**')}`, ''];
  out.push(`# bindy-loadtest ${m.scenario}: ${m.status}`, '', unitsConvention, '');
  // e2e: the story before the evidence.
  if (r.e2e !== undefined) out.push(...e2eMarkdown(r.e2e));
  out.push(row(['', '']), '| --- | --- |');
  out.push(row(['run id', `\`${m.runId}\``]));
  out.push(row(['scenario', m.scenario]));
  out.push(row(['profile', m.profile ?? '(none)']));
  out.push(row(['target', `${m.target.kind}: ${m.target.description}`]));
  out.push(row(['started', m.startedAt]));
  out.push(row(['ended', m.endedAt ?? '(did not finish)']));
  out.push(row(['duration', m.durationMs === null ? '—' : `${(m.durationMs / 1000).toFixed(1)} s`]));
  out.push(row(['status', m.status]));
  out.push(row(['seed', String(m.seed)]));
  out.push(row(['tool', `bindy-loadtest ${m.toolVersion}, Node ${m.host.nodeVersion}, ${m.host.cpus} CPUs`]));
  out.push(row(['command', `\`${m.commandLine.join(' ')}\``]));
  out.push('');

  if (r.criteria.length > 0) {
    out.push('## Success criteria', '', row(['metric', 'observed', 'limit', 'verdict', 'why', 'how it was measured']), '| --- | ---: | ---: | --- | --- | --- |');
    for (const v of r.criteria) {
      out.push(row([v.metric, formatWithUnit(v.observed, v.unit), `${v.comparison} ${formatWithUnit(v.limit, v.unit)}${configuredIn(v.limit, v.unit)}`, v.verdict === 'fail' ? '**FAIL**' : v.verdict, v.reason, v.method]));
    }
    out.push('');
  }

  if (r.chaos !== undefined) out.push(...chaosMarkdown(r.chaos));
  if (r.backpressure !== undefined) out.push(...backpressureMarkdown(r.backpressure));

  for (const [title, list] of [['Findings', r.findings], ['Recommendations', r.recommendations]] as const) {
    if (list.length === 0) continue;
    out.push(`## ${title}`, '');
    for (const f of list) out.push(findingLine(f));
    out.push('');
  }

  const names = Object.keys(r.counters);
  if (names.length > 0) {
    out.push('## Counts and rates', '', row(['counter', 'value', 'unit', 'what it counts']), '| --- | ---: | --- | --- |');
    const ordered = [...countOrder.filter((n) => names.includes(n)), ...names.filter((n) => !countOrder.includes(n)).sort()];
    for (const n of ordered) {
      const c = r.counters[n];
      if (c === undefined) continue;
      const d = displayValue(c.value, c.unit);
      out.push(row([n, d.value, d.unit, c.description]));
    }
    out.push('');
  }

  const latencies = Object.entries(r.latencies);
  if (latencies.length > 0) {
    out.push('## Latencies', '', 'HDR histograms (recorded in µs, 1 µs – 1 h, 3 significant digits); every percentile is the upper bound of its bucket.', '');
    out.push(...latencyHeader);
    for (const [name, l] of latencies) out.push(latencyRow(name, l.summary));
    out.push('');
    for (const [name, l] of latencies) {
      if (l.byKind === undefined || Object.keys(l.byKind).length === 0) continue;
      out.push(`### ${name} per kind`, '', ...latencyHeader.map((h) => h.replace('| latency |', '| kind |')));
      for (const [kind, k] of Object.entries(l.byKind)) out.push(latencyRow(kind, k.summary));
      out.push('');
    }
    out.push('### How each latency was measured', '');
    for (const [name, l] of latencies) {
      const oor = l.summary.outOfRange;
      const skipped = oor.below + oor.above + oor.invalid;
      out.push(`- **${name}**: ${l.method}${skipped > 0 ? ` (${skipped} values not recorded: ${oor.below} below range, ${oor.above} above, ${oor.invalid} negative or invalid)` : ''}`);
    }
    out.push('');
  }

  for (const ts of r.timeSeries) {
    const peak = ts.points.reduce((mx, p) => Math.max(mx, p.value), 0);
    const last = ts.points.at(-1);
    const flat = ts.points.length > 0 && ts.points.every((p) => p.value === 0);
    const figures = flat
      ? `Always 0 over the run (${ts.points.length} samples).`
      : `Peak ${formatWithUnit(peak, ts.unit)}; last ${last === undefined ? '—' : `${formatWithUnit(last.value, ts.unit)} at ${(last.t / 1000).toFixed(1)} s`}; ${ts.points.length} samples.`;
    out.push(`## ${ts.name}`, '', `${ts.description}. ${figures}`, '');
  }

  if (r.operator.length > 0) {
    out.push('## Operator metrics', '', row(['quantity', 'labels', 'bindy metric', 'state', 'values', 'method']), '| --- | --- | --- | --- | --- | --- |');
    for (const o of r.operator) {
      const values = Object.entries(o.values).map(([k, v]) => `${k} ${operatorValue(k, v, o.unit)}`).join(', ');
      out.push(row([o.name, labelsText(o.labels), o.bindyName ?? '(none)', o.state, values || '—', o.method]));
    }
    out.push('');
  }
  if (r.apiAmplification !== null) {
    const a = r.apiAmplification;
    out.push('## API amplification', '', `${a.requestsPerObject === null ? '—' : formatNumber(a.requestsPerObject)} API requests per created object (${a.objectsCreated} objects). ${a.method}`, '');
  }

  const max = options.maxFailures ?? 50;
  if (r.failures.length > 0) {
    out.push(`## Failures (${r.failures.length})`, '', row(['object', 'phase', 'reason', 'message']), '| --- | --- | --- | --- |');
    for (const f of r.failures.slice(0, max)) out.push(row([`${f.kind} ${f.namespace ?? ''}/${f.name}`, f.phase, f.reason, f.message]));
    if (r.failures.length > max) out.push('', `… and ${r.failures.length - max} more in result.json.`);
    out.push('');
  }
  if (r.notes.length > 0) {
    out.push('## Notes', '', ...r.notes.map((n) => `- ${n}`), '');
  }
  out.push('Rendered from result.json (the source of truth; format: docs/result-format.md).', '');
  return out.join('\n');
}
