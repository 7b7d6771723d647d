/**
 * @module A Kubernetes watch over the client's pooled transport: one GET with `watch=true`, the
 * body split into lines as Buffers and each parsed by watch-line.ts (which leaves out the
 * `records` and `managedFields` arrays the tracker never reads). The contract is client-node's
 * `Watch.watch`: resolves with an AbortController once the request is under way; `onDone` is called
 * exactly once, with null on a clean end and the error otherwise (an HTTP error carries `statusCode`).
 */
import type { IncomingMessage } from 'node:http';
import { parseWatchLine } from './watch-line.js';

/** Opens the stream (the client's transport). */
export type StreamOpener = (path: string, signal: AbortSignal) => Promise<IncomingMessage>;

/** Called for every event: type and object; an unparseable line comes as type `ERROR` with a message. */
export type WatchEventHandler = (type: string, object: unknown) => void;

/** A watch request that the server answered with a status other than 200. */
export class WatchHttpError extends Error {
  readonly statusCode: number;
  constructor(statusCode: number, body: string) {
    super(`watch: HTTP ${statusCode}${body === '' ? '' : `: ${body.slice(0, 300)}`}`);
    this.statusCode = statusCode;
  }
}

const newline = 0x0a;

/** Watches `path` with `query` (watch=true is added); see the module comment for the contract. */
export async function openWatch(open: StreamOpener, path: string, query: Record<string, string | boolean | undefined>, onEvent: WatchEventHandler, onDone: (err: unknown) => void): Promise<AbortController> {
  const controller = new AbortController();
  let done = false;
  const finish = (err: unknown): void => {
    if (done) return;
    done = true;
    controller.abort();
    onDone(err);
  };
  const params = new URLSearchParams({ watch: 'true' });
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  let res: IncomingMessage;
  try {
    res = await open(`${path}?${params.toString()}`, controller.signal);
  } catch (err) {
    finish(err);
    return controller;
  }
  if (res.statusCode !== 200) {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => finish(new WatchHttpError(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
    res.on('error', finish);
    return controller;
  }
  // Parts of a line not yet ended; joined once its newline arrives (no re-copying per chunk).
  const pending: Buffer[] = [];
  const emit = (line: Buffer): void => {
    if (line.length === 0) return;
    const event = parseWatchLine(line);
    if (event === null) onEvent('ERROR', { message: `an unparseable watch line (${line.length} bytes)` });
    else onEvent(event.type, event.object);
  };
  res.on('data', (chunk: Buffer) => {
    let start = 0;
    for (let nl = chunk.indexOf(newline); nl >= 0 && !done; nl = chunk.indexOf(newline, start)) {
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (pending.length === 0) emit(piece);
      else {
        pending.push(piece);
        emit(Buffer.concat(pending.splice(0)));
      }
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  });
  res.on('end', () => finish(null));
  res.on('error', (err) => finish(controller.signal.aborted ? null : err));
  res.on('close', () => finish(null));
  return controller;
}
