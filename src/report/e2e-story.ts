/**
 * @module The e2e run's story as report parts (pure): the headline, the phases, and the timeline
 * (every figure per interval, the worst interval marked). Markdown renders the rows as a table, the
 * HTML report as its own table; both read the same rows from here.
 */
import type { E2eInterval, E2eSection } from './result/index.js';

/** The timeline's columns: the figure each reads, its heading, and how its value is written. */
export const timelineColumns: readonly { figure: string; heading: string; unit: 'ms' | 'count' | 'rate' }[] = [
  { figure: 'operations', heading: 'changes', unit: 'count' },
  { figure: 'create_to_ready_p99_ms', heading: 'create→Ready p99', unit: 'ms' },
  { figure: 'update_to_ready_p99_ms', heading: 'update→Ready p99', unit: 'ms' },
  { figure: 'delete_to_gone_p99_ms', heading: 'delete→gone p99', unit: 'ms' },
  { figure: 'resolvable_p99_ms', heading: 'change→answered p99 (slowest server)', unit: 'ms' },
  { figure: 'failures', heading: 'failures', unit: 'count' },
  { figure: 'operations_not_seen_taking_effect', heading: 'never took effect', unit: 'count' },
  { figure: 'backlog_max', heading: 'backlog max', unit: 'count' },
  { figure: 'dns_answers_per_second', heading: 'DNS answers/s', unit: 'rate' },
  { figure: 'dns_queries_lost', heading: 'DNS lost', unit: 'count' },
  { figure: 'dns_query_p99_max', heading: 'DNS p99 (worst second)', unit: 'ms' },
];

function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  const m = Math.floor(Math.abs(s) / 60);
  return `${s < 0 ? '-' : ''}${m}:${String(Math.abs(s) % 60).padStart(2, '0')}`;
}

/** One figure as written in the timeline (`—` when nothing was measured). */
export function timelineValue(v: number | null | undefined, unit: 'ms' | 'count' | 'rate'): string {
  if (v === null || v === undefined) return '—';
  if (unit === 'ms') return v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(v < 10 ? 2 : 0)} ms`;
  if (unit === 'rate') return v.toFixed(1);
  return String(Math.round(v));
}

/** The timeline's rows: interval (m:ss–m:ss from the churn's start), its phases, then each column; `worst` marks the worst interval. */
export function timelineRows(e: E2eSection): { cells: string[]; worst: boolean }[] {
  return e.intervals.map((i: E2eInterval) => ({
    cells: [`${clock(i.fromMs)}–${clock(i.toMs)}`, i.phases.length === 0 ? 'steady' : i.phases.join(', '), ...timelineColumns.map((c) => timelineValue(i.figures[c.figure], c.unit))],
    worst: e.worst?.index === i.index,
  }));
}

/** The phases in words, one per line: `fault exp-0 operator-kill 0:15–0:29`. */
export function phaseLines(e: E2eSection): string[] {
  return e.phases.map((p) => `${p.kind} ${p.label === p.kind ? '' : `${p.label} `}${clock(p.fromMs)}–${p.toMs === null ? 'end (never ended)' : clock(p.toMs)}`.replace(/\s+/g, ' '));
}

/** The e2e section of the Markdown summary: the story (headline), the phases, then the timeline table. */
export function e2eMarkdown(e: E2eSection): string[] {
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  const out: string[] = ['## The story', ''];
  for (const h of e.headline) out.push(`- ${h}`);
  out.push('', `Population: ${e.population.records} records in ${e.population.zones} zones, ${e.population.ready} Ready after ${(e.population.setupMs / 1000).toFixed(1)} s of setup (not measured).`, '');
  out.push('Phases (m:ss from the start of the churn; the setup comes before it):', '');
  for (const p of phaseLines(e)) out.push(`- ${p}`);
  out.push('', `### Timeline (every ${(e.intervalMs / 1000).toFixed(0)} s; the worst interval in bold; operations by the interval of their intended start)`, '');
  out.push(`| interval | phases | ${timelineColumns.map((c) => c.heading).join(' | ')} |`, `| --- | --- | ${timelineColumns.map(() => '---:').join(' | ')} |`);
  for (const r of timelineRows(e)) out.push(`| ${r.cells.map((c) => (r.worst ? `**${cell(c)}**` : cell(c))).join(' | ')} |`);
  out.push('');
  return out;
}
