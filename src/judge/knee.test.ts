import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findKnee, judgeStep, stepRates, type RateStep } from './knee.js';

/** A backlog sampled every second: flat at `level` while the rate is at most `capacity`, else growing by the excess. */
function backlogOf(steps: readonly RateStep[], capacity: number, level = 3): { t: number; value: number }[] {
  const out: { t: number; value: number }[] = [];
  let extra = 0;
  for (const s of steps) {
    for (let t = s.fromMs + 1000; t <= s.toMs; t += 1000) {
      extra += Math.max(0, s.rate - capacity);
      out.push({ t, value: level + extra + ((t / 1000) % 2) }); // a little noise
    }
  }
  return out;
}

const steps = (rates: number[], ms: number): RateStep[] => rates.map((rate, i) => ({ rate, fromMs: i * ms, toMs: (i + 1) * ms }));

test('the knee is the last flat step before the first growing one, and the saturated reconcile rate is read at that growing step', () => {
  const s = steps([2, 4, 6, 8], 15_000);
  const backlog = backlogOf(s, 5);
  const reconciles = s.flatMap((st) => Array.from({ length: 15 }, (_, k) => ({ t: st.fromMs + (k + 1) * 1000, value: Math.min(st.rate, 5) })));
  const verdicts = s.map((st) => judgeStep(st, { backlog, reconciles }));
  assert.deepEqual(verdicts.map((v) => v.stability.verdict), ['stable', 'stable', 'growing', 'growing']);
  const knee = findKnee(verdicts);
  assert.equal(knee.rate, 4);
  assert.equal(knee.firstGrowingRate, 6);
  assert.equal(knee.saturatedReconcilesPerSec, 5);
  assert.match(knee.text, /flat up to 4\/s and grew at 6\/s/);
});

test('no growing step: the knee is the last step and the text says it lies above; a first step that grows: no knee', () => {
  const s = steps([1, 2], 15_000);
  const flat = findKnee(s.map((st) => judgeStep(st, { backlog: backlogOf(s, 100) })));
  assert.equal(flat.rate, 2);
  assert.equal(flat.firstGrowingRate, null);
  assert.match(flat.text, /lies above it/);
  const grows = findKnee(s.map((st) => judgeStep(st, { backlog: backlogOf(s, 0) })));
  assert.equal(grows.rate, null);
  assert.equal(grows.firstGrowingRate, 1);
  assert.match(grows.text, /lies below it/);
});

test('a step with too few samples in its judged part is too short, and does not count as flat', () => {
  const s = steps([1, 2], 6_000);
  const v = s.map((st) => judgeStep(st, { backlog: backlogOf(s, 100) }));
  assert.deepEqual(v.map((x) => x.stability.verdict), ['too-short', 'too-short']);
  assert.equal(findKnee(v).rate, null);
});

test('step rates go from start by step up to max, keeping fractional steps exact', () => {
  assert.deepEqual(stepRates(5, 5, 20), [5, 10, 15, 20]);
  assert.deepEqual(stepRates(0.1, 0.1, 0.3), [0.1, 0.2, 0.3]);
  assert.deepEqual(stepRates(3, 5, 3), [3]);
});
