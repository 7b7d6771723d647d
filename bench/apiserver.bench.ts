/**
 * @module Benchmark of the sandbox API server: creates/s with 50 concurrent keep-alive clients over
 * loopback, and watch delivery latency (write sent → event received, µs, HDR). The server runs in
 * a child process so that client and server do not share one event loop. Writes
 * bench/results/apiserver.json. Run: `node --import tsx bench/apiserver.bench.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import hdr from 'hdr-histogram-js';
import { openRawWatch } from '../src/targets/sandbox/apiserver/watch-client.js';

const here = dirname(fileURLToPath(import.meta.url));
const clients = 50;
const throughputSeconds = 8;
const idleWrites = 1000;

/** Child mode: serve until stdin closes, print the URL and token as one JSON line. */
async function serve(): Promise<void> {
  const { createApiServer } = await import('../src/targets/sandbox/apiserver/api-server.js');
  const { defaultResources } = await import('../src/targets/sandbox/apiserver/default-resources.js');
  const s = createApiServer({ resources: defaultResources(), historySize: 100_000 });
  const l = await s.listen({ port: 0 });
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

const agent = new Agent({ keepAlive: true, maxSockets: clients });

function post(url: string, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end(body);
  });
}

function histogram(): hdr.Histogram {
  // Latency in µs, 1 µs to 1 h, 3 significant digits (STYLE rule 7).
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

function summary(h: hdr.Histogram): Record<string, unknown> {
  return {
    unit: 'µs',
    count: h.totalCount,
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9),
    max: h.maxValue,
    hdr: hdr.encodeIntoCompressedBase64(h),
  };
}

function record(name: string, ns: string): string {
  return JSON.stringify({
    apiVersion: 'bindy.firestoned.io/v1beta1',
    kind: 'ARecord',
    metadata: { name, namespace: ns, labels: { 'loadtest.bindy.firestoned.io/run-id': 'bench' } },
    spec: { name, ipv4Addresses: ['192.0.2.1'], ttl: 300 },
  });
}

/** Waits (polling every 10 ms, at most `ms`) until every sent write has been seen on the watch. */
async function drained(sent: Map<string, number>, ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (sent.size > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
}

async function main(): Promise<void> {
  const { child, url, token } = await startServer();
  try {
    const ns = 'default';
    const collection = `${url}/apis/bindy.firestoned.io/v1beta1/namespaces/${ns}/arecords`;
    const sent = new Map<string, number>();
    let h = histogram();
    const watch = await openRawWatch(`${collection}?watch=true&resourceVersion=1`, token, (e) => {
      const t1 = performance.now();
      const name = e.object.metadata?.name;
      const t0 = name === undefined ? undefined : sent.get(name);
      if (e.type === 'ADDED' && t0 !== undefined) {
        h.recordValue(Math.max(1, Math.round((t1 - t0) * 1000)));
        sent.delete(name ?? '');
      }
    });

    // Phase 1: throughput, 50 keep-alive clients creating as fast as the server answers.
    let created = 0;
    let errors = 0;
    let seq = 0;
    const t0 = performance.now();
    const deadline = t0 + throughputSeconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < deadline) {
          const name = `load-${seq++}`;
          sent.set(name, performance.now());
          const code = await post(collection, token, record(name, ns));
          if (code === 201) created++;
          else errors++;
        }
      }),
    );
    const elapsed = (performance.now() - t0) / 1000;
    // Let the last load events arrive (bounded) so none lands in the next phase's histogram.
    await drained(sent, 5000);
    const loadUndelivered = sent.size;
    sent.clear();
    const underLoad = h;

    // Phase 2: delivery latency at low load, one write at a time.
    h = histogram();
    for (let i = 0; i < idleWrites; i++) {
      const name = `idle-${i}`;
      sent.set(name, performance.now());
      await post(collection, token, record(name, ns));
    }
    await drained(sent, 5000);
    watch.close();

    const result = {
      benchmark: 'sandbox-apiserver',
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      note: 'server in a child process, plain HTTP on 127.0.0.1, real bindy schema validation; the machine is shared, so numbers are indicative',
      creates: { clients, seconds: Number(elapsed.toFixed(2)), created, errors, perSecond: Math.round(created / elapsed), goalPerSecond: 3000 },
      watchDelivery: {
        definition: 'request sent (client clock) → ADDED event parsed by one raw watcher on the same client, µs',
        underLoad: summary(underLoad),
        oneAtATime: summary(h),
        undelivered: loadUndelivered + sent.size,
      },
    };
    await mkdir(join(here, 'results'), { recursive: true });
    await writeFile(join(here, 'results', 'apiserver.json'), JSON.stringify(result, null, 2) + '\n');
    process.stdout.write(JSON.stringify({ creates: result.creates, underLoadP99us: result.watchDelivery.underLoad.p99, oneAtATimeP99us: result.watchDelivery.oneAtATime.p99 }, null, 2) + '\n');
  } finally {
    agent.destroy();
    child.stdin?.end();
    child.kill('SIGTERM');
  }
}

if (process.argv.includes('--serve')) await serve();
else await main();
