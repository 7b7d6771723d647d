import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressReporter, progressText } from './progress.js';

test('progress line: counts, rates, backlog and an ETA from the Ready rate', () => {
  assert.equal(
    progressText({ total: 1000, created: 400, ready: 300, failed: 2, elapsedMs: 10_000 }),
    '[  10 s] created 400/1000, ready 300, failed 2 | 40.0 created/s, 30.0 ready/s | backlog 100 | ETA 24 s',
  );
  assert.match(progressText({ total: 10, created: 3, ready: 0, failed: 0, elapsedMs: 500 }), /ETA —$/);
  assert.match(progressText({ total: 10, created: 10, ready: 9, failed: 1, elapsedMs: 500 }), /done$/);
});

test('progress line once every create was answered: the recent Ready rate and an ETA from the backlog, no created/s', () => {
  const all = { total: 1000, created: 990, ready: 600, failed: 10, elapsedMs: 60_000 };
  assert.equal(
    progressText({ ...all, recentReady: { count: 130, ms: 10_000 } }),
    '[  60 s] created 990/1000 (all creates answered), ready 600, failed 10 | 13.0 ready/s over the last 10 s | backlog 390 | ETA 30 s',
  );
  assert.doesNotMatch(progressText(all), /created\/s/);
  assert.match(progressText(all), /\| — ready\/s \| backlog 390 \| ETA —$/, 'no recent rate yet: no ETA');
  assert.match(progressText({ ...all, recentReady: { count: 0, ms: 10_000 } }), /0\.0 ready\/s over the last 10 s \| backlog 390 \| ETA — \(no Ready over the last 10 s\)$/);
  assert.match(progressText({ ...all, ready: 990, recentReady: { count: 5, ms: 10_000 } }), /backlog 0 \| done$/);
});

test('progress: the recent Ready rate spans the last window of draws', () => {
  let clock = 0;
  const lines: string[] = [];
  const p = new ProgressReporter({ total: 100, write: (t) => lines.push(t), isTTY: false, now: () => clock, recentWindowMs: 10_000 });
  const ready = (n: number): void => {
    for (let i = 0; i < n; i++) p.onEvent({ type: 'ready', uid: 'u', key: 'k', kind: 'ARecord', atMs: clock, observedBy: 'watch' });
  };
  for (let i = 0; i < 100; i++) {
    p.onEvent({ type: 'created', key: `k${i}`, kind: 'ARecord', namespace: 'lt', name: `r${i}`, uid: `u${i}`, generation: 1, index: i, intendedStart: 0, sent: 0, received: 1 });
  }
  // 50 Ready in the first 10 s (5/s), then 10 in the next 10 s (1/s): the line shows the recent 1/s.
  for (let t = 0; t <= 20_000; t += 5000) {
    clock = t;
    if (t > 0) ready(t <= 10_000 ? 25 : 5);
    p.draw();
  }
  assert.deepEqual(p.state.recentReady, { count: 10, ms: 10_000 });
  assert.match(lines.at(-1) ?? '', /ready 60, failed 0 \| 1\.0 ready\/s over the last 10 s \| backlog 40 \| ETA 40 s\n$/);
});

test('progress: a TTY redraws one line in place; elsewhere each draw is its own line', () => {
  let clock = 0;
  const tty: string[] = [];
  const p = new ProgressReporter({ total: 2, write: (t) => tty.push(t), isTTY: true, now: () => clock });
  p.onEvent({ type: 'ready', uid: 'u', key: 'k', kind: 'ARecord', atMs: 1, observedBy: 'watch' });
  clock = 1000;
  p.draw();
  p.stop();
  assert.ok(tty[0]?.startsWith('\r\x1b[K'));
  assert.equal(tty.at(-1), '\n');
  assert.match(tty[0] ?? '', /ready 1,/);
  const plain: string[] = [];
  const q = new ProgressReporter({ total: 2, write: (t) => plain.push(t), isTTY: false, now: () => clock });
  q.draw();
  q.stop();
  assert.equal(plain.length, 1);
  assert.ok(plain[0]?.endsWith('\n') && !plain[0].includes('\r'));
});
