import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJournal } from '../observe/journal.js';
import type { RevertDescriptor } from '../faults/fault.js';
import { restoreJournalChanges, revertJournalFaults } from './cleanup-faults.js';
import type { ChangeDescriptor } from '../faults/limits/change.js';

const d = (faultId: string): RevertDescriptor => ({ mechanism: 'sandbox-proxy', version: 1, controlUrl: 'http://127.0.0.1:1', link: 'operator-bind', faultId, listen: { host: '127.0.0.1', port: 2 } });
const line = (o: object): string => JSON.stringify(o);

test('cleanup reverts the pending faults of a dead run, leaves a live run\'s to it, and skips those of a stopped own sandbox', async () => {
  const dead = parseJournal('/j/run-a.jsonl', [
    line({ type: 'fault', runId: 'a', key: 'exp-0', state: 'applying', ownerPid: 111, descriptor: d('f0') }),
    line({ type: 'fault', runId: 'a', key: 'exp-0', state: 'reverted', ownerPid: 111 }),
    line({ type: 'fault', runId: 'a', key: 'exp-1', state: 'applying', ownerPid: 111, descriptor: d('f1') }),
    line({ type: 'fault', runId: 'a', key: 'exp-2', state: 'applying', ownerPid: 111, descriptor: d('f2') }),
  ].join('\n'));
  const live = parseJournal('/j/run-b.jsonl', line({ type: 'fault', runId: 'b', key: 'exp-0', state: 'applying', ownerPid: 222, descriptor: d('g0') }));
  const ownSandbox = parseJournal('/j/run-c.jsonl', [
    line({ type: 'sandbox', runId: 'c', home: '/h', dir: '/h/x', ownerPid: 333, processes: [], stopped: true }),
    line({ type: 'fault', runId: 'c', key: 'exp-0', state: 'applying', ownerPid: 333, descriptor: d('h0') }),
  ].join('\n'));
  const reverted: string[] = [];
  const marked: string[] = [];
  const lines = await revertJournalFaults([dead, live, ownSandbox], {
    isAlive: (pid) => pid === 222,
    revert: (desc) => {
      const id = desc.mechanism === 'sandbox-proxy' ? desc.faultId : '';
      reverted.push(id);
      // f2's mechanism cannot prove it gone: reported failed, not marked reverted.
      const ok = id !== 'f2';
      return Promise.resolve({ descriptor: desc, outcome: { reverted: ok, already: false, detail: ok ? 'cleared' : 'control API unreachable' }, proof: { reverted: ok, checkedAt: '', faultCleared: ok, evidence: ok ? 'probe answered' : 'no answer' } });
    },
    markReverted: (j, key) => marked.push(`${j.runId}/${key}`),
  });
  assert.deepEqual(reverted, ['f1', 'f2'], 'only the dead run\'s faults not yet reverted');
  assert.deepEqual(marked, ['a/exp-1']);
  assert.deepEqual(lines.map((l) => `${l.runId}/${l.key}:${l.outcome}`), ['a/exp-1:reverted', 'a/exp-2:failed', 'b/exp-0:owner alive', 'c/exp-0:went with its sandbox']);
  assert.match(lines[1]?.detail ?? '', /control API unreachable/);
});

test('cleanup restores the pending changes of a dead run (also of its stopped sandbox: control groups outlive it), leaves a live run\'s, and says when it needs the cluster', async () => {
  const sandboxChange: ChangeDescriptor = { change: 'sandbox-operator-limits', version: 1, home: '/h', sandboxDir: '/h/x', originalArgs: [], cgroups: ['/cg/a'] };
  const clusterChange: ChangeDescriptor = { change: 'deployment-resources', version: 1, server: 'https://k', namespace: 'bindy-system', name: 'bindy', container: 'bindy', original: null, applied: {} };
  const dead = parseJournal('/j/run-a.jsonl', [
    line({ type: 'sandbox', runId: 'a', home: '/h', dir: '/h/x', ownerPid: 111, processes: [], stopped: true }),
    line({ type: 'change', runId: 'a', key: 'pressure', state: 'applying', ownerPid: 111, descriptor: sandboxChange }),
  ].join('\n'));
  const live = parseJournal('/j/run-b.jsonl', line({ type: 'change', runId: 'b', key: 'pressure', state: 'applying', ownerPid: 222, descriptor: sandboxChange }));
  const cluster = parseJournal('/j/run-c.jsonl', line({ type: 'change', runId: 'c', key: 'pressure', state: 'applying', ownerPid: 333, descriptor: clusterChange }));
  const marked: string[] = [];
  const lines = await restoreJournalChanges([dead, live, cluster], {
    isAlive: (pid) => pid === 222,
    restore: (d) => Promise.resolve(d.change === 'deployment-resources' ? null : { restored: true, already: true, evidence: 'control groups removed' }),
    markRestored: (j, key) => marked.push(`${j.runId}/${key}`),
  });
  assert.deepEqual(lines.map((l) => `${l.runId}:${l.outcome}`), ['a:already restored', 'b:owner alive', 'c:not here']);
  assert.deepEqual(marked, ['a/pressure'], 'only what was proven restored is marked');
  assert.match(lines[2]?.detail ?? '', /--target cluster/);
});
