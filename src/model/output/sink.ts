/** @module Writing a stream of text chunks to a Writable with backpressure, batching small chunks to cut syscalls. */
import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** What a writer produced. */
export interface WriteStats {
  /** Items written (documents, records, lines: each writer says which). */
  items: number;
  /** UTF-8 bytes written. */
  bytes: number;
}

/** Chunks are gathered up to this many characters before one `write` (64 KiB). */
const batchChars = 64 * 1024;

/**
 * Writes every chunk of `chunks` to `out`, in order, waiting for `drain` whenever `write` says the
 * buffer is full, so memory stays bounded whatever the size of the source. Does not end `out`.
 * `count` tells how many items a chunk stands for (default 1).
 */
export async function writeChunks(chunks: Iterable<string>, out: Writable, count: (chunk: string) => number = () => 1): Promise<WriteStats> {
  let items = 0;
  let bytes = 0;
  let buf = '';
  const flush = async (): Promise<void> => {
    if (buf === '') return;
    bytes += Buffer.byteLength(buf);
    const ok = out.write(buf);
    buf = '';
    if (!ok) await once(out, 'drain');
  };
  for (const c of chunks) {
    buf += c;
    items += count(c);
    if (buf.length >= batchChars) await flush();
  }
  await flush();
  return { items, bytes };
}
