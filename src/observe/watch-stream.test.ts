import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { openWatch, WatchHttpError, type StreamOpener } from './watch-stream.js';

/** A plain HTTP server whose handler writes the watch body; returns an opener for it and the requested URLs. */
async function server(handler: (res: ServerResponse) => void): Promise<{ open: StreamOpener; urls: string[]; close: () => Promise<void> }> {
  const urls: string[] = [];
  const srv = createServer((req, res) => {
    urls.push(req.url ?? '');
    handler(res);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const address = srv.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const open: StreamOpener = (path, signal) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, signal }, resolve);
      req.on('error', reject);
      req.end();
    });
  return {
    open,
    urls,
    close: () =>
      new Promise<void>((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
}

function collect(): { events: [string, unknown][]; done: Promise<unknown>; onEvent: (t: string, o: unknown) => void; onDone: (e: unknown) => void; doneCalls: () => number } {
  const events: [string, unknown][] = [];
  let calls = 0;
  let resolveDone: (e: unknown) => void = () => undefined;
  const done = new Promise<unknown>((r) => (resolveDone = r));
  return { events, done, onEvent: (t, o) => events.push([t, o]), onDone: (e) => { calls++; resolveDone(e); }, doneCalls: () => calls };
}

test('lines split across chunks and several lines in one chunk all arrive, in order; a clean end is done(null)', async () => {
  const big = { type: 'MODIFIED', object: { metadata: { uid: 'z' }, status: { conditions: [], records: Array.from({ length: 2000 }, (_, i) => ({ name: `r${i}` })) } } };
  const text = `${JSON.stringify({ type: 'ADDED', object: { metadata: { uid: 'a' } } })}\n${JSON.stringify(big)}\n${JSON.stringify({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } })}\n`;
  const s = await server((res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    // Pieces of 1,000 bytes, each flushed: the big line spans many chunks, the small ones share some.
    let i = 0;
    const next = (): void => {
      if (i >= text.length) return void res.end();
      res.write(text.slice(i, i + 1000), () => setImmediate(next));
      i += 1000;
    };
    next();
  });
  const c = collect();
  try {
    await openWatch(s.open, '/apis/x/v1/things', { labelSelector: 'a=b', resourceVersion: '5', allowWatchBookmarks: true, absent: undefined }, c.onEvent, c.onDone);
    assert.equal(await c.done, null);
    assert.deepEqual(c.events.map(([t]) => t), ['ADDED', 'MODIFIED', 'BOOKMARK']);
    assert.deepEqual(c.events[1]?.[1], { metadata: { uid: 'z' }, status: { conditions: [] } }, 'the records array was left out');
    assert.equal(s.urls[0], '/apis/x/v1/things?watch=true&labelSelector=a%3Db&resourceVersion=5&allowWatchBookmarks=true');
    assert.equal(c.doneCalls(), 1);
  } finally {
    await s.close();
  }
});

test('a non-200 answer ends the watch with its status code; an unparseable line is an ERROR event', async () => {
  const gone = await server((res) => res.writeHead(410, { 'content-type': 'application/json' }).end('{"kind":"Status","code":410}'));
  const c = collect();
  try {
    await openWatch(gone.open, '/w', {}, c.onEvent, c.onDone);
    const err = await c.done;
    assert.ok(err instanceof WatchHttpError && err.statusCode === 410, String(err));
  } finally {
    await gone.close();
  }
  const junk = await server((res) => {
    res.writeHead(200);
    res.end('garbage\n');
  });
  const d = collect();
  try {
    await openWatch(junk.open, '/w', {}, d.onEvent, d.onDone);
    assert.equal(await d.done, null);
    assert.deepEqual(d.events, [['ERROR', { message: 'an unparseable watch line (7 bytes)' }]]);
  } finally {
    await junk.close();
  }
});

test('abort ends an open watch with done(null), once; a refused connection is done(error)', async () => {
  const s = await server((res) => {
    res.writeHead(200);
    res.write(`${JSON.stringify({ type: 'ADDED', object: {} })}\n`);
  });
  const c = collect();
  try {
    const controller = await openWatch(s.open, '/w', {}, (t, o) => {
      c.onEvent(t, o);
      controller.abort();
    }, c.onDone);
    assert.equal(await c.done, null);
    assert.equal(c.doneCalls(), 1);
  } finally {
    await s.close();
  }
  const refused = collect();
  await openWatch((path, signal) => new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: 1, path, signal }, resolve);
    req.on('error', reject);
    req.end();
  }), '/w', {}, refused.onEvent, refused.onDone);
  assert.ok((await refused.done) instanceof Error);
});
