import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KindQueues, WorkQueue } from './work-queue.js';

/** A handler whose calls finish only when the test releases them. */
function gated(): { handler: (k: string) => Promise<void>; started: string[]; release: () => void; waitStarted: (n: number) => Promise<void> } {
  const started: string[] = [];
  let releases: (() => void)[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  return {
    started,
    handler: (k) =>
      new Promise<void>((resolve) => {
        started.push(k);
        releases.push(resolve);
        for (const w of waiters.filter((x) => started.length >= x.n)) w.resolve();
      }),
    release: () => {
      const r = releases;
      releases = [];
      for (const f of r) f();
    },
    waitStarted: (n) => (started.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))),
  };
}

test('duplicates collapse, workers bound parallelism, a key never runs twice at once', async () => {
  const g = gated();
  const q = new WorkQueue({ workers: 2, handler: g.handler });
  for (const k of ['a', 'a', 'b', 'c']) q.add(k);
  q.start();
  await g.waitStarted(2);
  assert.deepEqual(g.started, ['a', 'b']);
  assert.equal(q.depth(), 1);
  q.add('a'); // while a runs: marked dirty, not run in parallel
  g.release();
  await g.waitStarted(4);
  assert.deepEqual(g.started.slice(2).sort(), ['a', 'c']);
  g.release();
  await q.stop();
});

test('a delayed add keeps the earliest due time and runs once', async () => {
  const done: string[] = [];
  let finish: () => void = () => undefined;
  const ran = new Promise<void>((r) => (finish = r));
  const q = new WorkQueue({ workers: 1, handler: (k) => { done.push(k); finish(); return Promise.resolve(); } });
  q.start();
  q.add('x', 60_000);
  q.add('x', 10);
  await ran;
  assert.deepEqual(done, ['x']);
  await q.stop();
});

test('a failing handler reports the error and the queue goes on', async () => {
  const errors: string[] = [];
  let finish: () => void = () => undefined;
  const second = new Promise<void>((r) => (finish = r));
  const q = new WorkQueue({
    workers: 1,
    handler: (k) => (k === 'bad' ? Promise.reject(new Error('boom')) : (finish(), Promise.resolve())),
    onError: (k, e) => errors.push(`${k}:${(e as Error).message}`),
  });
  q.start();
  q.add('bad');
  q.add('good');
  await second;
  assert.deepEqual(errors, ['bad:boom']);
  await q.stop();
  assert.throws(() => new WorkQueue({ workers: 0, handler: () => Promise.resolve() }), RangeError);
});

test('KindQueues: a busy kind never holds up another, each kind has its own workers', async () => {
  const g = gated();
  const q = new KindQueues({ workers: 1, handler: g.handler });
  q.start();
  q.add('ARecord/ns/a');
  q.add('ARecord/ns/b');
  await g.waitStarted(1);
  assert.equal(q.depth('ARecord'), 1, 'ARecord/ns/b waits for the one ARecord worker');
  q.add('DNSZone/ns/z');
  await g.waitStarted(2);
  assert.deepEqual(g.started, ['ARecord/ns/a', 'DNSZone/ns/z'], 'the zone ran while the record backlog waited');
  q.add('DNSZone/ns/z');
  q.add('DNSZone/ns/z');
  assert.equal(q.depth('DNSZone'), 0, 'a key added while it runs is not queued twice');
  g.release();
  await g.waitStarted(4);
  assert.deepEqual(g.started.slice(2).sort(), ['ARecord/ns/b', 'DNSZone/ns/z'], 'the zone runs once more for the adds made while it ran');
  g.release();
  await q.stop();
  assert.throws(() => new KindQueues({ workers: 0, handler: g.handler }), RangeError);
});

test('a shared limiter caps starts across every kind queue: at most burst + rate × t started by t', async () => {
  const { TokenBucket } = await import('./token-bucket.js');
  const rate = 50;
  const limiter = new TokenBucket(rate, 1);
  const starts: number[] = [];
  let finish: () => void = () => undefined;
  const all = new Promise<void>((r) => (finish = r));
  const keys = Array.from({ length: 20 }, (_, i) => `${i % 2 === 0 ? 'ARecord' : 'DNSZone'}/ns/k${i}`);
  const t0 = performance.now();
  const q = new KindQueues({
    workers: 4,
    limiter,
    handler: () => {
      starts.push(performance.now() - t0);
      if (starts.length === keys.length) finish();
      return Promise.resolve();
    },
  });
  for (const k of keys) q.add(k);
  q.start();
  await all;
  await q.stop();
  // The n-th start (0-based) needs n tokens beyond the one banked: not before n / rate s.
  starts.forEach((t, n) => assert.ok(t >= (n * 1000) / rate - 2, `start ${n} at ${t.toFixed(1)} ms, before ${(n * 1000) / rate} ms`));
});

test('a delayed add can be dropped before it is due; a queued key is not affected', async () => {
  const handled: string[] = [];
  const q = new WorkQueue({ workers: 1, handler: (k) => Promise.resolve(void handled.push(k)) });
  q.start();
  q.add('a', 30);
  q.add('b', 30);
  q.cancelDelayed('a');
  q.cancelDelayed('nothing');
  // Wait for b (due at 30 ms) to be handled: a, cancelled, never is.
  for (let i = 0; i < 100 && !handled.includes('b'); i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 40));
  assert.deepEqual(handled, ['b']);
  await q.stop();
});
