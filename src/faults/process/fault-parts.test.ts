import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faultPidsOf, faultProcessName, isFaultablePart, partUnsupportedReason } from './fault-parts.js';

test("a secondary's named and bindcar are parts faults act on; a named part's fault acts on the named binary under it", () => {
  assert.deepEqual(['operator', 'named', 'sidecar', 'named-secondary-0', 'sidecar-secondary-12', 'apiserver', 'named-secondary-x', 'named-secondary-01'].map(isFaultablePart), [true, true, true, true, true, false, false, false]);
  assert.equal(faultProcessName('named-secondary-0'), 'bind9');
  assert.equal(faultProcessName('sidecar-secondary-0'), 'sidecar-secondary-0');
  assert.deepEqual(faultPidsOf({ name: 'named-secondary-0', pid: 10, childPids: [11] }), [11]);
  assert.deepEqual(faultPidsOf({ name: 'sidecar-secondary-0', pid: 20, childPids: [] }), [20]);
  assert.deepEqual(faultPidsOf({ name: 'named', pid: 30, childPids: [31] }), [31]);
});

test('a secondary the sandbox does not run is refused, named as such', async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'bl-fault-parts-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  await writeFile(join(home, 'state.json'), JSON.stringify({ parts: [{ name: 'named' }, { name: 'named-secondary-0' }, { name: 'sidecar-secondary-0' }] }));
  assert.equal(partUnsupportedReason(home, 'named-secondary-0', 'a limit'), undefined);
  assert.equal(partUnsupportedReason(home, 'named', 'a limit'), undefined);
  assert.equal(partUnsupportedReason(home, 'named-secondary-1', 'a limit'), 'the sandbox runs no named-secondary-1 (its secondaries: sandbox up --secondaries N, or sandbox.secondaries)');
  assert.match(partUnsupportedReason(home, 'apiserver', 'a process fault') ?? '', /^the sandbox has no part "apiserver" a process fault can act on \(parts: operator, sidecar, named, and each secondary's/);
});
