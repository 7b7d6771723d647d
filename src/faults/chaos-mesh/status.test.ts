import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chaosState, chaosStateText } from './status.js';

const record = (phase: string, injected: number, recovered: number, events: unknown[] = []): Record<string, unknown> => ({ id: 'bindy-loadtest/bind9-0', selectorKey: '.', phase, injectedCount: injected, recoveredCount: recovered, events });

void test('an experiment is injected when every record is, or Chaos Mesh says AllInjected', () => {
  assert.equal(chaosState({}).injected, false, 'no status yet');
  assert.equal(chaosState({ status: { experiment: { containerRecords: [] } } }).injected, false, 'nothing selected yet');
  assert.equal(chaosState({ status: { experiment: { containerRecords: [record('Injected', 1, 0), record('Not Injected', 0, 0)] } } }).injected, false);
  assert.equal(chaosState({ status: { experiment: { containerRecords: [record('Injected', 1, 0), record('Injected', 1, 0)] } } }).injected, true);
  assert.equal(chaosState({ status: { conditions: [{ type: 'AllInjected', status: 'True' }], experiment: {} } }).injected, true);
  assert.equal(chaosState({ status: { conditions: [{ type: 'Selected', status: 'False' }], experiment: {} } }).nothingSelected, true);
});

void test('an experiment is recovered when no record is injected and each recovered as often as injected, or AllRecovered', () => {
  const s = (records: unknown[], conditions: unknown[] = []): boolean => chaosState({ status: { conditions, experiment: { desiredPhase: 'Stop', containerRecords: records } } }).recovered;
  assert.equal(s([record('Injected', 1, 0)]), false);
  assert.equal(s([record('Not Injected', 1, 1)]), true);
  assert.equal(s([record('Not Injected', 2, 1)]), false, 'a recovery still owed');
  assert.equal(s([]), false, 'no records: nothing says it recovered');
  assert.equal(s([], [{ type: 'AllRecovered', status: 'True' }]), true);
});

void test('failed events are kept (why an injection failed) and the state reads as one line', () => {
  const st = chaosState({
    status: {
      conditions: [{ type: 'Selected', status: 'True' }, { type: 'AllInjected', status: 'False' }],
      experiment: { desiredPhase: 'Run', containerRecords: [record('Not Injected', 0, 0, [{ type: 'Failed', operation: 'Apply', message: 'container not found', timestamp: '2026-12-01T00:00:00Z' }])] },
    },
  });
  assert.deepEqual(st.failures, ['bindy-loadtest/bind9-0: Apply failed: container not found']);
  assert.equal(st.records[0]?.lastFailure, 'bindy-loadtest/bind9-0: Apply failed: container not found');
  assert.equal(chaosStateText(st), '1 record(s): bindy-loadtest/bind9-0 Not Injected (injected 0, recovered 0); Selected=True, AllInjected=False; desired Run');
  assert.equal(chaosState({ status: 'garbage' }).records.length, 0);
});
