import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { E2eSection } from './result/index.js';
import { e2eMarkdown, phaseLines, timelineRows, timelineValue } from './e2e-story.js';

const section: E2eSection = {
  population: { zones: 3, records: 29, ready: 29, setupMs: 16_900 },
  phases: [
    { kind: 'setup', label: 'setup (population)', fromMs: -16_900, toMs: 0 },
    { kind: 'fault', label: 'exp-0 operator-kill', fromMs: 15_050, toMs: 28_900 },
    { kind: 'recovery', label: 'exp-0 recovery (not converged)', fromMs: 28_900, toMs: null },
  ],
  intervalMs: 15_000,
  intervals: [
    { index: 0, fromMs: 0, toMs: 15_000, phases: [], figures: { operations: 70, create_to_ready_p99_ms: 320.4, resolvable_p99_ms: null, dns_query_p99_max: 4.567 } },
    { index: 1, fromMs: 15_000, toMs: 30_000, phases: ['exp-0 operator-kill'], figures: { operations: 62, create_to_ready_p99_ms: 16_498.7, failures: 3 } },
  ],
  worst: { index: 1, why: 'create→Ready p99 16.5 s; 3 failures; during exp-0 operator-kill' },
  headline: ['the steady state did NOT hold: exp-0 operator-kill: converged after the revert', 'worst interval: 15.0 s–30.0 s after the churn started: create→Ready p99 16.5 s'],
};

test('the timeline: one row per interval, phases named (steady when none), values in their units, the worst marked', () => {
  const rows = timelineRows(section);
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[0]?.cells.slice(0, 4), ['0:00–0:15', 'steady', '70', '320 ms']);
  assert.deepEqual(rows[1]?.cells.slice(0, 4), ['0:15–0:30', 'exp-0 operator-kill', '62', '16.5 s']);
  assert.deepEqual(rows.map((r) => r.worst), [false, true]);
  assert.equal(timelineValue(null, 'ms'), '—');
  assert.equal(timelineValue(4.567, 'ms'), '4.57 ms');
  assert.equal(timelineValue(199.94, 'rate'), '199.9');
});

test('the story in Markdown: the headline first, then the phases (one that never ended says so), then the timeline', () => {
  const md = e2eMarkdown(section).join('\n');
  assert.ok(md.indexOf('## The story') < md.indexOf('did NOT hold') && md.indexOf('did NOT hold') < md.indexOf('Phases') && md.indexOf('Phases') < md.indexOf('### Timeline'), md);
  assert.match(md, /- recovery exp-0 recovery \(not converged\) 0:29–end \(never ended\)/);
  assert.match(md, /\| \*\*0:15–0:30\*\* \| \*\*exp-0 operator-kill\*\* \|/);
  assert.deepEqual(phaseLines(section)[0], 'setup setup (population) -0:17–0:00');
});
