import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backlogStability } from './stability.js';

const series = (f: (s: number) => number, seconds: number): { t: number; value: number }[] => Array.from({ length: seconds + 1 }, (_, s) => ({ t: s * 1000, value: f(s) }));

test('a backlog that gains 2 objects a second over the steady phase is growing, with the slope inside its interval', () => {
  const s = backlogStability(series((x) => 10 + 2 * x + ((x * 7) % 5) - 2, 120), 20_000, 120_000, 20);
  assert.equal(s.verdict, 'growing');
  assert.ok(s.slopePerMinute !== null && Math.abs(s.slopePerMinute - 120) < 5, `slope ${s.slopePerMinute}`);
  assert.ok(s.interval !== null && s.interval.low <= 120 && s.interval.high >= 120);
});

test('a backlog that hovers with noise, or drifts by less than a second of work, is stable', () => {
  assert.equal(backlogStability(series((x) => 12 + ((x * 13) % 9) - 4, 300), 30_000, 300_000, 50).verdict, 'stable');
  // +0.05/s over 100 s = 5 objects: below one second at 20/s.
  assert.equal(backlogStability(series((x) => 3 + 0.05 * x, 100), 0, 100_000, 20).verdict, 'stable');
  assert.equal(backlogStability(series(() => 4, 100), 0, 100_000, 20).verdict, 'stable');
});

test('a draining backlog and a phase too short for a verdict are named as such', () => {
  assert.equal(backlogStability(series((x) => 400 - 3 * x, 100), 0, 100_000, 20).verdict, 'draining');
  assert.equal(backlogStability(series((x) => x, 5), 0, 5_000, 20).verdict, 'too-short');
});
