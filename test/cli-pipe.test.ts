/** The CLI writing into a pipe whose reader goes away (`bindy-loadtest burst --help | head -1`): no crash, exit 0. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root.js';

const entry = join(packageRoot(), 'src', 'cli', 'entry.ts');

test('help piped into a reader that closes after its first line: exit 0, nothing on stderr', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, 'burst', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // Read the first chunk, then close our end, as `head -1` does.
  const first = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString())));
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.match(first, /^Usage: bindy-loadtest burst/);
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|Unhandled/);
});
