import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from './kube-client.js';
import { readinessOf } from './run-readiness.js';

const obj = (name: string, created: string, ready: boolean | null, extra: Partial<KubeObject['metadata']> = {}, observed = 1): KubeObject => ({
  apiVersion: 'bindy.firestoned.io/v1beta1',
  kind: 'ARecord',
  metadata: { name, creationTimestamp: created, generation: 1, ...extra },
  status: ready === null ? {} : { observedGeneration: observed, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', reason: ready ? 'ReconcileSucceeded' : 'ReconcileFailed' }] },
});

test('readiness: Ready at the current generation counts; not Ready and written well before the cut-off is overdue', () => {
  const cutoff = Date.parse('2026-12-03T10:00:10Z');
  const r = readinessOf(
    [
      obj('ok', '2026-12-03T10:00:00Z', true),
      obj('old-failing', '2026-12-03T10:00:00Z', false),
      obj('new', '2026-12-03T10:00:10Z', false), // written at the cut-off: on its way, not overdue
      obj('no-status', '2026-12-03T10:00:01Z', null),
      obj('stale-gen', '2026-12-03T10:00:00Z', true, { generation: 2 }), // Ready of generation 1 only
      obj('applied-late', '2026-12-03T10:00:00Z', false, { managedFields: [{ manager: 'bindy-loadtest', operation: 'Apply', time: '2026-12-03T10:00:10Z' }] }),
      obj('going', '2026-12-03T10:00:00Z', false, { deletionTimestamp: '2026-12-03T10:00:05Z' }),
    ],
    cutoff,
  );
  assert.equal(r.objects, 6);
  assert.equal(r.ready, 1);
  assert.equal(r.notReady, 5);
  assert.equal(r.overdue, 3, r.overdueNames.join(', '));
  assert.deepEqual(r.overdueNames, ['ARecord/old-failing (ReconcileFailed)', 'ARecord/no-status (no Ready condition)', 'ARecord/stale-gen (ReconcileSucceeded)']);
  assert.equal(readinessOf([obj('old-failing', '2026-12-03T10:00:00Z', false)], null).overdue, 0, 'no cut-off, nothing overdue');
});
