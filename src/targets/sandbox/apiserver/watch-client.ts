/** @module A minimal raw watch client (newline-delimited JSON over HTTP), for tests and benchmarks that must see the wire as it is. */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** One event as received on the wire. */
export interface RawWatchEvent {
  type: string;
  object: { kind?: string; code?: number; reason?: string; metadata?: { name?: string; namespace?: string; resourceVersion?: string; annotations?: Record<string, string> } } & Record<string, unknown>;
}

/** An open watch stream. */
export interface RawWatch {
  /** HTTP status of the response. */
  status: number;
  /** Resolves when the server ends the stream ('end') or the connection breaks ('error'). */
  ended: Promise<'end' | 'error'>;
  /** Closes the stream from the client side. */
  close(): void;
}

/**
 * Opens `url` (a watch request) with the bearer token and calls `onEvent` for each line. Resolves
 * once the response head has arrived. `ca` is the PEM to trust for https.
 */
export function openRawWatch(url: string, token: string, onEvent: (e: RawWatchEvent) => void, ca?: string): Promise<RawWatch> {
  const u = new URL(url);
  const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, {
    method: 'GET',
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    ...(ca ? { ca } : {}),
  });
  return new Promise((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res: IncomingMessage) => {
      let buf = '';
      const ended = new Promise<'end' | 'error'>((done) => {
        res.once('end', () => done('end'));
        res.once('error', () => done('error'));
        res.once('aborted', () => done('error'));
        req.once('error', () => done('error'));
        res.once('close', () => done(res.complete ? 'end' : 'error'));
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl = buf.indexOf('\n');
        while (nl >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim() !== '') onEvent(JSON.parse(line) as RawWatchEvent);
          nl = buf.indexOf('\n');
        }
      });
      resolve({ status: res.statusCode ?? 0, ended, close: () => req.destroy() });
    });
    req.end();
  });
}
