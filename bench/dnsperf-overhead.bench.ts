/**
 * @module Benchmark of what the tool adds to dnsperf: the answers per second `bind query`'s phase
 * gets (dnsperf with -v and -S 1, every line read into the HDR histogram as it comes) ÷ those of
 * dnsperf run alone, plain, with the same rate options against the same named (issue 13's goal:
 * ≥ 0.95). Alternating runs, 3 of each, medians. Writes bench/results/dnsperf-overhead.json.
 * Run: `npm run bench -- dnsperf-overhead` (needs BIND9 and dnsperf; ≈ 1 min).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startNamed } from '../src/targets/sandbox/bind9/index.js';
import { locateDnsperf, runDnsperfPhase, type DnsperfLoad } from '../src/drive/dnsperf/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const rounds = 3;
// A rate far above what one named answers here: both runs go as fast as the server and dnsperf allow.
const load: DnsperfLoad = { qps: 500_000, durationMs: 8000, clients: 4, maxOutstanding: 200, timeoutMs: 5000 };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const named = await startNamed();
const dir = await mkdtemp(join(tmpdir(), 'bl-dnsperf-overhead-'));
try {
  const program = locateDnsperf('dnsperf');
  const file = join(dir, 'queries.txt');
  // Names of a zone named does not serve: REFUSED at once, the cheapest answer, so the client side weighs the most.
  await writeFile(file, Array.from({ length: 1000 }, (_, i) => `host-${i}.zone-${i % 10}.example.com A\n`).join(''));
  const alone: number[] = [];
  const verbose: number[] = [];
  const tool: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const { stdout } = await promisify(execFile)(program, ['-s', '127.0.0.1', '-p', String(named.ports.dns), '-d', file, '-l', String(load.durationMs / 1000), '-Q', String(load.qps), '-c', String(load.clients), '-q', String(load.maxOutstanding), '-t', String(load.timeoutMs / 1000)]);
    // Completed over the asked duration for both (dnsperf's own "Queries per second" divides by its run time, which includes the wait for late answers).
    alone.push(Number(/Queries completed:\s+(\d+)/.exec(stdout)?.[1]) / (load.durationMs / 1000));
    // dnsperf with -v -S 1 as the tool runs it, its output read by nobody but the pipe: dnsperf's own share of the cost.
    const v = await promisify(execFile)(program, ['-s', '127.0.0.1', '-p', String(named.ports.dns), '-d', file, '-l', String(load.durationMs / 1000), '-Q', String(load.qps), '-c', String(load.clients), '-q', String(load.maxOutstanding), '-t', String(load.timeoutMs / 1000), '-S', '1', '-v'], { maxBuffer: 2 ** 31 });
    verbose.push(Number(/Queries completed:\s+(\d+)/.exec(v.stdout)?.[1]) / (load.durationMs / 1000));
    const s = await runDnsperfPhase({ program, server: { host: '127.0.0.1', port: named.ports.dns }, load, queries: { file }, startedMs: performance.now(), signal: new AbortController().signal, outstandingSetting: 'bench' });
    const answered = s.counters['dnsperf_completed']?.value ?? 0;
    tool.push(answered / (load.durationMs / 1000));
  }
  const ratio = median(tool) / median(alone);
  const result = {
    bench: 'dnsperf-overhead',
    at: new Date().toISOString(),
    rounds,
    load,
    dnsperfAloneQps: alone.map(Math.round),
    dnsperfVerboseQps: verbose.map(Math.round),
    verboseRatio: Number((median(verbose) / median(alone)).toFixed(4)),
    throughToolQps: tool.map(Math.round),
    ratio: Number(ratio.toFixed(4)),
    goal: 0.95,
    method: 'median of queries completed / -l, through bind query\'s dnsperf phase (-v -S 1, every line parsed into HDR as it arrives) ÷ the same of dnsperf alone with the same -Q -c -q -t and no -v/-S; verboseRatio: dnsperf with -v -S 1 read by a plain pipe, the same way (dnsperf\'s own cost of printing a line per query); alternating runs, same named, same query file (REFUSED answers)',
  };
  await mkdir(join(here, 'results'), { recursive: true });
  await writeFile(join(here, 'results', 'dnsperf-overhead.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await named.stop();
  await rm(dir, { recursive: true, force: true });
}
