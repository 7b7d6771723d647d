import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../test/helpers/cli.js';
import { toolVersion } from '../version.js';

test('--version prints the package version and exits 0', async () => {
  const r = await runCli(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), toolVersion);
});

test('--help lists the global options and worked examples', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  for (const flag of ['--namespace', '--kubeconfig', '--context', '--output', '--verbose', '--prometheus', '--json', '--target', '--profile', '--config', '--seed', '--dry-run']) {
    assert.match(r.stdout, new RegExp(flag), `help mentions ${flag}`);
  }
  assert.match(r.stdout, /Examples:/);
  assert.match(r.stdout, /Exit codes:/);
});

test('no arguments prints help on stderr and exits 2', async () => {
  const r = await runCli([]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Usage: bindy-loadtest/);
});

const badFlags: Array<[string, string[], RegExp]> = [
  ['unknown option', ['--no-such-flag'], /unknown option '--no-such-flag'/],
  ['unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
  ['bad --target', ['--target', 'moon', 'config'], /--target.*moon|moon.*--target/],
  ['bad --profile', ['--profile', 'huge', 'config'], /--profile.*huge|huge.*--profile/],
  ['missing value', ['--namespace'], /--namespace/],
];
for (const [name, argv, pattern] of badFlags) {
  test(`bad flags: ${name} gives one line and exit 2`, async () => {
    const r = await runCli(argv);
    assert.equal(r.code, 2);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.equal(r.stdout, '');
  });
}
