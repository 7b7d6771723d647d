import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupNote, cleanupPrinter } from './cleanup-printer.js';
import type { CleanupReport } from '../scenarios/cleanup.js';

const holder = { key: 'DNSZone/ns/z', finalizers: ['bindy.firestoned.io/dnszone-finalizer'], deletingForS: 10, condition: null };

test('while cleanup waits it names what holds it, in full when that changes and in one line while it does not', () => {
  let out = '';
  const print = cleanupPrinter((t) => (out += t));
  print({ type: 'waiting', remaining: 1, gone: 9, elapsedMs: 5000, holders: [holder], hint: 'why' });
  print({ type: 'waiting', remaining: 1, gone: 9, elapsedMs: 10_000, holders: [{ ...holder, deletingForS: 15 }], hint: 'why' });
  print({ type: 'done', remaining: 0, outcome: 'clean' });
  assert.equal(
    out,
    [
      'cleanup: waiting 5 s: 9 gone, 1 still there, held by:',
      '  DNSZone/ns/z (finalizer bindy.firestoned.io/dnszone-finalizer; deleting for 10 s)',
      '  (why)',
      'cleanup: waiting 10 s: 9 gone, 1 still there, held as above',
      'cleanup: clean, 0 left',
      '',
    ].join('\n'),
  );
});

test('an unfinished cleanup note says where the objects go: with the run’s own sandbox, or to a later cleanup', () => {
  const report: CleanupReport = { selector: 's', found: 2, gone: 1, remaining: ['DNSZone/ns/z'], journalsRemoved: [], outcome: 'timeout', holders: [holder], hint: 'the cause', events: { found: 0, deleted: 0, failures: [], resumedAfterExpiry: 0 } };
  assert.equal(cleanupNote(report, 'r1'), 'cleanup timed out: 1 objects still there (deletion was requested): DNSZone/ns/z (the cause); remove them with: bindy-loadtest cleanup --run-id r1');
  assert.match(cleanupNote({ ...report, outcome: 'aborted', hint: null }, 'r1', true), /^cleanup interrupted: 1 objects were still there .*; they go with the sandbox this run started, which it stops now$/);
});

test('the note says how many Events about the run’s objects went, and why they stayed when they could not be listed', () => {
  const report: CleanupReport = { selector: 's', found: 3, gone: 3, remaining: [], journalsRemoved: [], outcome: 'clean', holders: [], hint: null, events: { found: 7, deleted: 7, failures: [], resumedAfterExpiry: 0 } };
  assert.equal(cleanupNote(report, 'r1'), 'cleanup: 3 objects labelled with the run id deleted and seen gone; 7 Events about them deleted');
  assert.equal(
    cleanupNote({ ...report, events: { found: 7, deleted: 6, failures: ['ns/e1: HTTP 403 forbidden'], resumedAfterExpiry: 0 } }, 'r1'),
    'cleanup: 3 objects labelled with the run id deleted and seen gone; 6 of 7 Events about them deleted (ns/e1: HTTP 403 forbidden)',
  );
  assert.equal(
    cleanupNote({ ...report, events: { found: 7, deleted: 7, failures: [], resumedAfterExpiry: 2 } }, 'r1'),
    "cleanup: 3 objects labelled with the run id deleted and seen gone; 7 Events about them deleted (the Events list outlived the server's compaction window and went on from a newer snapshot 2 times: an Event written meanwhile may be left)",
  );
  assert.equal(
    cleanupNote({ ...report, events: null, eventsError: 'listing Events in ns: HTTP 403: forbidden' }, 'r1'),
    'cleanup: 3 objects labelled with the run id deleted and seen gone; the Events about them were not removed (listing Events in ns: HTTP 403: forbidden); a cluster drops them after its --event-ttl (1 h by default)',
  );
  let out = '';
  cleanupPrinter((t) => (out += t))({ type: 'events', found: 7, deleted: 7, failures: [], resumedAfterExpiry: 0 });
  assert.equal(out, "cleanup: 7 of 7 Events about the run's objects deleted\n");
});
