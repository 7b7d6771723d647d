import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ballastBytes, DiskFullMechanism } from './disk-full.js';

test('the ballast leaves exactly what was asked free, and nothing when less is free already', () => {
  assert.equal(ballastBytes(10_000_000, 0), 10_000_000);
  assert.equal(ballastBytes(10_000_000, 65536), 10_000_000 - 65536);
  assert.equal(ballastBytes(1000, 65536), 0);
});

test('disk-full acts on named only, ends at its revert, and says how to get a size-limited filesystem when the sandbox has none', () => {
  const withDisk = new DiskFullMechanism({ home: '/h', disk: { mount: '/h/run/named', sizeBytes: 2 ** 28 } });
  const without = new DiskFullMechanism({ home: '/h' });
  assert.equal(withDisk.unsupportedReason('named', { kind: 'disk-full' }), undefined);
  assert.match(withDisk.unsupportedReason('operator', { kind: 'disk-full' }) ?? '', /acts on named's data filesystem/);
  assert.match(withDisk.unsupportedReason('named-secondary-0', { kind: 'disk-full' }) ?? '', /^disk-full on named-secondary-0 is not on the sandbox: only the primary's named/);
  assert.match(withDisk.unsupportedReason('named', { kind: 'disk-full', durationMs: 5000 }) ?? '', /durationMs is not supported/);
  assert.match(withDisk.unsupportedReason('named', { kind: 'pause' }) ?? '', /not a storage fault/);
  assert.match(without.unsupportedReason('named', { kind: 'disk-full' }) ?? '', /^disk-full is not available here: named's directory is not on a size-limited filesystem .*sandbox up --faults --detach/);
});
