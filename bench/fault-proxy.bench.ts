/**
 * @module Benchmark of the sandbox fault proxy: the latency it adds with no fault set (TCP and UDP
 * ping-pong, direct and proxied samples interleaved, µs HDR), the accuracy of an injected delay,
 * and the accuracy of injected UDP loss over 100,000 datagrams. The proxy runs from its real entry
 * (src/faults/proxy/run.ts) and the echo servers in a second child, so neither shares this event
 * loop. Writes bench/results/fault-proxy.json. Run: `node --import tsx bench/fault-proxy.bench.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, connect, type Socket } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import hdr from 'hdr-histogram-js';
import { ProxyControlClient } from '../src/faults/proxy/client.js';
import type { FaultProxyReadyLine } from '../src/faults/proxy/run.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const pingSamples = 5000;
const delayMs = 100;
const delaySamples = 100;
const lossShare = 0.2;
const lossDatagrams = 100_000;
const lossBatch = 250;

/** Child mode: a TCP and a UDP echo server; prints their ports, serves until stdin closes. */
async function echo(): Promise<void> {
  const tcp = createServer({ noDelay: true }, (s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
  const udp = createSocket('udp4');
  udp.on('message', (m, r) => udp.send(m, r.port, r.address));
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
  process.stdout.write(`${JSON.stringify({ tcp: (tcp.address() as { port: number }).port, udp: udp.address().port })}\n`);
  process.stdin.resume();
  process.stdin.once('end', () => {
    tcp.close();
    udp.close();
  });
}

function firstLine<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (l) => {
      rl.close();
      resolve(JSON.parse(l) as T);
    });
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before its ready line`)));
  });
}

function histogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
}

function summary(h: hdr.Histogram): Record<string, number> {
  return { count: h.totalCount, p50: h.getValueAtPercentile(50), p90: h.getValueAtPercentile(90), p99: h.getValueAtPercentile(99), p999: h.getValueAtPercentile(99.9), max: h.maxValue, mean: Math.round(h.mean) };
}

/** One TCP ping-pong client: write 64 bytes, resolve with µs when they are all back. */
function tcpPinger(port: number): Promise<{ ping: () => Promise<number>; close: () => void }> {
  return new Promise((resolve, reject) => {
    const s: Socket = connect({ host: '127.0.0.1', port, noDelay: true });
    const payload = Buffer.alloc(64, 7);
    let pending: { t0: number; got: number; done: (us: number) => void } | undefined;
    s.on('data', (c: Buffer) => {
      if (pending === undefined) return;
      pending.got += c.length;
      if (pending.got >= payload.length) {
        const p = pending;
        pending = undefined;
        p.done((performance.now() - p.t0) * 1000);
      }
    });
    s.once('error', reject);
    s.once('connect', () =>
      resolve({
        ping: () =>
          new Promise((done) => {
            pending = { t0: performance.now(), got: 0, done };
            s.write(payload);
          }),
        close: () => s.destroy(),
      }),
    );
  });
}

/** One UDP ping-pong client (64-byte datagrams; the echo returns each one). */
async function udpPinger(port: number): Promise<{ ping: () => Promise<number>; close: () => void }> {
  const s: UdpSocket = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const payload = Buffer.alloc(64, 7);
  let pending: { t0: number; done: (us: number) => void } | undefined;
  s.on('message', () => {
    const p = pending;
    pending = undefined;
    p?.done((performance.now() - p.t0) * 1000);
  });
  return {
    ping: () =>
      new Promise((done) => {
        pending = { t0: performance.now(), done };
        s.send(payload, port, '127.0.0.1');
      }),
    close: () => s.close(),
  };
}

type Pinger = Awaited<ReturnType<typeof tcpPinger>>;

/** Interleaves direct and proxied pings so both see the same machine noise. */
async function interleaved(direct: Pinger, proxied: Pinger, n: number): Promise<{ direct: hdr.Histogram; proxied: hdr.Histogram }> {
  const d = histogram();
  const p = histogram();
  for (let i = 0; i < 200; i++) {
    await direct.ping();
    await proxied.ping(); // warm-up: JIT, socket buffers
  }
  for (let i = 0; i < n; i++) {
    d.recordValue(Math.max(1, Math.round(await direct.ping())));
    p.recordValue(Math.max(1, Math.round(await proxied.ping())));
  }
  return { direct: d, proxied: p };
}

function overhead(r: { direct: hdr.Histogram; proxied: hdr.Histogram }): Record<string, unknown> {
  const d = summary(r.direct);
  const p = summary(r.proxied);
  const add = (k: 'p50' | 'p99' | 'mean'): number => (p[k] ?? 0) - (d[k] ?? 0);
  return {
    direct: d,
    proxied: p,
    addedPerRoundTripUs: { p50: add('p50'), p99: add('p99'), mean: add('mean') },
    // A round trip crosses the proxy twice (request and reply): one hop is half of it.
    addedPerHopUs: { p50: add('p50') / 2, p99: add('p99') / 2, mean: add('mean') / 2 },
    goalP99PerHopUs: 100,
  };
}

async function delayAccuracy(client: ProxyControlClient, link: string, direct: Pinger, proxied: Pinger): Promise<Record<string, unknown>> {
  const base = await interleaved(direct, proxied, 200);
  const baseMeanUs = base.proxied.mean;
  await client.setFault(link, { kind: 'latency', ms: delayMs });
  const added = histogram();
  let sum = 0;
  for (let i = 0; i < delaySamples; i++) {
    const us = (await proxied.ping()) - baseMeanUs;
    sum += us;
    added.recordValue(Math.max(1, Math.round(us)));
  }
  await client.clearFault(link);
  const meanMs = sum / delaySamples / 1000;
  return {
    injectedMs: delayMs,
    samples: delaySamples,
    definition: 'proxied round trip with the fault − mean proxied round trip without it',
    addedUs: summary(added),
    meanAddedMs: Number(meanMs.toFixed(3)),
    meanErrorPercent: Number((((meanMs - delayMs) / delayMs) * 100).toFixed(3)),
    p50ErrorPercent: Number((((added.getValueAtPercentile(50) / 1000 - delayMs) / delayMs) * 100).toFixed(3)),
    p99ErrorPercent: Number((((added.getValueAtPercentile(99) / 1000 - delayMs) / delayMs) * 100).toFixed(3)),
    goalPercent: 2,
  };
}

async function lossAccuracy(client: ProxyControlClient, port: number): Promise<Record<string, unknown>> {
  const s: UdpSocket = createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  let received = 0;
  s.on('message', () => received++);
  await client.setFault('udp', { kind: 'loss', share: lossShare, seed: 20261203 });
  const before = (await client.link('udp')).counters;
  const payload = Buffer.alloc(64, 1);
  const t0 = performance.now();
  for (let sent = 0; sent < lossDatagrams; ) {
    const n = Math.min(lossBatch, lossDatagrams - sent);
    for (let i = 0; i < n; i++) s.send(payload, port, '127.0.0.1');
    sent += n;
    // Wait until the proxy has decided every datagram sent so far and each forwarded one has come back.
    for (;;) {
      const c = (await client.link('udp')).counters;
      const up = c.upstream.forwardedPackets - before.upstream.forwardedPackets;
      const dropped = c.upstream.droppedPackets - before.upstream.droppedPackets;
      if (up + dropped >= sent && received >= up) break;
      await new Promise((r) => setTimeout(r, 2));
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  await client.clearFault('udp');
  const after = (await client.link('udp')).counters;
  s.close();
  const dropped = after.upstream.droppedPackets - before.upstream.droppedPackets;
  const lostSeenByClient = lossDatagrams - received;
  const measured = lostSeenByClient / lossDatagrams;
  const sd = Math.sqrt((lossShare * (1 - lossShare)) / lossDatagrams);
  return {
    injectedShare: lossShare,
    datagrams: lossDatagrams,
    seconds: Number(seconds.toFixed(2)),
    droppedByProxy: dropped,
    lostSeenByClient,
    measuredShare: Number(measured.toFixed(5)),
    relativeErrorPercent: Number((((measured - lossShare) / lossShare) * 100).toFixed(3)),
    binomial95: [Number((lossShare - 1.96 * sd).toFixed(5)), Number((lossShare + 1.96 * sd).toFixed(5))],
    goalPercent: 2,
  };
}

async function main(): Promise<void> {
  const atStart = loadavg()[0];
  const echoChild = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--echo'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const ports = await firstLine<{ tcp: number; udp: number }>(echoChild);
  const proxyChild = spawn(process.execPath, ['--import', 'tsx', 'src/faults/proxy/run.ts', '--link', `tcp=tcp:127.0.0.1:${ports.tcp}`, '--link', `udp=udp:127.0.0.1:${ports.udp}`], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const ready = await firstLine<FaultProxyReadyLine>(proxyChild);
    const port = (name: string): number => ready.links.find((l) => l.name === name)?.listen.port ?? 0;
    const client = new ProxyControlClient(ready.controlUrl);

    const tcpDirect = await tcpPinger(ports.tcp);
    const tcpProxied = await tcpPinger(port('tcp'));
    const udpDirect = await udpPinger(ports.udp);
    const udpProxied = await udpPinger(port('udp'));
    const tcpNoFault = overhead(await interleaved(tcpDirect, tcpProxied, pingSamples));
    const udpNoFault = overhead(await interleaved(udpDirect, udpProxied, pingSamples));
    const tcpDelay = await delayAccuracy(client, 'tcp', tcpDirect, tcpProxied);
    const udpDelay = await delayAccuracy(client, 'udp', udpDirect, udpProxied);
    for (const p of [tcpDirect, tcpProxied, udpDirect, udpProxied]) p.close();
    const loss = await lossAccuracy(client, port('udp'));

    const result = {
      benchmark: 'fault-proxy',
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      loadAverage1m: { atStart, atEnd: loadavg()[0] },
      note: 'proxy (its real entry) and echo servers in two child processes, client here; 64-byte ping-pong on 127.0.0.1, one request in flight; the machine is shared, so numbers are indicative',
      noFault: { unit: 'µs', samplesEach: pingSamples, tcp: tcpNoFault, udp: udpNoFault },
      delayAccuracy: { tcp: tcpDelay, udp: udpDelay },
      lossAccuracy: loss,
    };
    await mkdir(join(here, 'results'), { recursive: true });
    await writeFile(join(here, 'results', 'fault-proxy.json'), `${JSON.stringify(result, null, 2)}\n`);
    const brief = {
      loadAverage1m: result.loadAverage1m,
      tcpAddedPerHopUs: tcpNoFault['addedPerHopUs'],
      udpAddedPerHopUs: udpNoFault['addedPerHopUs'],
      tcpDelayErrorPercent: { p50: tcpDelay['p50ErrorPercent'], mean: tcpDelay['meanErrorPercent'] },
      udpDelayErrorPercent: { p50: udpDelay['p50ErrorPercent'], mean: udpDelay['meanErrorPercent'] },
      lossMeasuredShare: loss['measuredShare'],
      lossRelativeErrorPercent: loss['relativeErrorPercent'],
    };
    process.stdout.write(`${JSON.stringify(brief, null, 2)}\n`);
  } finally {
    proxyChild.kill('SIGTERM');
    echoChild.stdin?.end();
  }
}

if (process.argv.includes('--echo')) await echo();
else await main();
