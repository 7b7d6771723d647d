import { test } from 'node:test';
import assert from 'node:assert/strict';
import { longestGap } from './dns-gap.js';

test('the DNS gap is the longest stretch without an answer in the window, edges included', () => {
  assert.equal(longestGap([0, 250, 500, 750, 1000], 0, 1000), 250);
  // An outage from 1,000 to 3,500 ms: the gap is 2,500 ms.
  assert.equal(longestGap([0, 250, 500, 750, 1000, 3500, 3750], 0, 4000), 2500);
  // No answer at all in the window: the whole window.
  assert.equal(longestGap([100, 5000], 1000, 3000), 2000);
  // Answers outside the window do not shorten it; the stretch after the last answer counts.
  assert.equal(longestGap([0, 900, 1100], 1000, 2000), 900);
});
