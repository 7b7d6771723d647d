/** @module An Analysis as Markdown for a pull-request comment (pure). */
import type { Analysis, ComparisonRow } from './analyze.js';

function num(x: number | null, unit: string): string {
  if (x === null) return '—';
  if (unit === 'fraction') return `${(x * 100).toPrecision(3)} %`;
  const abs = Math.abs(x);
  const s = abs >= 100 ? x.toFixed(0) : abs >= 1 ? x.toFixed(2) : x.toPrecision(3);
  return `${s} ${unit}`;
}

function change(r: ComparisonRow): string {
  if (r.change === null) return r.baseline !== null && r.current !== null && r.baseline !== r.current ? 'from 0' : '—';
  const pct = r.change * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)} %`;
}

function verdict(r: ComparisonRow): string {
  switch (r.verdict) {
    case 'regression':
      return '**REGRESSION**';
    case 'worse':
      return r.significant === false ? 'worse, not significant' : r.significant === true ? 'worse, significant, not bindy\'s (see note)' : 'worse, untested';
    case 'better':
      return r.significant === true ? 'better' : 'better, not significant';
    case 'same':
      return 'same';
    case 'not-compared':
      return `not compared${r.note !== undefined ? `: ${r.note}` : ''}`;
  }
}

function pValue(p: number | null): string {
  if (p === null) return '—';
  return p < 1e-4 ? '< 0.0001' : p.toFixed(4);
}

/** Renders the comparison: a headline, one table row per metric, and how the tests work. */
export function analysisMarkdown(a: Analysis): string {
  const lines: string[] = [];
  const head = a.regressions === 0 ? 'no regression' : `**${a.regressions} regression${a.regressions === 1 ? '' : 's'}**`;
  lines.push(`### bindy-loadtest ${a.scenario}: ${a.currentRun} vs baseline (${a.baselineRuns.length} run${a.baselineRuns.length === 1 ? '' : 's'})`);
  lines.push('');
  lines.push(`${head} — threshold ${(a.threshold * 100).toFixed(1)} %, one-sided tests at α = ${a.alpha}. Baseline runs: ${a.baselineRuns.join(', ')}.`);
  lines.push('');
  if (a.differences.length > 0) lines.push(`The current run differs from the baseline in: ${a.differences.join('; ')}.`, '');
  lines.push('| metric | baseline | current | change | verdict | test | p-value |');
  lines.push('| --- | ---: | ---: | ---: | --- | --- | ---: |');
  for (const r of a.rows) {
    const cells = [r.metric, num(r.baseline, r.unit), num(r.current, r.unit), change(r), verdict(r), r.test + (r.note !== undefined && r.verdict !== 'not-compared' ? ` (${r.note})` : ''), pValue(r.pValue)];
    lines.push(`| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`);
  }
  lines.push('');
  lines.push(
    'A regression is a change in the worse direction (latencies, error rates, memory and CPU: higher; rates: lower) of at least the threshold that is also significant. ' +
      'Latencies: Mann–Whitney U on the merged HDR histograms (ties per bucket); with ≥ 2 baseline runs the current percentile must also lie outside the runs’ own range. ' +
      'Per-run figures: prediction-interval t test against the baseline runs’ spread (none with 1 run); error and retry rates: two-proportion z test on the pooled counts. ' +
      'Baseline figures are the mean of the runs (shares: pooled).',
  );
  return `${lines.join('\n')}\n`;
}
