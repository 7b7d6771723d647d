/** @module dnsperf query files: one `name TYPE` line per query. */
import type { Writable } from 'node:stream';
import type { QuerySpec } from '../fixtures/queries.js';
import { writeChunks } from './sink.js';
import type { WriteStats } from './sink.js';

/** The dnsperf line of one query. */
export function queryLine(q: QuerySpec): string {
  return `${q.name} ${q.type}\n`;
}

/** Streams queries to `out` in dnsperf's input format; `items` counts lines. Does not end `out`. */
export function writeQueryFile(queries: Iterable<QuerySpec>, out: Writable): Promise<WriteStats> {
  return writeChunks((function* () {
    for (const q of queries) yield queryLine(q);
  })(), out);
}
