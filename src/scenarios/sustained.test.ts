/** @module Tests of the sustained scenario's pure parts: the quiet window's counters, span and note. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quietSections } from './sustained.js';

test('quiet window: its span on the time series\' clock (ms since the load started) and said in its note', () => {
  // The load started at 2 s on the client's clock; the window ran from 70.4 s to 130.9 s on it.
  const q = quietSections({ fromMono: 70_400, toMono: 130_900, reconciles: 0, apiWrites: 3, topWrites: ['PATCH leases 3'], objects: 40, settle: { waitedMs: 6200, reconciles: 2, rested: true }, notes: [] }, 2_000);
  assert.deepEqual(q.span, { fromMs: 68_400, toMs: 128_900 });
  assert.equal(q.counters.quiet_window_seconds?.value, 60.5);
  assert.match(q.notes[0] ?? '', /^quiet window 61 s at rest \(68 s to 129 s after the load started\) over 40 objects: 0 reconciles, 3 API writes \(most: PATCH leases 3\)\./);
  assert.equal(q.counters.quiet_window_settle_reconciles?.value, 2);
  assert.equal(q.counters.quiet_window_settle_seconds?.value, 6.2);
  assert.equal(q.notes[1], 'the window opened 6.2 s after the load\'s effects were seen, once the operator had made no reconcile for 5 s (2 reconciles in that tail)');
});

test('quiet window: an operator that never rested, or one whose counter cannot be read, is said so', () => {
  const base = { fromMono: 0, toMono: 60_000, reconciles: 40, apiWrites: 9, topWrites: [], objects: 40, notes: [] };
  const busy = quietSections({ ...base, settle: { waitedMs: 30_000, reconciles: 120, rested: false } }, 0);
  assert.equal(busy.notes[1], 'the operator never paused 5 s within 30 s after the load (120 reconciles): the window opened anyway');
  const blind = quietSections({ ...base, settle: { waitedMs: 0, reconciles: null, rested: false } }, 0);
  assert.match(blind.notes[1] ?? '', /could not be read/);
  assert.equal(blind.counters.quiet_window_settle_reconciles, undefined);
});
