import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal, parseJournal, readJournals } from './journal.js';

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
    assert.deepEqual(f?.entries.map((e) => e.name), ['x', 'z']);
    assert.equal(f?.skippedLines, 1);
    j.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a run id that is not a DNS label is refused (it names a file)', () => {
  assert.throws(() => new Journal(tmpdir(), '../etc'), /not a DNS label/);
  assert.equal(parseJournal('p', '').entries.length, 0);
});
