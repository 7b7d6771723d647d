import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { assertNotAnInput, assertWritableDir } from './output-path.js';

test('a results folder that does not exist yet is accepted where it can be created, and nothing is left behind', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-output-path-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.equal(await assertWritableDir(dir, 'a/b/c', '--output'), join(dir, 'a/b/c'));
  assert.deepEqual(await readdir(dir), [], 'neither the folder nor the write check was left');
  await writeFile(join(dir, 'f'), 'x');
  await assert.rejects(assertWritableDir(dir, 'f', '--output'), (e: unknown) => e instanceof UsageError && e.message === '--output f: is a file; it must name a folder');
});

test('an output that is one of the inputs is refused, also through a symlink or another spelling', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-output-path-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'r1.json'), '{}');
  await symlink(join(dir, 'r1.json'), join(dir, 'link.json'));
  await assert.rejects(assertNotAnInput(dir, 'link.json', ['r1.json'], '--output'), /--output link\.json: is one of the inputs \(r1\.json\)/);
  await assert.rejects(assertNotAnInput(dir, './sub/../r1.json', ['r1.json'], '--output'), UsageError);
  await assertNotAnInput(dir, 'baseline.json', ['r1.json', 'link.json'], '--output');
});
