import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliRun } from './helpers/cli.js';

const dir = await mkdtemp(join(tmpdir(), 'bindy-loadtest-bad-input-'));
await mkdir(join(dir, 'a-directory'));
after(() => rm(dir, { recursive: true, force: true }));

let n = 0;
/** Runs `config show` with a config file holding `yaml` (cwd = the temp dir, so messages show the bare name). */
async function withFile(yaml: string, extra: string[] = []): Promise<{ run: CliRun; name: string }> {
  const name = `bad-${++n}.yaml`;
  await writeFile(join(dir, name), yaml);
  return { run: await runCli([...extra, '--config', name, 'config', 'show'], { cwd: dir }), name };
}

function assertUsage(run: CliRun, lines: number): string[] {
  assert.equal(run.code, 2, run.stderr);
  assert.equal(run.stdout, '', 'nothing on stdout');
  const out = run.stderr.trimEnd().split('\n');
  assert.equal(out.length, lines, `expected ${lines} line(s) on stderr, got:\n${run.stderr}`);
  return out;
}

// Each bad file gives one line naming file:line: key, and what was expected.
const badFiles: Array<[string, string, (name: string) => RegExp]> = [
  ['bad duration', 'scenarios:\n  burst:\n    timeout: 5 minutes\n', (f) => new RegExp(`${f}:3: scenarios\\.burst\\.timeout: expected a duration like 90s, 30m or 1h, got '5 minutes'$`)],
  ['bad rate', 'scenarios:\n  sustained:\n    rate: fast\n', (f) => new RegExp(`${f}:3: scenarios\\.sustained\\.rate: expected a rate like 50/s`)],
  ['mix with a negative weight', 'scenarios:\n  sustained:\n    operations: 60,-30,10\n', (f) => new RegExp(`${f}:3: scenarios\\.sustained\\.operations: expected weights ≥ 0`)],
  ['mix with an unknown kind', 'fixtures:\n  kinds: A=70,CNAMEE=30\n', (f) => new RegExp(`${f}:2: fixtures\\.kinds: unknown key 'CNAMEE'.*did you mean 'CNAME'`)],
  ['mix of all zeros', 'fixtures:\n  kinds: A=0,TXT=0\n', (f) => new RegExp(`${f}:2: fixtures\\.kinds: expected weights with a sum above 0`)],
  ['inverted range', 'fixtures:\n  ttl: 3600..60\n', (f) => new RegExp(`${f}:2: fixtures\\.ttl: expected a range with min ≤ max`)],
  ['unknown key, with a suggestion', 'scenarios:\n  burst:\n    recods: 10\n', (f) => new RegExp(`${f}:3: scenarios\\.burst\\.recods: unknown key 'recods' \\(did you mean 'records'\\?\\)$`)],
  ['unknown top-level key', 'seeds: 4\n', (f) => new RegExp(`${f}:1: seeds: unknown key 'seeds' \\(did you mean 'seed'\\?\\)$`)],
  ['a scalar where a mapping belongs', 'namespace: x\nfixtures: 5\n', (f) => new RegExp(`${f}:2: fixtures: expected a mapping, got 5$`)],
  ['a string where a list belongs', 'scenarios:\n  chaos:\n    experiments: operator-kill\n', (f) => new RegExp(`${f}:3: scenarios\\.chaos\\.experiments: expected a list, got 'operator-kill'$`)],
  ['unknown experiment kind', 'scenarios:\n  chaos:\n    experiments:\n      - kind: operator-kil\n        at: 1m\n        duration: 1m\n', (f) => new RegExp(`${f}:4: scenarios\\.chaos\\.experiments\\[0\\]\\.kind: expected kind one of .*got 'operator-kil' \\(did you mean 'operator-kill'\\?\\)$`)],
  ['YAML syntax error', 'seed: 1\nfixtures:\n  zones: [1, 2\n', (f) => new RegExp(`${f}:\\d+: YAML syntax error: `)],
  ['duplicate key', 'seed: 1\nseed: 2\n', (f) => new RegExp(`${f}:2: YAML syntax error: Map keys must be unique`)],
  ['bad target in the file', 'target: moon\n', (f) => new RegExp(`${f}:1: target: expected one of sandbox, cluster, got 'moon'$`)],
  ['bad profile name in the file', 'profile: standart\n', (f) => new RegExp(`${f}:1: profile: expected one of quick, standard, extended, chaos, production, got 'standart' \\(did you mean 'standard'\\?\\)$`)],
  ['bad prometheus URL', 'prometheus: localhost:9090\n', (f) => new RegExp(`${f}:1: prometheus: expected an http\\(s\\) URL`)],
  ['percentage above 100 %', 'criteria:\n  maxErrorRate: 101%\n', (f) => new RegExp(`${f}:2: criteria\\.maxErrorRate: expected a percentage between 0% and 100%, got '101%'$`)],
  ['negative concurrency', 'scenarios:\n  burst:\n    concurrency: -4\n', (f) => new RegExp(`${f}:3: scenarios\\.burst\\.concurrency: expected a positive integer, got -4$`)],
  ['empty value', 'scenarios:\n  burst:\n    records:\n', (f) => new RegExp(`${f}:3: scenarios\\.burst\\.records: expected a positive integer, got null$`)],
  ['bad distribution', 'sandbox:\n  operator:\n    reconcileDelay: normal(1s,2s)\n', (f) => new RegExp(`${f}:3: sandbox\\.operator\\.reconcileDelay: expected a duration like 300ms or a distribution like uniform`)],
  ['the top level is a list', '- seed: 1\n', (f) => new RegExp(`${f}:1: expected a mapping, got a list$`)],
  ['a zero timeout', 'scenarios:\n  burst:\n    timeout: 0\n', (f) => new RegExp(`${f}:3: scenarios\\.burst\\.timeout: must be above 0: a timeout of 0 would end before anything could happen$`)],
  ['more zones than the fixtures can tell apart', 'fixtures:\n  zones: 4294967297\n', (f) => new RegExp(`${f}:2: fixtures\\.zones: 4,294,967,297 is above the maximum of 4,294,967,296 zones`)],
  ['ramp-up longer than the run', 'scenarios:\n  sustained:\n    duration: 1m\n    rampUp: 2m\n', (f) => new RegExp(`${f}:4: scenarios\\.sustained\\.rampUp: rampUp 2m is longer than duration 1m$`)],
];
for (const [what, yaml, pattern] of badFiles) {
  test(`bad file: ${what} → one line naming file:line: key, exit 2`, async () => {
    const { run, name } = await withFile(yaml);
    const [line] = assertUsage(run, 1);
    assert.match(line ?? '', pattern(name.replace('.', '\\.')));
  });
}

// Each bad flag gives one line naming the flag.
const badFlags: Array<[string, string[], RegExp]> = [
  ['bad --seed', ['--seed', 'abc'], /^bindy-loadtest: --seed: expected a non-negative integer, got 'abc'$/],
  ['bad --prometheus', ['--prometheus', 'prom:9090'], /^bindy-loadtest: --prometheus: expected an http\(s\) URL/],
  ['bad --namespace', ['--namespace', 'Load_Test'], /^bindy-loadtest: --namespace: expected a Kubernetes name/],
  ['missing --config file', ['--config', 'no-such.yaml'], /^bindy-loadtest: no-such\.yaml: cannot read the configuration file: no such file$/],
  ['a directory as --config', ['--config', 'a-directory'], /^bindy-loadtest: a-directory: is a directory, expected a YAML configuration file$/],
];
// A burst flag is refused before anything starts (no sandbox, no object).
const badBurstFlags: Array<[string, string[], RegExp]> = [
  ['bad --progress-interval', ['--progress-interval', 'often'], /^bindy-loadtest: --progress-interval: expected a duration like 90s, 30m or 1h, got 'often'$/],
  ['too small --progress-interval', ['--progress-interval', '10ms'], /^bindy-loadtest: --progress-interval: progressInterval 10ms is below 100ms/],
  ['bad --probe-servers', ['--probe-servers', '127.0.0.1'], /^bindy-loadtest: --probe-servers: expected host:port like 127\.0\.0\.1:5353 or \[::1\]:53, got '127\.0\.0\.1'$/],
  ['bad --probe-rate', ['--probe-rate', '0'], /^bindy-loadtest: --probe-rate: expected a rate like 50\/s/],
];
test('bad --probe-transport → one line naming it and the choices, exit 2', async () => {
  const run = await runCli(['burst', '--probe-transport', 'quic'], { cwd: dir });
  const [line] = assertUsage(run, 1);
  assert.match(line ?? '', /^bindy-loadtest: --probe-transport: .*udp.*tcp/);
});
test('sandbox up --source-clusters beyond the limit → one line naming it, exit 2, nothing started', async () => {
  const run = await runCli(['sandbox', 'up', '--source-clusters', '9'], { cwd: dir, env: { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: join(dir, 'no-sandbox-home') } });
  const [line] = assertUsage(run, 1);
  assert.match(line ?? '', /^bindy-loadtest: --source-clusters: expected an integer 0\.\.3, got '9'$/);
});
for (const [what, argv, pattern] of badBurstFlags) {
  test(`bad burst flag: ${what} → one line naming it, exit 2`, async () => {
    const run = await runCli(['burst', ...argv], { cwd: dir });
    const [line] = assertUsage(run, 1);
    assert.match(line ?? '', pattern);
  });
}

// `sandbox start operator` (the part the supervisor spawns) refuses bad tunables before it connects to anything.
const keyFile = join(dir, 'update.key');
await writeFile(keyFile, 'key "update" {\n  algorithm hmac-sha256;\n  secret "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0";\n};\n');
const operatorPart = ['--kubeconfig', join(dir, 'kubeconfig'), 'sandbox', 'start', 'operator', '--dns', '127.0.0.1:5353', '--tsig-key-file', keyFile, '--sidecar', 'http://127.0.0.1:1'];
const badOperatorFlags: Array<[string, string[], RegExp]> = [
  ['bad --reconcile-delay', ['--reconcile-delay', 'slowly'], /^bindy-loadtest: --reconcile-delay: /],
  ['unknown kind in --reconcile-delay-kinds', ['--reconcile-delay-kinds', 'ARecord,Zone'], /^bindy-loadtest: --reconcile-delay-kinds: "Zone" is not a bindy kind \(known: DNSZone, /],
  ['bad --error-rate', ['--error-rate', 'often'], /^bindy-loadtest: --error-rate: /],
  ['bad --workers', ['--workers', '0'], /^bindy-loadtest: --workers: expected a positive integer, got '0'$/],
  ['bad --dns', ['--dns', 'localhost'], /^bindy-loadtest: --dns: expected HOST:PORT like 127\.0\.0\.1:5353, got 'localhost'$/],
];
for (const [what, argv, pattern] of badOperatorFlags) {
  test(`bad sandbox operator flag: ${what} → one line naming it, exit 2`, async () => {
    // Later flags win in commander, so the bad value replaces the good default given above.
    const run = await runCli([...operatorPart, ...argv], { cwd: dir });
    const [line] = assertUsage(run, 1);
    assert.match(line ?? '', pattern);
  });
}

for (const [what, argv, pattern] of badFlags) {
  test(`bad flag: ${what} → one line naming it, exit 2`, async () => {
    const run = await runCli([...argv, 'config', 'show'], { cwd: dir });
    const [line] = assertUsage(run, 1);
    assert.match(line ?? '', pattern);
  });
}

test('a file with N problems gives N lines at once, in line order, with nothing on stdout', async () => {
  const { run, name } = await withFile(
    ['target: moon', 'seed: -1', 'fixtures:', '  zonez: 5', '  ttl: 10..1', 'scenarios:', '  burst:', '    timeout: soon', 'criteria:', '  maxRetryRate: 200%', ''].join('\n'),
  );
  const lines = assertUsage(run, 6);
  const located = lines.map((l) => /(bad-\d+\.yaml):(\d+): ([\w.]+):/.exec(l)?.slice(1));
  assert.deepEqual(located, [
    [name, '1', 'target'],
    [name, '2', 'seed'],
    [name, '4', 'fixtures.zonez'],
    [name, '5', 'fixtures.ttl'],
    [name, '8', 'scenarios.burst.timeout'],
    [name, '10', 'criteria.maxRetryRate'],
  ]);
});

test('flag and file problems come together', async () => {
  const { run, name } = await withFile('scenarios:\n  burst:\n    records: -5\n', ['--seed', 'x']);
  const lines = assertUsage(run, 2);
  assert.match(lines[0] ?? '', /--seed: expected a non-negative integer, got 'x'$/);
  assert.equal(lines[1], `${name}:3: scenarios.burst.records: expected a positive integer, got -5`);
});

test('a sandbox part given a port another process holds → one line naming the address, exit 2 (not an internal error)', async () => {
  const { createServer } = await import('node:net');
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  try {
    const port = (busy.address() as { port: number }).port;
    const run = await runCli(['sandbox', 'start', 'apiserver', '--kubeconfig-out', join(dir, 'kubeconfig'), '--port', String(port)], { cwd: dir });
    const [line] = assertUsage(run, 1);
    assert.equal(line, `bindy-loadtest: 127.0.0.1:${port} is already in use (another process listens there): pick another port, or leave the port option out for a free one`);
  } finally {
    busy.close();
  }
});
