import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxFailureRecords, OperationLedger } from './operation-ledger.js';

const refused = { status: 409, reason: 'Conflict', message: 'the object has been modified', causes: [] };

test('the ledger times each operation from its intended start, files refusals and unanswered ones, and leaves nothing unaccounted', () => {
  const l = new OperationLedger();
  l.start(1_000, { fromMs: 100, toMs: 1_100 });
  const a = l.begin('create', 'ARecord/ns/a', 1_000);
  l.accepted(a, 1_010, 1_020, 'u-a');
  l.done(a, 1_300, 'watch');
  const b = l.begin('update', 'ARecord/ns/a', 1_150);
  l.retried(b);
  l.retried(b);
  l.accepted(b, 1_160, 1_170, 'u-a');
  l.done(b, 1_400, 'watch');
  const c = l.begin('update', 'TXTRecord/ns/t', 1_200);
  l.failed(c, refused, 1_200, 1_205);
  const d = l.begin('delete', 'ARecord/ns/d', 1_250);
  l.accepted(d, 1_250, 1_260, 'u-d');
  const e = l.begin('create', 'ARecord/ns/e', 1_300, 'update');
  l.failed(e, { status: 0, reason: 'ECONNRESET', message: 'socket hang up', causes: [] }, 1_300, 1_301);
  l.dropped(5, 1_310);
  assert.equal(l.outstanding(), 1);
  l.finish(2_000, () => null);
  const s = l.snapshot();
  // HDR keeps 3 significant digits: equal within 0.1 %.
  const near = (v: number | null, want: number, what: string): void => assert.ok(v !== null && Math.abs(v - want) <= want * 0.001, `${what}: ${v} vs ${want}`);
  near(s.histograms.create.effect.summary().max, 300_000, 'create: 300 ms from the intended start');
  near(s.histograms.update.effect.summary().max, 250_000, 'update from the intended start');
  near(s.histograms.update.effectFromSend.summary().max, 240_000, 'from the send: 10 ms less');
  assert.deepEqual(
    { ...s.counts.update },
    { started: 2, accepted: 1, done: 1, rejected: 1, refusedByQuota: 0, errors: 0, notObserved: 0, retried: 1, substituted: 0 },
  );
  assert.equal(s.counts.delete.notObserved, 1);
  assert.equal(s.counts.create.errors, 1);
  assert.equal(s.counts.create.substituted, 1);
  assert.equal(s.dropped, 1);
  assert.deepEqual(s.rejectedByStatus, { '409': 1 });
  assert.deepEqual(s.failuresByReason, { 'update:Conflict': 1, 'create:ClientError': 1, 'delete:NotGoneByEnd': 1 });
  assert.deepEqual(s.failures.map((f) => [f.phase, f.reason, f.name]), [['update', 'Conflict', 't'], ['create', 'ClientError', 'e'], ['delete_to_gone', 'NotGoneByEnd', 'd']]);
  // Steady phase [1100, 2100): the create (done 1300) and the update (done 1400) took effect in it; only the update was also due in it.
  assert.deepEqual(s.steady, { done: 2, dueAndDone: 1, ms: 1_000 });
});

test('a hold in the steady phase moves its end later and is not counted in its length', () => {
  const l = new OperationLedger();
  l.start(0, { fromMs: 0, toMs: 1_000 });
  l.held(400, 700);
  l.held(2_000, 2_500); // after the (moved) end: nothing
  // Started before the original end, done after it but before the moved one (1,300): in the steady phase.
  const a = l.begin('create', 'ARecord/ns/a', 950);
  l.accepted(a, 960, 970, 'u-a');
  l.done(a, 1_200, 'watch');
  const b = l.begin('create', 'ARecord/ns/b', 1_250);
  l.accepted(b, 1_260, 1_270, 'u-b');
  l.done(b, 1_350, 'watch');
  l.finish(1_400, () => null);
  assert.deepEqual(l.snapshot().steady, { done: 1, dueAndDone: 2, ms: 1_000 });
});

test('failure records stop at the cap while every failure is still counted', () => {
  const l = new OperationLedger();
  l.start(0);
  for (let i = 0; i < maxFailureRecords + 20; i++) l.failed(l.begin('create', `ARecord/ns/f${i}`, i), refused, i, i + 1);
  const s = l.snapshot();
  assert.equal(s.failures.length, maxFailureRecords);
  assert.equal(s.failuresByReason['create:Conflict'], maxFailureRecords + 20);
  assert.equal(s.counts.create.rejected, maxFailureRecords + 20);
});

test('samples become offered, achieved and completed rates and the backlog series', () => {
  const l = new OperationLedger();
  l.start(0);
  l.sample(0, { due: 0, held: 0 });
  for (let i = 0; i < 10; i++) l.accepted(l.begin('create', `ARecord/ns/r${i}`, i * 100), i * 100, i * 100 + 5, `u${i}`);
  l.sample(1_000, { due: 10, held: 10 });
  const s = l.snapshot();
  const series = (n: string): number[] => s.series.find((x) => x.name === n)?.points.map((p) => p.value) ?? [];
  assert.deepEqual(series('offered_ops_per_second'), [10]);
  assert.deepEqual(series('achieved_ops_per_second'), [10]);
  assert.deepEqual(series('completed_ops_per_second'), [0]);
  assert.deepEqual(series('client_side_backlog'), [0, 10]);
});

test('a create refused 403 "exceeded quota" is counted apart from the failures; any other 403 is a failure', () => {
  const l = new OperationLedger();
  l.start(0);
  const quota = { status: 403, reason: 'Forbidden', message: 'arecords.bindy.firestoned.io "a" is forbidden: exceeded quota: q, requested: count/arecords.bindy.firestoned.io=1, used: count/arecords.bindy.firestoned.io=3, limited: count/arecords.bindy.firestoned.io=3', causes: [] };
  l.failed(l.begin('create', 'ARecord/ns/a', 0), quota, 0, 1);
  l.failed(l.begin('create', 'ARecord/ns/b', 0), { ...quota, message: 'arecords.bindy.firestoned.io "b" is forbidden: User "x" cannot create resource' }, 0, 1);
  const s = l.snapshot();
  assert.equal(s.counts.create.refusedByQuota, 1);
  assert.equal(s.counts.create.rejected, 1);
  assert.equal(l.counts().failed, 1);
  assert.deepEqual(s.rejectedByStatus, { '403': 2 });
  assert.deepEqual(s.failures.map((f) => f.name), ['b']);
});
