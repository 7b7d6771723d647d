/**
 * @module Benchmark of the DNS prober's cost: its queries per second with 5,000 records in flight
 * (none ever answered, so every one keeps being probed) ÷ the queries per second dnsperf gets from
 * the same named on the same names (issue 13's goal: ≤ 5 %). Writes bench/results/dns-prober.json.
 * Run: `node --import tsx bench/dns-prober.bench.ts` (needs BIND9 and dnsperf).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startNamed } from '../src/targets/sandbox/bind9/index.js';
import { DnsProber } from '../src/observe/dns-prober.js';
import { defaultConfig } from '../src/config/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const records = 5000;
const seconds = 8;

const named = await startNamed();
const dir = await mkdtemp(join(tmpdir(), 'bl-prober-bench-'));
try {
  const names = Array.from({ length: records }, (_, i) => `host-${i}.zone-${i % 50}.example.com`);
  // dnsperf alone, on the same names, as fast as named answers them (20 clients, 200 outstanding).
  const queryFile = join(dir, 'queries.txt');
  await writeFile(queryFile, names.map((n) => `${n} A\n`).join(''));
  const { stdout } = await promisify(execFile)('dnsperf', ['-s', '127.0.0.1', '-p', String(named.ports.dns), '-d', queryFile, '-l', String(seconds), '-c', '20', '-q', '200']);
  const dnsperfQps = Number(/Queries per second:\s+([\d.]+)/.exec(stdout)?.[1]);

  // The prober with the default bounds, every record in flight for the whole time.
  const p = defaultConfig.probe;
  const prober = new DnsProber({ servers: [{ host: '127.0.0.1', port: named.ports.dns, name: 'bench' }], now: () => performance.now(), ratePerSecond: p.rate, maxInFlight: p.inFlight });
  const t0 = performance.now();
  for (const [i, fqdn] of names.entries()) {
    prober.expect({ key: `ARecord/bench/r${i}`, kind: 'ARecord', fqdn, rrType: 'A', expected: { rrType: 'A', shapes: [['192.0.2.1']], text: 'A 192.0.2.1' }, intendedStartMs: t0, operation: 'create' });
  }
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elapsedS = (performance.now() - t0) / 1000;
  prober.stop();
  const proberQps = prober.stats.sent / elapsedS;
  const result = {
    bench: 'dns-prober',
    at: new Date().toISOString(),
    records,
    seconds,
    probeRate: p.rate,
    probeInFlight: p.inFlight,
    proberQps: Math.round(proberQps),
    proberLost: prober.stats.lost,
    dnsperfQps: Math.round(dnsperfQps),
    share: Number((proberQps / dnsperfQps).toFixed(4)),
    goal: 0.05,
    method: 'prober queries sent / elapsed with every record unanswered (REFUSED: no zone) ÷ dnsperf -c 20 -q 200 queries per second on the same names, same named, run one after the other',
  };
  await mkdir(join(here, 'results'), { recursive: true });
  await writeFile(join(here, 'results', 'dns-prober.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await named.stop();
  await rm(dir, { recursive: true, force: true });
}
