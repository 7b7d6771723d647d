/** @module Tests of the sustained scenario's pure parts: the quiet window's counters, span and note. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quietSections } from './sustained.js';

test('quiet window: its span on the time series\' clock (ms since the load started) and said in its note', () => {
  // The load started at 2 s on the client's clock; the window ran from 70.4 s to 130.9 s on it.
  const q = quietSections({ fromMono: 70_400, toMono: 130_900, reconciles: 0, apiWrites: 3, topWrites: ['PATCH leases 3'], objects: 40, notes: [] }, 2_000);
  assert.deepEqual(q.span, { fromMs: 68_400, toMs: 128_900 });
  assert.equal(q.counters.quiet_window_seconds?.value, 60.5);
  assert.match(q.notes[0] ?? '', /^quiet window 61 s at rest \(68 s to 129 s after the load started\) over 40 objects: 0 reconciles, 3 API writes \(most: PATCH leases 3\)\./);
});
