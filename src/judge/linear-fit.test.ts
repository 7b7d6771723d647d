import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linearFit } from './linear-fit.js';
import { createRng } from '../model/fixtures/prng.js';
import { gaussian } from '../../test/helpers/synthetic-result.js';

test('an exact line is recovered with a zero-width interval', () => {
  const fit = linearFit([0, 1, 2, 3, 4].map((x) => ({ x, y: 3 + 2 * x })));
  assert.ok(fit !== null);
  assert.ok(Math.abs(fit.slope - 2) < 1e-12);
  assert.ok(Math.abs(fit.intercept - 3) < 1e-12);
  assert.ok(fit.slopeInterval !== null && fit.slopeInterval.high - fit.slopeInterval.low < 1e-9);
});

test('degenerate inputs: fewer than 2 points or one x give no fit; 2 points give no interval', () => {
  assert.equal(linearFit([{ x: 1, y: 1 }]), null);
  assert.equal(linearFit([{ x: 1, y: 1 }, { x: 1, y: 2 }]), null);
  assert.equal(linearFit([{ x: 0, y: 0 }, { x: 1, y: 2 }])?.slopeInterval, null);
});

test('without a confidence the fit is the same, only the interval is left out', () => {
  const pts = [0, 1, 2, 3, 4, 5].map((x) => ({ x, y: 1 + 0.5 * x + (x % 2 === 0 ? 0.3 : -0.3) }));
  const full = linearFit(pts);
  const bare = linearFit(pts, null);
  assert.ok(full !== null && bare !== null && full.slopeInterval !== null);
  assert.deepEqual({ ...bare, slopeInterval: full.slopeInterval }, full);
  assert.equal(bare.slopeInterval, null);
});

// Known slope + Gaussian noise, many seeds: the 95 % interval must contain the true slope in about
// 95 % of them (a coverage check of the derivation, not of one lucky seed).
test('the 95 % slope interval covers a known slope in about 95 % of noisy series', () => {
  const trueSlope = 0.5;
  let covered = 0;
  const trials = 400;
  for (let s = 1; s <= trials; s++) {
    const rng = createRng(s);
    const pts = Array.from({ length: 30 }, (_, i) => ({ x: i, y: 10 + trueSlope * i + 4 * gaussian(rng) }));
    const fit = linearFit(pts);
    assert.ok(fit?.slopeInterval);
    if (fit.slopeInterval.low <= trueSlope && trueSlope <= fit.slopeInterval.high) covered++;
  }
  const rate = covered / trials;
  assert.ok(rate > 0.92 && rate < 0.98, `coverage ${rate}`);
});
