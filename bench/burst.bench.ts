/**
 * @module Burst benchmarks (JSON in bench/results/burst.json):
 *  - engine overhead: against the sandbox with the operator twin left out (creates only), the
 *    burst engine's create rate (BurstEngine + KubeClient over its pooled transport + the journal
 *    write before each create, as `burst` runs it) divided by that of a minimal client making the
 *    same creates: plain `https` keep-alive POSTs (one agent for every round, as the engine keeps
 *    its client), same concurrency, same API server, from the kubeconfig's server, CA and token.
 *    Rounds alternate which goes first (the API server's store grows by every round, so a fixed
 *    order would favour one side); the ratio of the medians is reported; goal ≥ 0.95.
 *  - peak RSS: the CLI as users run it, the launcher bin/bindy-loadtest.js with its shebang's Node
 *    flags (dist/ is built first), for a 5,000-record burst over 10 zones against a full sandbox
 *    (with its cleanup), BURST_RSS_RUNS times (default 3); each run's peak is the child's own
 *    getrusage maxrss, written at exit by bench/max-rss-hook.mjs (loaded with NODE_OPTIONS=--import).
 *    Goal ≤ 200 MB in every run. Also the floor: the peak RSS of `bindy-loadtest --version`
 *    (Node itself and @kubernetes/client-node's 21 MB of sources are most of it).
 *    Findings (2 cores, 2026-11-24): 185.7, 185.9, 188.6 MB; floor 127.7 MB. What it took, from
 *    215-303 MB: V8's young generation held at 2 × 4 MB by the launcher (--max-semi-space-size=4;
 *    by default it grows to 2 × 16 MB and stays; engine ratio with the flag 1.01-1.07, without
 *    1.02, run-to-run noise on this machine ±10 %); watches and lists leave out `records` and
 *    `managedFields` (660 MB of DNSZone JSON parsed before, 21 MB after); cleanup's list and
 *    deletecollection go over the transport instead of client-node; the API server's /metrics is
 *    scraped at start and end only; @stdlib loads only when a t interval is asked for. The peak
 *    now falls during the wait for Ready, just before a major GC (old space fills with promoted
 *    garbage); live heap stays near 50 MB. Without the flag: 213-258 MB.
 * Run: node scripts/run-bench.mjs burst   (BURST_BENCH=overhead or =rss runs one part; the JSON keeps the other's last figures)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startSandbox } from '../src/targets/sandbox/supervisor/sandbox.js';
import { KubeClient, type KubeObject } from '../src/observe/kube-client.js';
import { BurstEngine } from '../src/drive/burst.js';
import { Journal } from '../src/observe/journal.js';
import { bindyApiVersion, runIdLabel } from '../src/model/kinds.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const ns = 'bindy-loadtest';
const creates = 4000;
const concurrency = 50;
const rounds = 6;

/** ARecords of one round, each name unique to the round (the schema-valid minimum). */
function* records(runId: string, n: number): Generator<KubeObject> {
  for (let i = 0; i < n; i++) {
    yield {
      apiVersion: bindyApiVersion,
      kind: 'ARecord',
      metadata: { name: `${runId}-${i}`, namespace: ns, labels: { [runIdLabel]: runId } },
      spec: { name: `h${i}`, ipv4Addresses: [`198.51.100.${(i % 250) + 1}`] },
    };
  }
}

/** Accepted creates per second, from the first request sent to the last response read. */
interface RateRun {
  accepted: number;
  failed: number;
  seconds: number;
  rate: number;
}

async function engineRound(client: KubeClient, journalDir: string, runId: string): Promise<RateRun> {
  const journal = new Journal(journalDir, runId);
  try {
    const engine = new BurstEngine({ objects: records(runId, creates), creator: client, concurrency, beforeCreate: (o) => journal.append(o) });
    const s = await engine.run();
    const seconds = ((s.lastReceivedMs ?? 0) - (s.firstSentMs ?? 0)) / 1000;
    return { accepted: s.created, failed: s.rejected + s.errors, seconds, rate: s.created / seconds };
  } finally {
    journal.close();
  }
}

/** The kubeconfig's server, CA and Bearer token, as a minimal client would use them. */
function connection(kubeconfig: string): { url: URL; ca: string; token: string } {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (cluster === null || user === null || user.token === undefined) throw new Error('kubeconfig without cluster or token');
  const ca = cluster.caData !== undefined ? Buffer.from(cluster.caData, 'base64').toString() : cluster.caFile !== undefined ? readFileSync(cluster.caFile, 'utf8') : '';
  return { url: new URL(cluster.server), ca, token: user.token };
}

/** The minimal client's connections, kept across rounds as the engine's KubeClient keeps its own. */
let minimalAgent: Agent | null = null;

async function minimalRound(conn: { url: URL; ca: string; token: string }, runId: string): Promise<RateRun> {
  const agent = (minimalAgent ??= new Agent({ keepAlive: true, maxSockets: concurrency, ca: conn.ca }));
  const path = `/apis/bindy.firestoned.io/v1beta1/namespaces/${ns}/arecords`;
  const post = (obj: KubeObject): Promise<number> =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify(obj);
      const req = request(
        { host: conn.url.hostname, port: conn.url.port, path, method: 'POST', agent, headers: { authorization: `Bearer ${conn.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const it = records(runId, creates);
  let accepted = 0;
  let failed = 0;
  let last = 0;
  const first = performance.now();
  const worker = async (): Promise<void> => {
    for (let r = it.next(); r.done !== true; r = it.next()) {
      const status = await post(r.value).catch(() => 0);
      last = performance.now();
      if (status === 201) accepted++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (last - first) / 1000;
  return { accepted, failed, seconds, rate: accepted / seconds };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
}

async function engineOverhead(): Promise<Record<string, unknown>> {
  const home = mkdtempSync(join(tmpdir(), 'bl-bench-burst-'));
  const sb = await startSandbox({ namespace: ns, detached: false, home, withoutOperator: true, sidecarRateLimitOff: true });
  try {
    const client = new KubeClient({ kubeconfigPath: sb.state.kubeconfig });
    // Without the operator twin nothing bootstraps the namespace: create it as `up` would.
    await client.kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: ns } } });
    const conn = connection(sb.state.kubeconfig);
    const engine: RateRun[] = [];
    const minimal: RateRun[] = [];
    // Warm both paths (TLS, JIT, the server's first requests) before the measured rounds.
    await minimalRound(conn, 'warm-m');
    await engineRound(client, join(home, 'journal'), 'warm-e');
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) {
        minimal.push(await minimalRound(conn, `min-${r}`));
        engine.push(await engineRound(client, join(home, 'journal'), `eng-${r}`));
      } else {
        engine.push(await engineRound(client, join(home, 'journal'), `eng-${r}`));
        minimal.push(await minimalRound(conn, `min-${r}`));
      }
    }
    client.close();
    minimalAgent?.destroy();
    const e = median(engine.map((x) => x.rate));
    const m = median(minimal.map((x) => x.rate));
    return { creates, concurrency, rounds, engineCreatesPerSecond: e, minimalCreatesPerSecond: m, ratio: e / m, goal: '>= 0.95', engine, minimal };
  } finally {
    await sb.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

/** Runs the CLI as users do (the launcher bin/bindy-loadtest.js, its shebang's Node flags included) and returns its peak RSS in MB and its stderr. */
function runLauncher(args: string[], env: Record<string, string>): { peakRssMB: number; status: number | null; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bl-bench-rss-'));
  try {
    const file = join(dir, 'max-rss');
    const hook = pathToFileURL(join(root, 'bench', 'max-rss-hook.mjs')).href;
    const r = spawnSync(join(root, 'bin', 'bindy-loadtest.js'), args, {
      cwd: root,
      env: { ...process.env, ...env, NODE_OPTIONS: `--import=${hook}`, BENCH_MAX_RSS_FILE: file },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    return { peakRssMB: (Number(readFileSync(file, 'utf8')) * 1024) / 1e6, status: r.status, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function peakRss(records: number, runs: number): Record<string, unknown> {
  // The floor: what starting the CLI (Node, client-node, the rest) costs before any work.
  const floor = runLauncher(['--version'], {});
  const each: { peakRssMB: number; seconds: number; exitCode: number | null; summary: string[] }[] = [];
  for (let i = 0; i < runs; i++) {
    const home = mkdtempSync(join(tmpdir(), 'bl-bench-burst-rss-'));
    try {
      const t0 = performance.now();
      const r = runLauncher(['--output', join(home, 'results'), 'burst', '--records', String(records), '--zones', '10', '--timeout', '5m'], { BINDY_LOADTEST_SANDBOX_HOME: join(home, 'sandbox') });
      each.push({
        peakRssMB: r.peakRssMB,
        seconds: (performance.now() - t0) / 1000,
        exitCode: r.status,
        summary: r.stderr.split('\n').filter((l) => /^burst |create_to_ready|creates:|cleanup: clean/.test(l.trim())).map((l) => l.trim()),
      });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }
  const peaks = each.map((e) => e.peakRssMB);
  return { records, runs, maxPeakRssMB: Math.max(...peaks), medianPeakRssMB: median(peaks), loadedCliRssMB: floor.peakRssMB, goal: '<= 200 MB (every run)', each };
}

const part = process.env.BURST_BENCH ?? 'all';
const file = join(root, 'bench', 'results', 'burst.json');
let previous: Record<string, unknown> = {};
try {
  previous = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
} catch {
  // No earlier result: every part runs fresh.
}
if (part !== 'overhead') {
  const build = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build (tsc -p tsconfig.build.json) failed');
}
const overhead = part === 'rss' ? previous.engineOverhead : await engineOverhead();
const rss = part === 'overhead' ? previous.peakRss : peakRss(5000, Number(process.env.BURST_RSS_RUNS ?? 3));
const out = { when: new Date().toISOString(), node: process.version, engineOverhead: overhead, peakRss: rss };
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
