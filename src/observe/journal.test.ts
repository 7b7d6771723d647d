import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSettled, Journal, parseJournal, readJournals } from './journal.js';
import type { RevertDescriptor } from '../faults/fault.js';
import type { ChangeDescriptor } from '../faults/limits/change.js';

test('journal lines are in the file as soon as append returns, and a torn last line is skipped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  try {
    const j = new Journal(dir, 'run-a');
    j.append({ apiVersion: 'v', kind: 'ARecord', metadata: { name: 'x', namespace: 'n1' } });
    j.append({ apiVersion: 'v', kind: 'DNSZone', metadata: { name: 'z', namespace: 'n2' } });
    // Read without closing: what a SIGKILL right now would leave.
    const text = readFileSync(j.path, 'utf8');
    assert.equal(text.split('\n').filter(Boolean).length, 2);
    appendFileSync(j.path, '{"runId":"run-a","kind":"ARec'); // killed mid-write
    const [f] = readJournals(dir);
    assert.equal(f?.runId, 'run-a');
    assert.deepEqual(f?.namespaces, ['n1', 'n2']);
    assert.deepEqual(f?.objects.map((e) => e.name), ['x', 'z']);
    assert.equal(f?.skippedLines, 1);
    j.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a run id that is not a DNS label is refused (it names a file)', () => {
  assert.throws(() => new Journal(tmpdir(), '../etc'), /not a DNS label/);
  assert.equal(parseJournal('p', '').objects.length, 0);
});

test('lines written before typed entries are read as objects; the last sandbox line is the sandbox; unknown types are counted', () => {
  const text = [
    '{"runId":"r1","namespace":"ns","kind":"DNSZone","name":"z"}',
    '{"type":"sandbox","runId":"r1","home":"/h","dir":"/h/run-1","ownerPid":10,"processes":[{"name":"named","pid":11}],"stopped":false}',
    '{"type":"object","runId":"r1","namespace":"ns","kind":"ARecord","name":"a"}',
    '{"type":"sandbox","runId":"r1","home":"/h","dir":"/h/run-1","ownerPid":10,"processes":[{"name":"named","pid":11},{"name":"apiserver","pid":12}],"stopped":false}',
    '{"type":"node-drain","runId":"r1","what":"a later entry type"}',
    '{"type":"sandbox","runId":"r1","home":"/h"}',
  ].join('\n');
  const f = parseJournal('/j/run-r1.jsonl', text);
  assert.equal(f.runId, 'r1');
  assert.deepEqual(
    f.objects.map((o) => `${o.type}:${o.kind}/${o.name}`),
    ['object:DNSZone/z', 'object:ARecord/a'],
  );
  assert.deepEqual(f.sandbox?.processes.map((p) => p.pid), [11, 12]);
  assert.equal(f.unknownLines, 1, 'an entry type of a later version is counted, not taken for an object');
  assert.equal(f.skippedLines, 1, 'a sandbox line without its fields is not an entry');
});

test('the sandbox a run records is read back from the file, stopped once it says so', () => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  try {
    const j = new Journal(dir, 'run-b');
    j.appendSandbox({ home: '/h', dir: '/h/run-x', ownerPid: process.pid, processes: [{ name: 'apiserver', pid: 5 }], stopped: false });
    assert.equal(readJournals(dir)[0]?.sandbox?.stopped, false);
    j.appendSandbox({ home: '/h', dir: '/h/run-x', ownerPid: process.pid, processes: [{ name: 'apiserver', pid: 5 }], stopped: true });
    assert.equal(readJournals(dir)[0]?.sandbox?.stopped, true);
    j.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a fault journalled as applying is pending until its reverted line; the journal is not settled while one is', () => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  try {
    const j = new Journal(dir, 'run-c');
    const d: RevertDescriptor = { mechanism: 'sandbox-proxy', version: 1, controlUrl: 'http://127.0.0.1:1', link: 'operator-bind', faultId: 'f1', listen: { host: '127.0.0.1', port: 2 } };
    j.appendFaultApplying('exp-0', d);
    j.appendFaultApplying('exp-1', { ...d, faultId: 'f2' });
    let f = readJournals(dir)[0];
    assert.deepEqual(f?.faults.map((x) => `${x.key}:${x.descriptor.mechanism === 'sandbox-proxy' ? x.descriptor.faultId : ''}`), ['exp-0:f1', 'exp-1:f2']);
    assert.equal(f !== undefined && isSettled(f), false, 'a fault in force is something to undo');
    j.appendFaultReverted('exp-0');
    j.appendFaultReverted('exp-1');
    f = readJournals(dir)[0];
    assert.deepEqual(f?.faults, []);
    assert.equal(f !== undefined && isSettled(f), true);
    // A descriptor this version cannot read is not an entry (skipped and counted), never a guess.
    const bad = parseJournal('p', '{"type":"fault","runId":"r","key":"k","state":"applying","ownerPid":1,"descriptor":{"mechanism":"nope"}}');
    assert.equal(bad.skippedLines, 1);
    assert.deepEqual(bad.faults, []);
    j.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a change journalled as applying is pending until its restored line; it keeps a journal unsettled even once the run\'s sandbox stopped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  try {
    const j = new Journal(dir, 'run-d');
    j.appendSandbox({ home: '/h', dir: '/h/run-d', ownerPid: process.pid, processes: [], stopped: false });
    const d: ChangeDescriptor = { change: 'sandbox-operator-limits', version: 1, home: '/h', sandboxDir: '/h/run-d', originalArgs: ['--workers', '4'], cgroups: ['/sys/fs/cgroup/cpu/bindy-loadtest-d'] };
    j.appendChangeApplying('pressure', d);
    j.appendSandbox({ home: '/h', dir: '/h/run-d', ownerPid: process.pid, processes: [], stopped: true });
    let f = readJournals(dir)[0];
    assert.deepEqual(f?.changes, [{ key: 'pressure', ownerPid: process.pid, descriptor: d }]);
    // Its control groups outlive the sandbox: only a restore settles it.
    assert.equal(f !== undefined && isSettled(f), false);
    j.appendChangeRestored('pressure');
    f = readJournals(dir)[0];
    assert.deepEqual(f?.changes, []);
    assert.equal(f !== undefined && isSettled(f), true);
    j.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bindcar zone journalled as creating is pending until its deleted line, with where its token is read; it keeps the journal unsettled unless the run\'s sandbox stopped', () => {
  const text = [
    JSON.stringify({ type: 'bindcar-zone', runId: 'r', url: 'http://127.0.0.1:1', zone: 'a.test', state: 'creating', ownerPid: 7, token: { file: '/t' } }),
    JSON.stringify({ type: 'bindcar-zone', runId: 'r', url: 'http://127.0.0.1:1', zone: 'b.test', state: 'creating', ownerPid: 7, token: { env: 'BINDCAR_TOKEN' } }),
    JSON.stringify({ type: 'bindcar-zone', runId: 'r', url: 'http://127.0.0.1:1', zone: 'a.test', state: 'deleted', ownerPid: 7 }),
    JSON.stringify({ type: 'bindcar-zone', runId: 'r', url: 'http://127.0.0.1:1', zone: 'c.test', state: 'creating', ownerPid: 7 }),
  ].join('\n');
  const j = parseJournal('/x/run-r.jsonl', text);
  assert.deepEqual(j.bindcarZones, [{ url: 'http://127.0.0.1:1', zone: 'b.test', ownerPid: 7, token: { env: 'BINDCAR_TOKEN' } }]);
  assert.equal(j.skippedLines, 1, 'a creating line without its token source is not an entry');
  assert.equal(isSettled(j), false);
  const stopped = JSON.stringify({ type: 'sandbox', runId: 'r', home: '/h', dir: '/d', ownerPid: 7, processes: [], stopped: true });
  assert.equal(isSettled(parseJournal('/x/run-r.jsonl', `${text}\n${stopped}`)), true, 'its named went with the sandbox');
  const deleted = JSON.stringify({ type: 'bindcar-zone', runId: 'r', url: 'http://127.0.0.1:1', zone: 'b.test', state: 'deleted', ownerPid: 7 });
  assert.equal(isSettled(parseJournal('/x/run-r.jsonl', `${text}\n${deleted}`)), true);
});

test('a bindcar zone loaded into a cluster pod through the run\'s own port-forward keeps its pod (where a cleanup deletes it); a pod without every field is not an entry', () => {
  const pod = { server: 'https://api:6443', namespace: 'bindy-loadtest', pod: 'loadtest-primary-0-a', podUid: 'u1', container: 'bind9', zoneDir: '/var/cache/bind' };
  const text = [
    JSON.stringify({ type: 'bindcar-zone', runId: 'r', url: 'http://127.0.0.1:40001', zone: 'big.test', state: 'creating', ownerPid: 7, token: { env: 'BINDCAR_TOKEN' }, pod }),
    JSON.stringify({ type: 'bindcar-zone', runId: 'r', url: 'http://127.0.0.1:40001', zone: 'torn.test', state: 'creating', ownerPid: 7, token: { env: 'BINDCAR_TOKEN' }, pod: { ...pod, podUid: '' } }),
  ].join('\n');
  const j = parseJournal('/x/run-r.jsonl', text);
  assert.deepEqual(j.bindcarZones, [{ url: 'http://127.0.0.1:40001', zone: 'big.test', ownerPid: 7, token: { env: 'BINDCAR_TOKEN' }, pod }]);
  assert.equal(j.skippedLines, 1);
});
