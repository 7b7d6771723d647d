/** The installed launcher (bin/bindy-loadtest.js, run through its shebang as npm's bin link runs it) starts the built CLI with its Node flags. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { toolVersion } from '../src/version.js';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root.js';

const launcher = join(packageRoot(), 'bin', 'bindy-loadtest.js');

test('the launcher runs the CLI with --max-semi-space-size=4 and --optimize-for-size (what keep a 5,000-record burst under 200 MB RSS and a sustained run under 150 MB)', async () => {
  // A module preloaded through NODE_OPTIONS reports the flags Node was started with.
  // (percent-encoded: NODE_OPTIONS splits on spaces)
  const probe = `data:text/javascript,${encodeURIComponent("process.stderr.write('execArgv=' + JSON.stringify(process.execArgv) + '\\n')")}`;
  const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(launcher, ['--version'], { env: { ...process.env, NODE_OPTIONS: `--import=${probe}` } }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
    });
  });
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout.trim(), toolVersion);
  const line = out.stderr.split('\n').find((l) => l.startsWith('execArgv='));
  assert.ok(line !== undefined, out.stderr);
  const argv = JSON.parse(line.slice('execArgv='.length)) as string[];
  assert.ok(argv.includes('--max-semi-space-size=4'), line);
  assert.ok(argv.includes('--optimize-for-size'), line);
});

test('the bundle the launcher runs is all ASCII, so V8 holds its 11 MB source one byte per character (one non-ASCII character doubled it in every process)', async () => {
  const bundle = await readFile(join(packageRoot(), 'dist', 'cli', 'bindy-loadtest.mjs'));
  const at = bundle.findIndex((b) => b > 0x7f);
  assert.equal(at, -1, `a non-ASCII byte at offset ${at}: ${bundle.subarray(Math.max(0, at - 40), at + 10).toString('utf8')}`);
});
