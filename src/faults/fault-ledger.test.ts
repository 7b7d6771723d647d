import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../errors.js';
import { FaultLedger } from './fault-ledger.js';
import type { AppliedFault, FaultMechanism, FaultSpec, ProxyRevertDescriptor, RevertDescriptor } from './fault.js';

/** A mechanism whose faults live in a Set; `failRevert` names targets whose revert throws. */
function fakeMechanism(events: string[], failRevert = new Set<string>()): FaultMechanism & { inForce: Set<string> } {
  const inForce = new Set<string>();
  let n = 0;
  return {
    name: 'sandbox-proxy',
    inForce,
    unsupportedReason: (target, spec) => (target === 'udp' && spec.kind === 'reset' ? 'reset applies to TCP links only' : undefined),
    async apply(target: string, spec: FaultSpec, options = {}): Promise<AppliedFault> {
      const descriptor: ProxyRevertDescriptor = { mechanism: 'sandbox-proxy', version: 1, controlUrl: 'http://127.0.0.1:1', link: target, faultId: `f-${++n}`, listen: { host: '127.0.0.1', port: 1 } };
      await options.beforeApply?.(descriptor);
      events.push(`apply ${target}`);
      inForce.add(target);
      return {
        id: descriptor.faultId,
        target,
        spec,
        appliedAt: new Date().toISOString(),
        descriptor,
        revert: () => {
          events.push(`revert ${target}`);
          if (failRevert.has(target)) return Promise.reject(new Error(`${target}: control API timed out`));
          const already = !inForce.delete(target);
          return Promise.resolve({ reverted: true, already, detail: already ? 'already' : 'cleared' });
        },
        verifyReverted: () => Promise.resolve({ reverted: !inForce.has(target), checkedAt: new Date().toISOString(), faultCleared: !inForce.has(target), evidence: `${target} ${inForce.has(target) ? 'still faulted' : 'clear'}` }),
      };
    },
  };
}

void test('each descriptor is journalled before its fault takes effect', async () => {
  const events: string[] = [];
  const journalled: RevertDescriptor[] = [];
  const ledger = new FaultLedger({ journal: (d) => void (events.push(`journal ${d.mechanism === 'sandbox-proxy' ? d.link : d.mechanism === 'sandbox-process' ? d.part : d.mechanism}`), journalled.push(d)) });
  const m = fakeMechanism(events);
  const f = await ledger.apply(m, 'tcp', { kind: 'latency', ms: 100 });
  assert.deepEqual(events, ['journal tcp', 'apply tcp']);
  const d = journalled[0];
  assert.equal(d?.mechanism === 'sandbox-proxy' ? d.faultId : undefined, f.id);
});

void test('a second fault on a target still faulted is refused before anything is applied; so is one the mechanism cannot carry', async () => {
  const events: string[] = [];
  const ledger = new FaultLedger();
  const m = fakeMechanism(events);
  await ledger.apply(m, 'tcp', { kind: 'latency', ms: 100 });
  await assert.rejects(ledger.apply(m, 'tcp', { kind: 'loss', share: 0.1 }), (e: unknown) => e instanceof UsageError && e.message === 'fault on tcp: loss 10 % upstream overlaps latency 100 ms upstream, still in force there');
  await assert.rejects(ledger.apply(m, 'udp', { kind: 'reset' }), /fault on udp: reset applies to TCP links only/);
  assert.deepEqual(events, ['apply tcp']);
});

void test('revertAll reverts newest first, keeps going past a failure, and records every outcome with its proof', async () => {
  const events: string[] = [];
  const ledger = new FaultLedger();
  const m = fakeMechanism(events, new Set(['b']));
  for (const t of ['a', 'b', 'c']) await ledger.apply(m, t, { kind: 'partition' });
  const records = await ledger.revertAll();
  assert.deepEqual(events.filter((e) => e.startsWith('revert')), ['revert c', 'revert b', 'revert a']);
  assert.deepEqual(records.map((r) => [r.target, r.outcome.reverted, r.proof.reverted]), [['c', true, true], ['b', false, false], ['a', true, true]]);
  assert.match(records[1]?.outcome.detail ?? '', /b: control API timed out/);
  assert.equal(records[0]?.description, 'partition (blackhole)');
  assert.ok(records.every((r) => r.revertedAt >= r.appliedAt));
  // The one that failed stays in force, for a retry or for cleanup from the journal.
  assert.deepEqual(ledger.active.map((f) => f.target), ['b']);
  assert.equal(ledger.records.length, 3);
});

void test('a fault already ended (dead-man) reverts as already, and frees its target', async () => {
  const events: string[] = [];
  const ledger = new FaultLedger();
  const m = fakeMechanism(events);
  const f = await ledger.apply(m, 'tcp', { kind: 'reset', durationMs: 10 });
  m.inForce.delete('tcp'); // its dead-man ran out
  const r = await ledger.revert(f);
  assert.deepEqual([r.outcome.reverted, r.outcome.already, r.proof.reverted], [true, true, true]);
  assert.deepEqual(ledger.active, []);
  await ledger.apply(m, 'tcp', { kind: 'reset' });
});
