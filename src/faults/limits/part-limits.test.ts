import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLimitText } from './part-limits.js';

test('what a memory limit did, from a v1 or a v2 group\'s files; nothing from a group that is not one', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-memtext-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const v1 = join(dir, 'v1');
  const v2 = join(dir, 'v2');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(v1);
  await mkdir(v2);
  await writeFile(join(v1, 'memory.failcnt'), '36\n');
  await writeFile(join(v1, 'memory.max_usage_in_bytes'), String(16 * 1048576));
  await writeFile(join(v1, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 1\n');
  assert.equal(memoryLimitText(v1), 'memory limit hit 36 times, peak 16.0 MiB charged here, 1 OOM kills');
  await writeFile(join(v2, 'memory.events'), 'low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n');
  await writeFile(join(v2, 'memory.peak'), String(4 * 1048576));
  assert.equal(memoryLimitText(v2), 'memory limit hit 12 times, peak 4.0 MiB charged here, 1 OOM kills');
  assert.equal(memoryLimitText(dir), null);
});
