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
