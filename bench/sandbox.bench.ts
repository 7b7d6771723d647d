/**
 * @module Sandbox benchmarks (JSON in bench/results/sandbox.json):
 *  - startup: `bindy-loadtest sandbox up --detach --json` with the BUILT CLI (dist/) until every part
 *    is healthy and the Bind9Cluster's primary instance is Ready, three times; goal < 5 s.
 *  - operator: 1,000 ARecords into one zone until all are Ready, through the operator twin, real
 *    named and the bindcar twin; first create → last Ready; goal < 20 s.
 * Run: npm run build && npm run bench -- sandbox
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../src/targets/sandbox/supervisor/sandbox.js';
import { KubeClient, type KubeObject } from '../src/observe/kube-client.js';
import { runBurstSession } from '../src/drive/burst-session.js';
import { bindyApiVersion, runIdLabel, zoneLabel } from '../src/model/kinds.js';
import { resolveFixtureOptions } from '../src/model/fixtures/options.js';
import { generateZone } from '../src/model/fixtures/generate.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'bindy-loadtest.js');

function startup(): { runs: number[]; leftovers: string[] } {
  if (!existsSync(join(root, 'dist', 'cli', 'entry.js'))) throw new Error('build first: npm run build');
  const runs: number[] = [];
  const leftovers: string[] = [];
  for (let i = 0; i < 3; i++) {
    const home = mkdtempSync(join(tmpdir(), 'bl-bench-startup-'));
    const env = { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home };
    const up = spawnSync(process.execPath, [bin, '--json', 'sandbox', 'up', '--detach'], { env, encoding: 'utf8' });
    if (up.status !== 0) throw new Error(`sandbox up failed: ${up.stderr}`);
    runs.push((JSON.parse(up.stdout) as { startupMs: number }).startupMs);
    const down = spawnSync(process.execPath, [bin, 'sandbox', 'down'], { env, encoding: 'utf8' });
    if (down.status !== 0) throw new Error(`sandbox down failed: ${down.stderr}`);
    leftovers.push(...readdirSync(home));
    rmSync(home, { recursive: true, force: true });
  }
  return { runs, leftovers };
}

async function operator(records: number): Promise<Record<string, unknown>> {
  const home = mkdtempSync(join(tmpdir(), 'bl-bench-operator-'));
  const ns = 'bindy-loadtest';
  const sb = await startSandbox({ namespace: ns, detached: false, home, sidecarRateLimitOff: true });
  try {
    const client = new KubeClient({ kubeconfigPath: sb.state.kubeconfig });
    const runId = 'bench-operator';
    const o = resolveFixtureOptions({ runId, namespace: ns, zones: 1, recordsPerZone: 1 });
    const zone = generateZone(o, 0);
    const zoneName = zone.spec.zoneName;
    function* objects(): Generator<KubeObject> {
      yield zone;
      for (let i = 0; i < records; i++) {
        const b = i % 250;
        yield {
          apiVersion: bindyApiVersion,
          kind: 'ARecord',
          metadata: { name: `a-${i}`, namespace: ns, labels: { [runIdLabel]: runId, [zoneLabel]: zoneName } },
          spec: { name: `a-${i}`, ipv4Addresses: [`198.51.100.${b + 1}`] },
        };
      }
    }
    const s = await runBurstSession({ client, runId, namespace: ns, kinds: ['DNSZone', 'ARecord'], objects: objects(), concurrency: 50, timeoutMs: 120_000 });
    const c = s.measurement.counters;
    return {
      records,
      allReady: s.wait === 'met',
      ready: c['objects_ready']?.value,
      firstCreateToLastReadySeconds: (c['first_create_to_last_ready']?.value ?? NaN) / 1000,
      createToReadyP50Ms: (s.measurement.latencies['create_to_ready']?.summary.p50 ?? NaN) / 1000,
      createToReadyP99Ms: (s.measurement.latencies['create_to_ready']?.summary.p99 ?? NaN) / 1000,
    };
  } finally {
    await sb.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

const st = startup();
const op = await operator(1000);
const result = {
  benchmark: 'sandbox',
  node: process.version,
  measuredAt: new Date().toISOString(),
  startup: { what: 'built CLI: sandbox up --detach until all parts healthy and the primary instance Ready', ms: st.runs, maxMs: Math.max(...st.runs), goalMs: 5000, pass: Math.max(...st.runs) < 5000, leftoverFilesAfterDown: st.leftovers },
  operator: { what: '1,000 ARecords into one zone through the operator twin until all Ready (concurrency 50)', ...op, goalSeconds: 20, pass: op['allReady'] === true && Number(op['firstCreateToLastReadySeconds']) < 20 },
};
const out = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'sandbox.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
