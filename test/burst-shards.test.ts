/**
 * `burst --shards N` on the sandbox: three shard processes, each with its own zones and records,
 * merged into one run whose histograms are exactly the sum of the shards' (kept beside it), whose
 * counts add up, whose objects were all journalled, and which leaves nothing behind; and bad input
 * refused with one line before anything starts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, usageLine } from './helpers/cli.js';
import { startSandbox } from '../src/targets/sandbox/supervisor/sandbox.js';
import { KubeClient } from '../src/observe/kube-client.js';
import { parseJournal } from '../src/observe/journal.js';
import { kindsOfLine, runIdLabel } from '../src/model/kinds.js';
import { mergeHistograms } from '../src/measure/index.js';
import type { TimeSeriesData } from '../src/measure/index.js';
import { histogramOf, parseResult } from '../src/report/result/index.js';
import type { RunResult } from '../src/report/result/index.js';

for (const [what, argv, pattern] of [
  ['--shards 0', ['--shards', '0', 'burst', '--records', '6', '--zones', '3'], /^bindy-loadtest: --shards: expected a positive integer, got '0'$/],
  ['--shards 2 with sustained', ['--shards', '2', 'sustained', '--duration', '10s', '--ramp-up', '1s'], /^bindy-loadtest: --shards 2: sharding is built for burst only, not sustained$/],
  ['more shards than zones', ['--shards', '4', 'burst', '--records', '6', '--zones', '3'], /^bindy-loadtest: --shards 4: a shard creates whole zones with their records, and the run has 3 zones/],
] as const) {
  test(`bad input: ${what} → exit 2, one line, nothing started`, async () => {
    const home = await mkdtemp(join(tmpdir(), 'bl-shards-bad-'));
    try {
      const r = await runCli(['--output', join(home, 'results'), ...argv], { env: { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home } });
      assert.match(usageLine(r), pattern);
      assert.deepEqual(await readdir(home), [], 'no sandbox, no result, no journal');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
}

/** Σ rate × window length: the events a rate series stands for. */
function events(s: TimeSeriesData | undefined): number {
  return Math.round((s?.points ?? []).reduce((n, p, i, ps) => n + (p.value * (p.t - (i === 0 ? 0 : (ps[i - 1]?.t ?? 0)))) / 1000, 0));
}

test('burst --shards 3 on the sandbox: merged histograms are exactly the sum of the shards\', counts add, every object journalled, nothing left', { timeout: 120_000 }, async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'bl-shards-'));
  const out = join(home, 'results');
  t.after(() => rm(home, { recursive: true, force: true }));
  // bindcar's limiter off: a zone's deletion is not paced by it, so the cleanup is quick.
  const sb = await startSandbox({ namespace: 'bindy-loadtest', detached: false, home, sidecarRateLimitOff: true });
  t.after(() => sb.stop());
  const env = { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home };
  const config = join(home, 'loadtest.yaml');
  // This checks the pipeline, not the twin's speed on a shared machine.
  await writeFile(config, 'criteria:\n  e2ePropagationP99: 5m\n  createToReadyP99: 5m\n');

  // --keep, so the journal the shards wrote is still there to read; cleanup --run-id then removes everything.
  const r = await runCli(['--config', config, '--output', out, '--json', '--shards', '3', 'burst', '--records', '60', '--zones', '3', '--timeout', '1m', '--keep'], { env });
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-20).join('\n'));
  const result = parseResult(r.stdout, 'stdout');
  const runId = result.metadata.runId;
  assert.equal(result.metadata.status, 'completed');
  assert.deepEqual(result.metadata.shards, { count: 3, finished: [0, 1, 2] });

  // Each shard's own result is kept beside the run's.
  const dir = join(out, runId, 'shards');
  const shards: RunResult[] = [];
  for (const i of [0, 1, 2]) shards.push(parseResult(await readFile(join(dir, `shard-${i}.json`), 'utf8'), `shard-${i}.json`));
  shards.forEach((s, i) => assert.deepEqual({ index: s.metadata.shard?.index, objects: s.metadata.shard?.objects }, { index: i, objects: 21 }, 'one zone and its 20 records each'));

  // Counts add up: every record and zone Ready, the sum over the shards.
  const sum = (name: string): number => shards.reduce((n, s) => n + (s.counters[name]?.value ?? 0), 0);
  assert.equal(result.counters['objects_ready']?.value, 63);
  assert.equal(sum('objects_ready'), 63);
  assert.equal(result.counters['creates_accepted']?.value, sum('creates_accepted'));
  assert.equal(result.counters['dns_answered']?.value, 60);

  // Each merged histogram is exactly the merge of the shards' (HDR add), overall and per kind.
  for (const name of ['create_to_ready', 'api_create', 'create_to_resolvable', 'create_to_resolvable.primary-0']) {
    const merged = result.latencies[name];
    assert.ok(merged !== undefined, name);
    const parts = shards.map((s) => s.latencies[name]).filter((e) => e !== undefined);
    assert.equal(parts.length, 3, `${name} in every shard`);
    const expected = mergeHistograms(parts.map(histogramOf));
    assert.equal(merged.summary.count, parts.reduce((n, e) => n + e.summary.count, 0), `${name}: counts add`);
    assert.deepEqual(merged.summary, expected.summary(), `${name}: the merged summary`);
    assert.equal(histogramOf(merged).encode(), expected.encode(), `${name}: the same counts in every bucket`);
    for (const [kind, h] of Object.entries(merged.byKind ?? {})) {
      const kindParts = parts.flatMap((e) => (e.byKind?.[kind] === undefined ? [] : [histogramOf(e.byKind[kind])]));
      assert.equal(histogramOf(h).encode(), mergeHistograms(kindParts).encode(), `${name} ${kind}`);
    }
  }
  assert.equal(result.latencies['create_to_ready']?.summary.count, 63);

  // Rates add: the merged series counts every shard's events, window by window, exactly.
  for (const name of ['creates_per_second', 'ready_per_second']) {
    const merged = result.timeSeries.find((s) => s.name === name);
    assert.equal(events(merged), 63, name);
    assert.equal(shards.reduce((n, s) => n + events(s.timeSeries.find((x) => x.name === name)), 0), 63);
  }
  assert.ok(!result.notes.some((n) => /reached past a window edge/.test(n)), result.notes.join('\n'));
  assert.ok(result.notes.some((n) => /^sharded over 3 processes/.test(n)));

  // Every object was journalled (by its shard, in the run's journal) before its create.
  const journalPath = join(out, 'journal', `run-${runId}.jsonl`);
  const journal = parseJournal(journalPath, await readFile(journalPath, 'utf8'));
  assert.equal(journal.objects.length, 63);
  assert.equal(new Set(journal.objects.map((o) => `${o.kind}/${o.name}`)).size, 63);
  assert.equal(journal.objects.filter((o) => o.kind === 'DNSZone').length, 3);

  // cleanup --run-id finds everything by the run id label and the journal.
  const c = await runCli(['--output', out, 'cleanup', '--run-id', runId], { env });
  assert.equal(c.code, 0, c.stderr);
  assert.equal(existsSync(journalPath), false, 'the journal goes once the run is clean');
  const client = new KubeClient({ kubeconfigPath: sb.state.kubeconfig });
  for (const kind of kindsOfLine('0.6')) {
    if (kind === 'ClusterBind9Provider') continue;
    const l = await client.list(kind, null, `${runIdLabel}=${runId}`);
    assert.ok(l.ok, `${kind} list`);
    if (l.ok) assert.equal(l.value.items.length, 0, `${kind} objects left with the run id`);
  }
});
