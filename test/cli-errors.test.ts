/**
 * @module Errors, not crashes (issue 10 item 6): every command with its inputs broken in each way a
 * user meets in the first hour answers with its exit code and one line (plus a hint for exit 3),
 * never `internal error` (exit 70), and starts nothing: no sandbox, no results folder.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';

const dir = await mkdtemp(join(tmpdir(), 'bindy-loadtest-errors-'));
after(() => rm(dir, { recursive: true, force: true }));
const sandboxHome = join(dir, 'sandbox-home');
const env = { BINDY_LOADTEST_SANDBOX_HOME: sandboxHome };

/** A loopback port nothing listens on (bound once by the OS, then released). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

await writeFile(join(dir, 'a-file'), 'not a folder\n');
await writeFile(join(dir, 'not-yaml.kubeconfig'), 'apiVersion: v1\nclusters: [\n');
const deadPort = await freePort();
await writeFile(
  join(dir, 'unreachable.kubeconfig'),
  [
    'apiVersion: v1',
    'kind: Config',
    'clusters: [{name: c, cluster: {server: "https://127.0.0.1:' + String(deadPort) + '"}}]',
    'users: [{name: u, user: {token: t}}]',
    'contexts: [{name: x, context: {cluster: c, user: u}}]',
    'current-context: x',
    '',
  ].join('\n'),
);
await copyFile(join(process.cwd(), 'examples/result.example.json'), join(dir, 'r.json'));
// A folder this process cannot write: root passes permission bits, so it gets /sys (sysfs refuses mkdir).
let unwritable: string;
if (process.getuid?.() === 0) unwritable = '/sys/bindy-loadtest-results';
else {
  await mkdir(join(dir, 'read-only'));
  await chmod(join(dir, 'read-only'), 0o555);
  unwritable = join(dir, 'read-only', 'results');
}
const gateway = `http://127.0.0.1:${await freePort()}`;

const cases: { name: string; argv: string[]; code: number; line: RegExp }[] = [
  { name: 'burst -o naming a file', argv: ['-o', 'a-file', 'burst', '--records', '5'], code: 2, line: /^--output a-file: is a file; it must name a folder$/ },
  { name: 'burst -o under a file', argv: ['-o', 'a-file/results', 'burst', '--records', '5'], code: 2, line: /^--output a-file\/results: cannot be created: .*a-file is a file$/ },
  { name: 'burst -o an unwritable folder', argv: ['-o', unwritable, 'burst', '--records', '5'], code: 2, line: /^--output .*: cannot be created in .* \(E[A-Z]+\)$/ },
  { name: 'fixtures -o naming a file', argv: ['-o', 'a-file', 'fixtures', '--zones', '1', '--records-per-zone', '2'], code: 2, line: /^--output a-file: is a file/ },
  { name: 'burst --pushgateway unreachable', argv: ['burst', '--records', '5', '--pushgateway', gateway], code: 3, line: /^pushgateway http:\/\/127\.0\.0\.1:\d+: unreachable \(ECONNREFUSED\)$/ },
  { name: 'report --pushgateway unreachable', argv: ['report', '--input', 'r.json', '--pushgateway', gateway], code: 3, line: /^pushgateway http:\/\/127\.0\.0\.1:\d+: unreachable \(ECONNREFUSED\)$/ },
  { name: 'burst with a kubeconfig that is not YAML', argv: ['--target', 'cluster', '--kubeconfig', 'not-yaml.kubeconfig', 'burst'], code: 2, line: /^invalid kubeconfig .*not-yaml\.kubeconfig: .+/ },
  { name: 'cleanup with a kubeconfig that is not YAML', argv: ['--target', 'cluster', '--kubeconfig', 'not-yaml.kubeconfig', 'cleanup', '--all'], code: 2, line: /^invalid kubeconfig .*not-yaml\.kubeconfig: .+/ },
  { name: 'cleanup against an unreachable cluster', argv: ['--target', 'cluster', '--kubeconfig', 'unreachable.kubeconfig', 'cleanup', '--all'], code: 3, line: /^the API server https:\/\/127\.0\.0\.1:\d+ \(context x\) is not reachable: .*ECONNREFUSED/ },
  { name: 'burst --timeout 0', argv: ['burst', '--timeout', '0'], code: 2, line: /^--timeout: must be above 0/ },
  { name: 'cleanup --timeout 0', argv: ['cleanup', '--all', '--timeout', '0'], code: 2, line: /^--timeout: must be above 0/ },
  { name: 'burst above the maximum count', argv: ['burst', '--records', '1000000', '--zones', '10'], code: 2, line: /above the maximum of 1,000,000 objects in one burst/ },
  { name: 'fixtures above the zones it can tell apart', argv: ['fixtures', '--zones', '5000000000'], code: 2, line: /^--zones: 5,000,000,000 is above the maximum of 4,294,967,296 zones/ },
  { name: 'baseline overwriting its input', argv: ['-o', 'r.json', 'baseline', '--input', 'r.json'], code: 2, line: /^--output r\.json: is one of the inputs \(r\.json\)/ },
  { name: 'report overwriting its input', argv: ['report', '--input', 'r.json', '--format', 'json', '--output', 'r.json'], code: 2, line: /^--output r\.json: is one of the inputs/ },
  { name: 'analyze writing over the current run', argv: ['-o', 'r.json', 'analyze', '--baseline', 'b.json', '--current', 'r.json'], code: 2, line: /^--output r\.json: is one of the inputs/ },
  { name: 'cleanup --run-id that is no label value', argv: ['cleanup', '--run-id', 'no such id!'], code: 2, line: /^--run-id: "no such id!" is not a run id/ },
];

for (const c of cases) {
  test(`${c.name} → exit ${c.code}, one line, nothing started`, async () => {
    const r = await runCli(c.argv, { cwd: dir, env });
    assert.notEqual(r.code, 70, r.stderr);
    assert.equal(r.code, c.code, r.stderr);
    assert.doesNotMatch(r.stderr, /internal error/);
    const lines = r.stderr.trimEnd().split('\n');
    const [first, ...rest] = lines;
    assert.match(first ?? '', /^bindy-loadtest: /);
    assert.match((first ?? '').replace(/^bindy-loadtest: /, ''), c.line);
    // One line; an unreachable target (exit 3) may add how to fix it.
    assert.ok(rest.every((l) => l.startsWith('  hint: ')), `one line${c.code === 3 ? ' and a hint' : ''}:\n${r.stderr}`);
    if (c.code === 2) assert.equal(rest.length, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(existsSync(sandboxHome), false, 'no sandbox was started');
    assert.equal(existsSync(join(dir, 'results')), false, 'no results folder was made');
    assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith('.bindy-loadtest')), [], 'the write check leaves nothing');
  });
}

test('help burst → exit 0 with the burst help on stdout', async () => {
  const r = await runCli(['help', 'burst'], { cwd: dir, env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Usage: bindy-loadtest burst /);
});
