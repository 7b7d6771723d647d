import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { restartOnError } from './informer-restart.js';

/** An informer whose next `failures` starts reject (still throttled), as client-node's does when its list fails. */
function fakeInformer(failures: number, emitsOnFailedStart: boolean): { informer: Parameters<typeof restartOnError>[0]; starts: () => number; fail: () => void } {
  let onError: (err?: unknown) => void = () => undefined;
  let starts = 0;
  let left = failures;
  return {
    informer: {
      on: (_event, cb) => {
        onError = cb;
      },
      start: () => {
        starts++;
        if (left > 0) {
          left--;
          // client-node may or may not also report a failed list as an error event: one restart follows either way.
          if (emitsOnFailedStart) onError(new Error('429'));
          return Promise.reject(new Error('429'));
        }
        return Promise.resolve();
      },
    },
    starts: () => starts,
    fail: () => onError(new Error('watch ended')),
  };
}

for (const emits of [false, true]) {
test(`an informer whose restarts keep failing (${emits ? 'with' : 'without'} an error event) is tried again every second until one succeeds, one restart at a time`, async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const f = fakeInformer(3, emits);
    const timers = new Set<NodeJS.Timeout>();
    restartOnError(f.informer, () => false, timers);
    f.fail();
    for (let s = 1; s <= 6; s++) {
      mock.timers.tick(1000);
      // Let the rejected start's catch run.
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(f.starts(), 4, 'three failed restarts, then one that holds');
    assert.equal(timers.size, 0, 'nothing pending once it runs');
  } finally {
    mock.timers.reset();
  }
});
}

test('a stopped twin restarts nothing', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const f = fakeInformer(0, false);
    restartOnError(f.informer, () => true, new Set());
    f.fail();
    mock.timers.tick(5000);
    assert.equal(f.starts(), 0);
  } finally {
    mock.timers.reset();
  }
});
