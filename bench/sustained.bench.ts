/**
 * @module Benchmark of the open-loop engine: how exactly it offers a rate. Creates ARecords at
 * SUSTAINED_BENCH_RATE (default 500/s) for SUSTAINED_BENCH_SECONDS (default 20) against the sandbox
 * API server in a child process (no operator: nothing but the API answers), through the same
 * KubeClient and engine `sustained` uses. Reports achieved ÷ offered rate and the schedule slip
 * (goals: rate error ≤ 0.5 %, slip p99 ≤ 2 ms). Writes bench/results/sustained.json.
 * Run: `node --import tsx bench/sustained.bench.ts` (or `npm run bench -- sustained`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArrivalSchedule } from '../src/drive/arrival-schedule.js';
import { runArrivals } from '../src/drive/arrival-engine.js';
import { KubeClient } from '../src/observe/kube-client.js';
import { httpKubeConfig } from '../test/helpers/api-sandbox.js';
import { aRecord } from '../test/helpers/api-sandbox.js';

const here = dirname(fileURLToPath(import.meta.url));
const rate = Number(process.env.SUSTAINED_BENCH_RATE ?? 500);
const seconds = Number(process.env.SUSTAINED_BENCH_SECONDS ?? 20);
const ns = 'bench';

/** Child mode: serve the API twin until stdin closes; print its URL and token as one JSON line. */
async function serve(): Promise<void> {
  const { createApiServer } = await import('../src/targets/sandbox/apiserver/api-server.js');
  const { defaultResources } = await import('../src/targets/sandbox/apiserver/default-resources.js');
  const s = createApiServer({ resources: defaultResources(), historySize: 10_000 });
  const l = await s.listen({ host: '127.0.0.1', port: 0, tls: false });
  await s.request({ method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
  process.stdout.write(JSON.stringify({ url: l.url, token: s.token }) + '\n');
  process.stdin.resume();
  process.stdin.once('end', () => void l.close());
}

function startServer(): Promise<{ child: ChildProcess; url: string; token: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.once('error', reject);
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (c: string) => {
      buf += c;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        const { url, token } = JSON.parse(buf.slice(0, nl)) as { url: string; token: string };
        resolve({ child, url, token });
      }
    });
  });
}

async function main(): Promise<void> {
  const { child, url, token } = await startServer();
  try {
    const client = new KubeClient({ kubeConfig: httpKubeConfig(url, token) });
    const schedule = new ArrivalSchedule([{ durationMs: seconds * 1000, fromPerSec: rate, toPerSec: rate }]);
    let accepted = 0;
    let firstSent = Infinity;
    let lastReceived = 0;
    const s = await runArrivals({
      schedule,
      maxInFlight: 1000,
      now: () => client.now(),
      perform: async (n) => {
        const r = await client.create(aRecord(`b-${n}`, ns, 'bench'));
        firstSent = Math.min(firstSent, r.sentMs);
        lastReceived = Math.max(lastReceived, r.receivedMs);
        if (r.ok) accepted++;
      },
    });
    // Offered: the schedule's rate. Achieved: operations started per second of the schedule, and
    // accepted creates per second from the first send to the last answer.
    const startedRate = s.started / (seconds);
    const acceptedRate = (accepted * 1000) / (lastReceived - firstSent);
    const result = {
      bench: 'sustained-engine',
      when: new Date().toISOString(),
      host: { cpus: cpus().length, node: process.version },
      offeredPerSec: rate,
      seconds,
      due: s.due,
      started: s.started,
      dropped: s.dropped,
      accepted,
      startedPerSec: startedRate,
      acceptedPerSec: acceptedRate,
      rateError: Math.abs(startedRate - rate) / rate,
      acceptedRateError: Math.abs(acceptedRate - rate) / rate,
      slipUs: { p50: s.slip.valueAt(50), p99: s.slip.valueAt(99), max: s.slip.summary().max },
      late: s.late,
      eventLoopLagUs: s.eventLoopLag,
      toolCpuCores: s.toolCpuCores,
      goals: { rateError: 0.005, slipP99Us: 2000 },
    };
    const out = join(here, 'results', 'sustained.json');
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    client.close();
  } finally {
    child.stdin?.end();
    child.kill();
  }
}

if (process.argv.includes('--serve')) await serve();
else await main();
