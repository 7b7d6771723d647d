import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summariseIntervals, worstInterval, type IntervalOperation } from './interval-summary.js';

/** HDR histograms keep 3 significant digits: a value comes back within 0.1 % (and its bucket's edge). */
function near(actual: number | null | undefined, expected: number): void {
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) <= expected * 0.002, `${actual} ≈ ${expected}`);
}

const op = (type: IntervalOperation['type'], intendedMs: number, effectMs: number | null, resolvableMs: number | null = null): IntervalOperation => ({ type, intendedMs, effectMs, resolvableMs });

test('operations fall in the interval of their intended start, each p99 from that interval alone', () => {
  const ops = [
    ...Array.from({ length: 100 }, (_, i) => op('create', i * 100, 200, 300)),
    // The second interval holds the slow ones.
    ...Array.from({ length: 100 }, (_, i) => op('create', 10_000 + i * 100, 5000, 6000)),
    op('delete', 10_500, null),
  ];
  const rows = summariseIntervals({ intervalMs: 10_000, endMs: 20_000, operations: ops, failuresAtMs: [12_000, 13_000], series: [], phases: [{ label: 'exp-0 operator-kill', fromMs: 12_000, toMs: 15_000 }] });
  assert.equal(rows.length, 2);
  assert.equal(rows[0]?.figures['operations'], 100);
  near(rows[0]?.figures['create_to_ready_p99_ms'], 200);
  near(rows[0]?.figures['resolvable_p99_ms'], 300);
  near(rows[1]?.figures['create_to_ready_p99_ms'], 5000);
  assert.equal(rows[1]?.figures['operations_not_seen_taking_effect'], 1);
  assert.equal(rows[1]?.figures['failures'], 2);
  assert.equal(rows[0]?.figures['update_to_ready_p99_ms'], null, 'nothing measured: null, not 0');
  assert.deepEqual(rows.map((r) => r.phases), [[], ['exp-0 operator-kill']]);
  const worst = worstInterval(rows);
  assert.equal(worst?.index, 1);
  assert.match(worst?.why ?? '', /change→answered p99 6\.0 s; create→Ready p99 5\.0 s; 2 failures; 1 operations never took effect; during exp-0 operator-kill/);
});

test('series are reduced per interval as their meaning asks: rates averaged, backlog at its max, losses summed', () => {
  const pts = (values: number[]): { t: number; value: number }[] => values.map((value, i) => ({ t: (i + 1) * 1000, value }));
  const rows = summariseIntervals({
    intervalMs: 2000,
    endMs: 4000,
    operations: [],
    failuresAtMs: [],
    series: [
      { name: 'dns_answers_per_second', unit: '1/s', description: '', points: pts([100, 200, 0, 0]) },
      { name: 'client_side_backlog', unit: 'objects', description: '', points: pts([5, 9, 3, 1]) },
      { name: 'dns_queries_lost', unit: 'queries', description: '', points: pts([0, 0, 50, 70]) },
      { name: 'unrelated', unit: 'x', description: '', points: pts([1, 1, 1, 1]) },
    ],
    phases: [],
  });
  assert.deepEqual(rows.map((r) => [r.figures['dns_answers_per_second'], r.figures['backlog_max'], r.figures['dns_queries_lost']]), [
    [150, 9, 0],
    [0, 3, 120],
  ]);
  assert.equal(rows[0]?.figures['unrelated'], undefined);
  assert.equal(worstInterval(rows), null, 'no operation measured: no worst interval');
  assert.throws(() => summariseIntervals({ intervalMs: 0, endMs: 1, operations: [], failuresAtMs: [], series: [], phases: [] }), RangeError);
});

test('the worst interval says sub-second figures in ms', () => {
  const rows = summariseIntervals({ intervalMs: 1000, endMs: 1000, operations: [op('update', 10, 41)], failuresAtMs: [], series: [], phases: [] });
  assert.match(worstInterval(rows)?.why ?? '', /^update→Ready p99 41 ms$/);
});
