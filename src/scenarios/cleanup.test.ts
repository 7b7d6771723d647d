import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runIdLabel } from '../model/kinds.js';
import { Journal } from '../observe/journal.js';
import { aRecord, startFakeOperator, startSandbox, watchesEnded } from '../../test/helpers/api-sandbox.js';
import { cleanup } from './cleanup.js';
import { defaultResources } from '../targets/sandbox/apiserver/default-resources.js';
import type { CleanupEvent } from './cleanup.js';

const ns = 'bindy-loadtest';
const finalizer = 'bindy.firestoned.io/arecord-finalizer';

test('cleanup by run id deletes by label, waits for finalizers, and leaves a foreign object alone', async () => {
  const sb = await startSandbox();
  const op = startFakeOperator(sb.server, { readyDelayMs: 1_000_000, finalizerDelayMs: 100, kinds: ['ARecord'] });
  try {
    await sb.namespace(ns);
    for (let i = 0; i < 20; i++) assert.ok((await sb.client.create(aRecord(`c-${i}`, ns, 'rc', { finalizers: [finalizer] }))).ok);
    assert.ok((await sb.client.create(aRecord('other-run', ns, 'rz'))).ok);
    assert.ok((await sb.client.create(aRecord('foreign', ns, null, { finalizers: [finalizer] }))).ok);
    const events: CleanupEvent[] = [];
    const report = await cleanup({ client: sb.client, target: { runId: 'rc' }, namespace: ns, kinds: ['ARecord', 'DNSZone'], timeoutMs: 5000, onEvent: (e) => events.push(e) });
    assert.equal(report.outcome, 'clean');
    assert.equal(report.found, 20);
    assert.equal(report.gone, 20);
    assert.ok(events.some((e) => e.type === 'progress'), 'progress while finalizers are removed');
    const left = await sb.client.list('ARecord', ns, `${runIdLabel}=rc`);
    assert.ok(left.ok);
    assert.equal(left.value.items.length, 0);
    const all = await sb.client.list('ARecord', ns, '');
    assert.ok(all.ok);
    assert.deepEqual(all.value.items.map((o) => o.metadata.name).sort(), ['foreign', 'other-run']);
    assert.equal(all.value.items.find((o) => o.metadata.name === 'foreign')?.metadata.deletionTimestamp, undefined, 'never marked for deletion');
  } finally {
    op.stop();
    await sb.close();
  }
});

test('cleanup is bounded: objects held by finalizers past the timeout are reported, not waited for forever', async () => {
  const sb = await startSandbox();
  try {
    await sb.namespace(ns);
    assert.ok((await sb.client.create(aRecord('stuck', ns, 'rt', { finalizers: [finalizer] }))).ok);
    const events: CleanupEvent[] = [];
    const report = await cleanup({
      client: sb.client,
      target: { runId: 'rt' },
      namespace: ns,
      kinds: ['ARecord'],
      timeoutMs: 600,
      waitingEveryMs: 100,
      operatorState: () => 'running',
      onEvent: (e) => events.push(e),
    });
    assert.equal(report.outcome, 'timeout');
    assert.deepEqual(report.remaining, [`ARecord/${ns}/stuck`]);
    const waiting = events.find((e) => e.type === 'waiting');
    assert.ok(waiting?.type === 'waiting', 'progress while nothing moves, not silence');
    assert.deepEqual(waiting.holders.map((h) => [h.key, h.finalizers]), [[`ARecord/${ns}/stuck`, [finalizer]]]);
    assert.deepEqual(report.holders.map((h) => h.key), [`ARecord/${ns}/stuck`]);
    assert.notEqual(report.holders[0]?.deletingForS, null, 'marked for deletion');
    assert.match(report.hint ?? '', /^the operator is running; the operator removes a record's finalizer/);
  } finally {
    await sb.close();
  }
});

test('a killed run is cleaned from its journal by cleanup --all, and its journal removed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'journal-'));
  const sb = await startSandbox();
  try {
    await sb.namespace(ns);
    await sb.namespace('other-ns');
    const journal = new Journal(dir, 'killed');
    for (let i = 0; i < 5; i++) {
      const obj = aRecord(`k-${i}`, i % 2 === 0 ? ns : 'other-ns', 'killed');
      journal.append(obj);
      assert.ok((await sb.client.create(obj)).ok);
    }
    journal.append(aRecord('k-never-sent', ns, 'killed')); // journalled, then "killed" before its create
    // No close(): the process "died"; the lines are already in the file.
    assert.ok((await sb.client.create(aRecord('foreign', 'other-ns', null))).ok);
    const report = await cleanup({ client: sb.client, target: { all: true }, namespace: ns, kinds: ['ARecord'], journalDir: dir, timeoutMs: 5000 });
    assert.equal(report.outcome, 'clean');
    assert.equal(report.found, 5, 'objects in the namespace named by the journal are found too');
    for (const n of [ns, 'other-ns']) {
      const l = await sb.client.list('ARecord', n, runIdLabel);
      assert.ok(l.ok);
      assert.equal(l.value.items.length, 0, n);
    }
    const foreign = await sb.client.list('ARecord', 'other-ns', '');
    assert.ok(foreign.ok);
    assert.deepEqual(foreign.value.items.map((o) => o.metadata.name), ['foreign']);
    assert.deepEqual(await readdir(dir), [], 'the journal is removed once its run is clean');
    journal.close();
  } finally {
    await sb.close();
    await rm(dir, { recursive: true, force: true });
  }
});


test("cleanup on bindy 0.6's CRDs: PTRRecord (0.8's) is left out by discovery, the rest is deleted", async () => {
  const sb = await startSandbox({ resources: defaultResources('0.6') });
  try {
    await sb.namespace(ns);
    for (let i = 0; i < 3; i++) assert.ok((await sb.client.create(aRecord(`ptr-old-${i}`, ns, 'old06'))).ok);
    const report = await cleanup({ client: sb.client, target: { runId: 'old06' }, namespace: ns, timeoutMs: 5000 });
    assert.equal(report.outcome, 'clean');
    assert.equal(report.found, 3);
    await watchesEnded(sb.server);
  } finally {
    await sb.close();
  }
});
