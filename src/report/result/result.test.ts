/** @module Tests of the run-result format: round trip, versioning, schema errors, the example file. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, UsageError } from '../../errors.js';
import { toolVersion } from '../../version.js';
import { createLatencyHistogram } from '../../measure/index.js';
import {
  createRunResult,
  finishRunResult,
  histogramOf,
  hostInfo,
  latencyResult,
  parseResult,
  readResultFile,
  serializeResult,
  writeResultFile,
} from './index.js';
import type { RunResult } from './index.js';
import { packageRoot } from '../../package-root.js';

function sampleResult(): RunResult {
  const r = createRunResult({
    toolVersion,
    runId: 'run-1',
    scenario: 'burst',
    profile: null,
    target: { kind: 'sandbox', description: 'sandbox on loopback' },
    startedAt: '2026-01-12T09:30:00.000Z',
    commandLine: ['run', 'burst'],
    seed: 7,
    host: hostInfo(),
  });
  const h = createLatencyHistogram();
  const k = createLatencyHistogram();
  for (let v = 1000; v < 900_000; v += 997) {
    h.record(v);
    if (v % 2 === 0) k.record(v);
  }
  h.record(-1); // a negative latency is kept as a count
  r.latencies.create_to_ready = latencyResult(h, 'intended start to first Ready=True', { byKind: { ARecord: k } });
  r.failures.push({ kind: 'ARecord', name: 'a-1', uid: null, phase: 'create_to_ready', reason: 'Timeout', message: 'not Ready', lastCondition: null });
  return finishRunResult(r, { status: 'completed', endedAt: '2026-01-12T09:31:00.000Z', durationMs: 60_000.5 });
}

void test('a new result is valid, every section empty, status aborted until finished', () => {
  const r = createRunResult(sampleResult().metadata);
  assert.equal(r.metadata.status, 'aborted');
  assert.equal(r.metadata.endedAt, null);
  assert.deepEqual(r.latencies, {});
  assert.deepEqual(parseResult(serializeResult(r), 'new.json'), r);
});

void test('serialize → parse round trip gives the same result, and the text is stable', () => {
  const r = sampleResult();
  const text = serializeResult(r);
  const back = parseResult(text, 'result.json');
  assert.deepEqual(back, r);
  assert.equal(serializeResult(back), text);
  assert.ok(text.startsWith('{\n  "schemaVersion": 1,\n  "metadata": {'), 'schemaVersion and metadata come first');
  assert.ok(text.endsWith('}\n'));
  // The stored histogram decodes to the stored summary (including the out-of-range count).
  const entry = back.latencies.create_to_ready;
  assert.ok(entry);
  assert.deepEqual(histogramOf(entry).summary(), entry.summary);
  assert.equal(entry.summary.outOfRange.invalid, 1);
});

void test('a key order change in memory does not change the text', () => {
  const r = sampleResult();
  const { host, ...rest } = r.metadata;
  const shuffled = { ...r, metadata: { host, ...rest } };
  assert.equal(serializeResult(shuffled), serializeResult(r));
});

void test('sections left out of a document read as empty', () => {
  const r = sampleResult();
  const minimal = parseResult(JSON.stringify({ schemaVersion: 1, metadata: r.metadata }), 'min.json');
  assert.deepEqual(minimal.failures, []);
  assert.equal(minimal.apiAmplification, null);
  assert.deepEqual(minimal.config, { effective: {}, origins: {} });
});

void test('schemaVersion missing or other than 1 is a UsageError naming the file and both versions', () => {
  const meta = sampleResult().metadata;
  assert.throws(
    () => parseResult(JSON.stringify({ schemaVersion: 7, metadata: meta }), 'result.json'),
    (e: unknown) =>
      e instanceof UsageError &&
      e.message === `result.json: schemaVersion 7 is not supported by bindy-loadtest ${toolVersion} (it reads version 1)`,
  );
  assert.throws(() => parseResult(JSON.stringify({ metadata: meta }), 'old.json'), /^UsageError: old\.json: schemaVersion is missing/);
  assert.throws(() => parseResult(JSON.stringify({ schemaVersion: '1', metadata: meta }), 'x.json'), /schemaVersion "1" is not supported/);
});

void test('invalid JSON is a UsageError naming the file and line', () => {
  assert.throws(
    () => parseResult('{\n  "schemaVersion": 1,\n  oops\n}', 'bad.json'),
    (e: unknown) => e instanceof UsageError && /^bad\.json:3: not valid JSON/.test(e.message),
  );
  assert.throws(() => parseResult('[1]', 'arr.json'), /arr\.json: a run result must be a JSON object/);
});

void test('schema violations are a ConfigError listing every JSON path', () => {
  const doc = JSON.parse(serializeResult(sampleResult())) as Record<string, unknown> & { metadata: Record<string, unknown> };
  doc.metadata.status = 'done';
  delete doc.metadata.runId;
  const latencies = doc.latencies as Record<string, { summary: Record<string, unknown> }>;
  const entry = latencies.create_to_ready;
  assert.ok(entry);
  entry.summary.p99 = 'fast';
  (doc.failures as Record<string, unknown>[])[0] = { kind: 'ARecord' };
  let error: unknown;
  try {
    parseResult(JSON.stringify(doc), 'result.json');
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof ConfigError, String(error));
  const keys = error.issues.map((i) => i.key);
  for (const want of ['metadata.status', 'metadata.runId', 'latencies.create_to_ready.summary.p99', 'failures[0].uid']) {
    assert.ok(keys.includes(want), `${want} in ${keys.join(', ')}`);
  }
  assert.ok(error.issues.every((i) => i.source === 'result.json'));
  assert.match(error.message, /result\.json: metadata\.status: must be one of "completed", "failed", "aborted"/);
});

void test('serializeResult refuses what JSON would silently change (NaN becomes null)', () => {
  const r = sampleResult();
  r.counters.broken = { value: Number.NaN, unit: 'requests', description: 'x' };
  assert.throws(() => serializeResult(r), (e: unknown) => e instanceof ConfigError && e.issues.some((i) => i.key === 'counters.broken.value'));
});

void test('the example result file validates and its histograms match their summaries', async () => {
  const path = join(packageRoot(), 'examples', 'result.example.json');
  const r = parseResult(await readFile(path, 'utf8'), 'examples/result.example.json');
  assert.equal(r.metadata.status, 'completed');
  const names = Object.keys(r.latencies);
  assert.ok(names.length > 0);
  for (const name of names) {
    const entry = r.latencies[name];
    assert.ok(entry);
    assert.deepEqual(histogramOf(entry).summary(), entry.summary, name);
    for (const [kind, sub] of Object.entries(entry.byKind ?? {})) assert.deepEqual(histogramOf(sub).summary(), sub.summary, `${name}.${kind}`);
  }
});

void test('writeResultFile then readResultFile round trips; a missing file is a UsageError naming it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bindy-loadtest-result-'));
  try {
    const path = join(dir, 'result.json');
    const r = sampleResult();
    await writeResultFile(path, r);
    assert.deepEqual(await readResultFile(path), r);
    await writeFile(join(dir, 'v2.json'), JSON.stringify({ schemaVersion: 2 }));
    await assert.rejects(readResultFile(join(dir, 'v2.json')), /v2\.json: schemaVersion 2 is not supported/);
    await assert.rejects(readResultFile(join(dir, 'none.json')), (e: unknown) => e instanceof UsageError && e.message.includes('none.json'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
