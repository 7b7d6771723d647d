import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { writeChunks } from './sink.js';
import { writeYamlStream } from './yaml-writer.js';
import { zoneFileLines } from './zone-file.js';
import { writeQueryFile } from './query-file.js';
import { quoteString, recordToRrs } from './rdata.js';
import { resolveFixtureOptions } from '../fixtures/options.js';
import { generateAll, generateZone, generateZoneRecords } from '../fixtures/generate.js';
import { generateQueries } from '../fixtures/queries.js';
import type { RecordObject } from '../fixtures/objects.js';

/** A sink that accepts one chunk per macrotask and records the most it was ever holding. */
function slowSink(): { out: Writable; text: () => string; maxBuffered: () => number } {
  const parts: string[] = [];
  let max = 0;
  const out = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk: Buffer, _enc, cb) {
      max = Math.max(max, out.writableLength);
      parts.push(chunk.toString('utf8'));
      setImmediate(cb);
    },
  });
  return { out, text: () => parts.join(''), maxBuffered: () => max };
}

test('writeChunks waits for drain, so buffered bytes stay bounded', async () => {
  const sink = slowSink();
  const chunk = 'x'.repeat(1000);
  let pulled = 0;
  function* source(): Generator<string> {
    for (let i = 0; i < 5000; i++) {
      pulled++;
      yield chunk;
    }
  }
  const stats = await writeChunks(source(), sink.out);
  assert.equal(stats.items, 5000);
  assert.equal(stats.bytes, 5_000_000);
  assert.equal(sink.text().length, 5_000_000);
  assert.equal(pulled, 5000);
  // One 64 KiB batch may go past the 16 KiB mark, but never a pile of them.
  assert.ok(sink.maxBuffered() <= 2 * 64 * 1024, `buffered ${sink.maxBuffered()} bytes`);
});

test('writeYamlStream writes --- separated documents, one per object', async () => {
  const sink = slowSink();
  const o = resolveFixtureOptions({ zones: 2, recordsPerZone: 100 });
  const stats = await writeYamlStream(generateAll(o), sink.out);
  assert.equal(stats.items, 1 + 2 + 200);
  assert.equal(sink.text().split(/^---$/m).length - 1, 203);
});

test('writeQueryFile writes one "name TYPE" line per query', async () => {
  const sink = slowSink();
  const o = resolveFixtureOptions({ recordsPerZone: 50, nxdomainShare: 0.2 });
  const qs = [...generateQueries(o)];
  const stats = await writeQueryFile(qs, sink.out);
  const lines = sink.text().trimEnd().split('\n');
  assert.equal(stats.items, qs.length);
  assert.equal(lines.length, qs.length);
  for (const l of lines) assert.match(l, /^\S+\. (A|AAAA|CNAME|MX|TXT|NS|SRV|CAA)$/);
});

test('quoteString escapes quotes, backslashes and non-printable bytes', () => {
  const table: [string, string][] = [
    ['plain text', '"plain text"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['a\\b', '"a\\\\b"'],
    ['tab\there', '"tab\\009here"'],
    ['é', '"\\195\\169"'],
    ['', '""'],
  ];
  for (const [input, want] of table) assert.equal(quoteString(input), want);
});

test('recordToRrs renders each kind in BIND syntax', () => {
  const base = { apiVersion: 'bindy.firestoned.io/v1beta1', metadata: { name: 'n', namespace: 'ns', labels: {} } };
  const table: [RecordObject, string[]][] = [
    [{ ...base, kind: 'ARecord', spec: { name: 'www', ttl: 60, ipv4Addresses: ['192.0.2.1', '192.0.2.2'] } }, ['192.0.2.1', '192.0.2.2']],
    [{ ...base, kind: 'MXRecord', spec: { name: 'm', ttl: 60, priority: 10, mailServer: 'mx.example.net.' } }, ['10 mx.example.net.']],
    [{ ...base, kind: 'SRVRecord', spec: { name: '_sip._tcp.h', ttl: 60, priority: 1, weight: 2, port: 5060, target: 's.example.org.' } }, ['1 2 5060 s.example.org.']],
    [{ ...base, kind: 'CAARecord', spec: { name: 'c', ttl: 60, flags: 128, tag: 'issue', value: 'pki.goog' } }, ['128 issue "pki.goog"']],
    [{ ...base, kind: 'TXTRecord', spec: { name: 't', ttl: 60, text: ['a"b', 'c'] } }, ['"a\\"b" "c"']],
  ];
  for (const [r, rdata] of table) assert.deepEqual(recordToRrs(r).map((rr) => rr.rdata), rdata);
});

test('zone files start with $ORIGIN, $TTL, SOA, apex NS and in-zone glue', () => {
  const o = resolveFixtureOptions({ recordsPerZone: 5 });
  const lines = [...zoneFileLines(generateZone(o, 0), generateZoneRecords(o, 0))].join('').split('\n');
  assert.equal(lines[1], '$ORIGIN zone-0.example.com.');
  assert.equal(lines[2], '$TTL 3600');
  assert.match(lines[3] ?? '', /^@\tIN\tSOA\tns1\.zone-0\.example\.com\. hostmaster\.zone-0\.example\.com\. 2025010101 3600 600 604800 300$/);
  assert.equal(lines[4], '@\tIN\tNS\tns1.zone-0.example.com.');
  assert.equal(lines[5], 'ns1.zone-0.example.com.\tIN\tA\t203.0.113.1');
});
