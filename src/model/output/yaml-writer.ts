/** @module Multi-document YAML that `kubectl apply -f` accepts, written one document at a time. */
import type { Writable } from 'node:stream';
import { toYamlDocument } from './yaml-emit.js';
import { writeChunks } from './sink.js';
import type { WriteStats } from './sink.js';

/** The documents of `objects` as `---`-separated YAML chunks, one chunk per object. */
export function* yamlDocuments(objects: Iterable<object>): Generator<string> {
  for (const o of objects) yield `---\n${toYamlDocument(o)}`;
}

/** Streams `objects` to `out` as multi-document YAML; `items` counts documents. Does not end `out`. */
export function writeYamlStream(objects: Iterable<object>, out: Writable): Promise<WriteStats> {
  return writeChunks(yamlDocuments(objects), out);
}
