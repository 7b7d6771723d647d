/**
 * @module The operator twin's release lines side by side (JSON in bench/results/bindy-lines.json):
 * bindy's maintainers' own hand-run load test (TARGET.md: 300 ARecords, one zone) as a burst on a
 * sandbox of the 0.6 line, then one of the 0.8 line, each with bindcar's limiter off so the
 * operator alone is measured: API requests per created object (the API server's counter, and the
 * 0.8 operator's own), create→Ready, first create → last Ready; then, with the objects kept, the
 * operator's reconciles at rest (bindy_firestoned_io_reconciliations_total over 60 s, opened once
 * the operator has made none for 5 s: the load's last status writes still wake a zone). Expected:
 * 0.8 fewer requests per object, and no reconcile at rest; 0.6.2 requeues every Ready object each 300 s.
 * Run: npm run build && npm run bench -- bindy-lines   (about 6 minutes)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parsePrometheusText } from '../src/observe/prometheus-text.js';
import type { RunResult } from '../src/report/result/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'bindy-loadtest.js');
const records = 300;
const atRestMs = 60_000;

/** Runs the CLI; exit 1 (criteria not met) still gave a result, which is what is compared here. */
function cli(args: string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`bindy-loadtest ${args.join(' ')} exited ${r.status}: ${r.stderr.split('\n').slice(-5).join(' | ')}`);
  return r.stdout;
}

/** The operator's reconciles so far (every kind and status). */
async function reconciles(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  return parsePrometheusText(text).samples.filter((s) => s.name === 'bindy_firestoned_io_reconciliations_total').reduce((a, s) => a + s.value, 0);
}

async function line(version: '0.6' | '0.8'): Promise<Record<string, unknown>> {
  const home = mkdtempSync(join(tmpdir(), `bl-bench-lines-${version}-`));
  const env = { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: join(home, 'sandbox') };
  const config = join(home, 'config.yaml');
  writeFileSync(config, `sandbox:\n  sidecar:\n    rateLimit: off\n  operator:\n    version: '${version}'\nreport:\n  formats: [json]\n`);
  cli(['--config', config, 'sandbox', 'up', '--detach'], env);
  try {
    const runId = `lines-${version.replace('.', '')}`;
    const out = cli(['--config', config, '--output', join(home, 'results'), '--json', 'burst', '--records', String(records), '--zones', '1', '--kinds', 'A=100', '--run-id', runId, '--keep'], env);
    const r = JSON.parse(out) as RunResult;
    const state = JSON.parse(readFileSync(join(home, 'sandbox', 'state.json'), 'utf8')) as { parts: { name: string; metricsUrl?: string }[] };
    const metricsUrl = state.parts.find((p) => p.name === 'operator')?.metricsUrl;
    if (metricsUrl === undefined) throw new Error('the operator part has no metrics URL');
    // Settled: no reconcile for 5 s (at most 60 s), then the window at rest.
    const settleStart = performance.now();
    let last = await reconciles(metricsUrl);
    let stillSince = performance.now();
    while (performance.now() - stillSince < 5000 && performance.now() - settleStart < 60_000) {
      await sleep(500);
      const now = await reconciles(metricsUrl);
      if (now !== last) {
        last = now;
        stillSince = performance.now();
      }
    }
    const settledMs = performance.now() - settleStart;
    const before = await reconciles(metricsUrl);
    await sleep(atRestMs);
    const atRest = (await reconciles(metricsUrl)) - before;
    cli(['cleanup', '--run-id', runId], env);
    const ms = (us: number | null | undefined): number | null => (us == null ? null : Math.round(us / 100) / 10);
    return {
      bindyVersion: r.metadata.target.bindyVersion,
      verdict: `${r.verdict?.outcome ?? '?'}${r.verdict?.outcome === 'pass' ? '' : `: ${r.verdict?.reasons.join('; ') ?? ''}`}`,
      allReady: r.counters['objects_ready']?.value === records + 1,
      apiRequestsPerObject: r.apiAmplification?.requestsPerObject ?? null,
      operatorOwnRequestsPerObject: r.operator.find((m) => m.name === 'operator_api_requests')?.values['per_object'] ?? null,
      createToReadyP50Ms: ms(r.latencies['create_to_ready']?.summary.p50),
      createToReadyP99Ms: ms(r.latencies['create_to_ready']?.summary.p99),
      firstCreateToLastReadyMs: r.counters['first_create_to_last_ready']?.value ?? null,
      settledAfterMs: Math.round(settledMs),
      reconcilesAtRest: atRest,
      atRestSeconds: atRestMs / 1000,
      expectedAtRest: version === '0.8' ? 0 : Math.round(((records + 1) * atRestMs) / 300_000),
    };
  } finally {
    spawnSync(process.execPath, [bin, 'sandbox', 'down'], { env });
    rmSync(home, { recursive: true, force: true });
  }
}

const v06 = await line('0.6');
const v08 = await line('0.8');
const result = {
  benchmark: 'bindy-lines',
  node: process.version,
  measuredAt: new Date().toISOString(),
  what: `${records} ARecords in one zone (bindy's own hand-run load test), burst against the sandbox of each release line, bindcar's limiter off`,
  '0.6': v06,
  '0.8': v08,
  pass: v08['reconcilesAtRest'] === 0 && Number(v08['apiRequestsPerObject']) < Number(v06['apiRequestsPerObject']),
};
const out = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'bindy-lines.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
