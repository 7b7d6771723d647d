// test-runner: alone (scripts/run-tests.mjs runs this file after the others, with nothing beside it): it times injected delays
/**
 * The fault proxy over real sockets on 127.0.0.1: TCP and UDP echo servers behind it, each fault
 * checked against what the echo servers and clients saw (the ground truth), not only the proxy's
 * own counters.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { startFaultProxy, type RunningFaultProxy } from './proxy.js';
import type { FaultSpec } from '../fault.js';

let tcpEcho: Server;
let udpEcho: UdpSocket;
let udpEchoReceived = 0;
const upstreamSockets = new Set<Socket>();
let proxy: RunningFaultProxy;

const port = (name: string): number => proxy.linkStatus(name)?.listen.port ?? 0;

/** Polls `cond` every 5 ms until true; fails after `ms`. */
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function set(link: string, spec: FaultSpec): string {
  const r = proxy.setFault(link, spec);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.fault.id;
}

function clear(link: string): void {
  assert.equal(proxy.clearFault(link).cleared, true);
}

/** Opens a TCP connection through the `tcp` link. */
function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: port('tcp'), noDelay: true });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Writes `data` and resolves when as many bytes came back (and how long it took, ms). */
function echoRound(s: Socket, data: Buffer, timeoutMs = 5000): Promise<{ back: Buffer; ms: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    const t0 = performance.now();
    const timer = setTimeout(() => done(new Error(`only ${n} of ${data.length} bytes came back within ${timeoutMs} ms`)), timeoutMs);
    const onData = (c: Buffer): void => {
      chunks.push(c);
      n += c.length;
      if (n >= data.length) done();
    };
    function done(err?: Error): void {
      clearTimeout(timer);
      s.off('data', onData);
      if (err) reject(err);
      else resolve({ back: Buffer.concat(chunks), ms: performance.now() - t0 });
    }
    s.on('data', onData);
    s.write(data);
  });
}

/** Sends `count` numbered datagrams through the `udp` link from one socket, `batch` at a time, and returns the numbers that came back. */
async function udpRun(count: number, batch = 50): Promise<Set<number>> {
  const c = createSocket('udp4');
  const back = new Set<number>();
  c.on('message', (m) => back.add(m.readUInt32BE(0)));
  await new Promise<void>((r) => c.bind(0, '127.0.0.1', () => r()));
  const before = proxy.linkStatus('udp')?.counters;
  const upBefore = before?.upstream.forwardedPackets ?? 0;
  const sentBefore = upBefore + (before?.upstream.droppedPackets ?? 0);
  const downBefore = before?.downstream.forwardedPackets ?? 0;
  for (let i = 0; i < count; i += batch) {
    for (let j = i; j < Math.min(count, i + batch); j++) {
      const b = Buffer.alloc(16);
      b.writeUInt32BE(j, 0);
      c.send(b, port('udp'), '127.0.0.1');
    }
    const end = Math.min(count, i + batch);
    // Every datagram of the batch has been decided (forwarded or dropped), every forwarded one echoed back, and every echo received.
    await until(
      () => {
        const now = proxy.linkStatus('udp')?.counters;
        const up = (now?.upstream.forwardedPackets ?? 0) - upBefore;
        const down = (now?.downstream.forwardedPackets ?? 0) - downBefore;
        const seen = up + (now?.upstream.droppedPackets ?? 0) - (sentBefore - upBefore);
        return seen === end && down === up && back.size === down;
      },
      5000,
      `batch ending at ${end}`,
    );
  }
  c.close();
  return back;
}

before(async () => {
  tcpEcho = createServer({ noDelay: true }, (s) => {
    upstreamSockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => upstreamSockets.delete(s));
    s.pipe(s);
  });
  await new Promise<void>((r) => tcpEcho.listen(0, '127.0.0.1', () => r()));
  udpEcho = createSocket('udp4');
  udpEcho.on('message', (m, r) => {
    udpEchoReceived++;
    udpEcho.send(m, r.port, r.address);
  });
  await new Promise<void>((r) => udpEcho.bind(0, '127.0.0.1', () => r()));
  const tcpPort = (tcpEcho.address() as { port: number }).port;
  proxy = await startFaultProxy({
    links: [
      { name: 'tcp', protocol: 'tcp', listenPort: 0, upstream: { host: '127.0.0.1', port: tcpPort } },
      { name: 'udp', protocol: 'udp', listenPort: 0, upstream: { host: '127.0.0.1', port: udpEcho.address().port } },
    ],
  });
});

after(async () => {
  await proxy.close();
  await new Promise<void>((r) => tcpEcho.close(() => r()));
  await new Promise<void>((r) => udpEcho.close(() => r()));
});

void test('no fault: 1 MiB passes through TCP unchanged, and UDP datagrams of every size come back intact', async () => {
  const s = await open();
  const data = randomBytes(1 << 20);
  const { back } = await echoRound(s, data);
  assert.equal(createHash('sha256').update(back).digest('hex'), createHash('sha256').update(data).digest('hex'));
  s.destroy();

  const c = createSocket('udp4');
  await new Promise<void>((r) => c.bind(0, '127.0.0.1', () => r()));
  for (const size of [0, 1, 512, 1232, 4096, 65000]) {
    const d = randomBytes(size);
    const got = await new Promise<Buffer>((resolve) => {
      c.once('message', (m) => resolve(m));
      c.send(d, port('udp'), '127.0.0.1');
    });
    assert.ok(got.equals(d), `datagram of ${size} bytes`);
  }
  c.close();
  const st = proxy.linkStatus('tcp');
  assert.ok((st?.counters.upstream.forwardedBytes ?? 0) >= 1 << 20 && (st?.counters.downstream.forwardedBytes ?? 0) >= 1 << 20);
});

void test('UDP: each client address gets its own upstream mapping, and replies go back to the right client', async () => {
  const clients = await Promise.all(
    [1, 2, 3].map(async (k) => {
      const c = createSocket('udp4');
      await new Promise<void>((r) => c.bind(0, '127.0.0.1', () => r()));
      return { k, c, got: [] as string[] };
    }),
  );
  for (const x of clients) x.c.on('message', (m) => x.got.push(m.toString()));
  const openedBefore = proxy.linkStatus('udp')?.counters.sessions.opened ?? 0;
  for (let i = 0; i < 10; i++) for (const x of clients) x.c.send(`client${x.k}-${i}`, port('udp'), '127.0.0.1');
  await until(() => clients.every((x) => x.got.length === 10), 3000, 'every reply');
  for (const x of clients) assert.deepEqual(new Set(x.got), new Set(Array.from({ length: 10 }, (_, i) => `client${x.k}-${i}`)));
  assert.equal((proxy.linkStatus('udp')?.counters.sessions.opened ?? 0) - openedBefore, 3);
  for (const x of clients) x.c.close();
});

void test('a 200 ms latency shows up in every round trip, never less, within tolerance; clearing it restores speed', async () => {
  const s = await open();
  const c = createSocket('udp4');
  await new Promise<void>((r) => c.bind(0, '127.0.0.1', () => r()));
  const udpRtt = (): Promise<number> =>
    new Promise((resolve) => {
      const t0 = performance.now();
      c.once('message', () => resolve(performance.now() - t0));
      c.send('x', port('udp'), '127.0.0.1');
    });
  set('tcp', { kind: 'latency', ms: 200 });
  set('udp', { kind: 'latency', ms: 200 });
  for (let i = 0; i < 3; i++) {
    const { ms } = await echoRound(s, Buffer.from('ping'));
    assert.ok(ms >= 200 && ms < 300, `TCP round trip ${ms} ms`);
    const u = await udpRtt();
    assert.ok(u >= 200 && u < 300, `UDP round trip ${u} ms`);
  }
  clear('tcp');
  clear('udp');
  const { ms } = await echoRound(s, Buffer.from('ping'));
  assert.ok(ms < 100, `TCP round trip after clearing ${ms} ms`);
  assert.ok((await udpRtt()) < 100);
  // Both ways: a round trip pays the delay twice.
  set('udp', { kind: 'latency', ms: 100, direction: 'both' });
  const both = await udpRtt();
  assert.ok(both >= 200 && both < 300, `UDP round trip with 100 ms both ways ${both} ms`);
  clear('udp');
  s.destroy();
  c.close();
});

void test('TCP jitter never reorders the byte stream', async () => {
  const s = await open();
  set('tcp', { kind: 'latency', ms: 20, jitterMs: 20, direction: 'both', seed: 3 });
  const data = Buffer.concat(Array.from({ length: 200 }, (_, i) => Buffer.from(`${String(i).padStart(4, '0')};`)));
  const received: Buffer[] = [];
  s.on('data', (c: Buffer) => received.push(c));
  for (let i = 0; i < 200; i++) s.write(data.subarray(i * 5, i * 5 + 5));
  await until(() => Buffer.concat(received).length === data.length, 10_000, 'every byte back');
  assert.ok(Buffer.concat(received).equals(data));
  clear('tcp');
  s.destroy();
});

void test('20 % UDP loss (seeded) drops a binomial share of 2,000 datagrams, the same ones for the same seed', async () => {
  const receivedBefore = udpEchoReceived;
  set('udp', { kind: 'loss', share: 0.2, seed: 11 });
  const first = await udpRun(2000);
  clear('udp');
  const lost = 2000 - first.size;
  // Binomial(2000, 0.2): mean 400, sd 17.9; 4 sd either side.
  assert.ok(Math.abs(lost - 400) < 72, `lost ${lost} of 2000`);
  // Ground truth: the echo server received exactly the datagrams that were not dropped upstream.
  assert.equal(udpEchoReceived - receivedBefore, first.size);
  set('udp', { kind: 'loss', share: 0.2, seed: 11 });
  const second = await udpRun(2000);
  clear('udp');
  assert.deepEqual([...second].sort((a, b) => a - b), [...first].sort((a, b) => a - b), 'same seed, same datagrams lost');
  assert.equal((await udpRun(200)).size, 200, 'nothing lost once cleared');
});

void test('partition: TCP stalls and holds new connections, UDP drops; clearing it delivers what was held and restores the link', async () => {
  const s = await open();
  set('tcp', { kind: 'partition' });
  set('udp', { kind: 'partition' });
  await assert.rejects(echoRound(s, Buffer.from('held'), 300), /only 0 of 4 bytes/);
  const late = await open(); // the kernel accepts; the proxy never connects it upstream while partitioned
  const upstreamBefore = upstreamSockets.size;
  const lateRound = echoRound(late, Buffer.from('late'));
  const c = createSocket('udp4');
  await new Promise<void>((r) => c.bind(0, '127.0.0.1', () => r()));
  const dropped = proxy.linkStatus('udp')?.counters.upstream.droppedPackets ?? 0;
  c.send('lost', port('udp'), '127.0.0.1');
  await until(() => (proxy.linkStatus('udp')?.counters.upstream.droppedPackets ?? 0) === dropped + 1, 2000, 'the datagram dropped');
  assert.equal(upstreamSockets.size, upstreamBefore, 'no new upstream connection during the partition');
  const heldBack = new Promise<string>((resolve) => s.once('data', (d: Buffer) => resolve(d.toString())));
  clear('tcp');
  clear('udp');
  assert.equal(await heldBack, 'held', 'the held bytes arrive once healed');
  assert.equal((await lateRound).back.toString(), 'late', 'the held connection reaches the server once healed');
  const got = new Promise<string>((resolve) => c.once('message', (m) => resolve(m.toString())));
  c.send('back', port('udp'), '127.0.0.1');
  assert.equal(await got, 'back');
  c.close();
  s.destroy();
  late.destroy();
});

void test('partition mode refuse resets new TCP connections at once', async () => {
  set('tcp', { kind: 'partition', mode: 'refuse' });
  const s = connect({ host: '127.0.0.1', port: port('tcp') });
  const err = await new Promise<NodeJS.ErrnoException>((resolve) => s.once('error', resolve));
  assert.equal(err.code, 'ECONNRESET');
  clear('tcp');
});

void test('reset closes open connections with ECONNRESET at the client and the server, and resets new ones while it lasts', async () => {
  const s = await open();
  await echoRound(s, Buffer.from('up'));
  const serverSide = [...upstreamSockets].at(-1);
  assert.ok(serverSide !== undefined);
  const serverErr = new Promise<string | undefined>((resolve) => {
    serverSide.once('error', (e: NodeJS.ErrnoException) => resolve(e.code));
    serverSide.once('close', () => resolve(undefined));
  });
  const clientErr = new Promise<string | undefined>((resolve) => s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code)));
  set('tcp', { kind: 'reset' });
  assert.equal(await clientErr, 'ECONNRESET');
  assert.equal(await serverErr, 'ECONNRESET');
  const again = connect({ host: '127.0.0.1', port: port('tcp') });
  assert.equal(await new Promise<string | undefined>((resolve) => again.once('error', (e: NodeJS.ErrnoException) => resolve(e.code))), 'ECONNRESET');
  clear('tcp');
  const fresh = await open();
  assert.equal((await echoRound(fresh, Buffer.from('ok'))).back.toString(), 'ok');
  fresh.destroy();
  assert.ok((proxy.linkStatus('tcp')?.counters.sessions.reset ?? 0) >= 2);
});

void test('bandwidth: 60 KB at 100 KB/s take 0.6 s to get through', async () => {
  const s = await open();
  set('tcp', { kind: 'bandwidth', bytesPerSecond: 100_000 });
  const { back, ms } = await echoRound(s, randomBytes(60_000));
  assert.equal(back.length, 60_000);
  assert.ok(ms >= 590 && ms < 900, `60 KB took ${ms} ms`);
  clear('tcp');
  s.destroy();
});

void test('the dead-man switch reverts a fault by itself after its duration, and the history says so', async () => {
  const c = createSocket('udp4');
  await new Promise<void>((r) => c.bind(0, '127.0.0.1', () => r()));
  const t0 = performance.now();
  const id = set('udp', { kind: 'partition', durationMs: 300 });
  await until(() => proxy.linkStatus('udp')?.fault === null, 3000, 'the dead-man');
  const elapsed = performance.now() - t0;
  assert.ok(elapsed >= 300 && elapsed < 800, `reverted after ${elapsed} ms`);
  const past = proxy.linkStatus('udp')?.history.find((p) => p.id === id);
  assert.equal(past?.clearedBy, 'dead-man');
  const got = new Promise<string>((resolve) => c.once('message', (m) => resolve(m.toString())));
  c.send('alive', port('udp'), '127.0.0.1');
  assert.equal(await got, 'alive');
  assert.match(proxy.clearFault('udp', id).detail, /already cleared at .* \(dead-man\)/);
  c.close();
});

void test('control API over HTTP: a bad spec is 400 with a one-line reason; 404, 409, and a clear by a stale id leaves the active fault alone', async () => {
  const call = async (method: string, path: string, body?: string): Promise<{ status: number; json: Record<string, unknown> }> => {
    const r = await fetch(`${proxy.controlUrl}${path}`, { method, ...(body === undefined ? {} : { body }) });
    return { status: r.status, json: (await r.json()) as Record<string, unknown> };
  };
  const bad = await call('PUT', '/links/udp/fault', '{"kind":"loss","share":2}');
  assert.equal(bad.status, 400);
  assert.equal(bad.json['error'], 'PUT /links/udp/fault: loss.share must be a number > 0 and ≤ 1 (got 2)');
  assert.equal((await call('PUT', '/links/udp/fault', 'not json')).status, 400);
  const udpReset = await call('PUT', '/links/udp/fault', '{"kind":"reset"}');
  assert.equal(udpReset.status, 400);
  assert.match(String(udpReset.json['error']), /TCP links only/);
  assert.equal((await call('PUT', '/links/nope/fault', '{"kind":"reset"}')).status, 404);
  assert.equal((await call('PUT', '/links/udp/fault?id=f-first', '{"kind":"latency","ms":1}')).status, 201);
  assert.equal((await call('PUT', '/links/udp/fault?id=f-first', '{"kind":"latency","ms":1}')).status, 201, 'a retried PUT of the same id is fine');
  const second = await call('PUT', '/links/udp/fault', '{"kind":"latency","ms":2}');
  assert.equal(second.status, 409);
  assert.match(String(second.json['error']), /already has fault f-first/);
  const stale = await call('DELETE', '/links/udp/fault?id=f-older');
  assert.deepEqual([stale.status, stale.json['cleared']], [200, false]);
  assert.equal(proxy.linkStatus('udp')?.fault?.id, 'f-first');
  const ok = await call('DELETE', '/links/udp/fault?id=f-first');
  assert.equal(ok.json['cleared'], true);
  const links = await call('GET', '/links');
  assert.deepEqual((links.json['links'] as { name: string }[]).map((l) => l.name), ['tcp', 'udp']);
  assert.equal((await call('GET', '/nowhere')).status, 404);
  assert.equal((await call('POST', '/links', '{"name":"tcp","protocol":"tcp","upstream":{"port":1}}')).status, 409);
  assert.equal((await call('POST', '/links', '{"name":"far","protocol":"tcp","upstream":{"host":"10.1.1.1","port":1}}')).status, 400);
});

void test('a link added at run time forwards at once', async () => {
  const tcpPort = (tcpEcho.address() as { port: number }).port;
  const r = await fetch(`${proxy.controlUrl}/links`, { method: 'POST', body: JSON.stringify({ name: 'added', protocol: 'tcp', upstream: { port: tcpPort } }) });
  assert.equal(r.status, 201);
  const { listen } = (await r.json()) as { listen: { port: number } };
  const s = connect({ host: '127.0.0.1', port: listen.port });
  await new Promise((resolve) => s.once('connect', resolve));
  assert.equal((await echoRound(s, Buffer.from('hi'))).back.toString(), 'hi');
  s.destroy();
});

void test('TCP loss delays a "lost" chunk by the retransmission time, and drops nothing', async () => {
  const s = await open();
  set('tcp', { kind: 'loss', share: 1, retransmitMs: 120 });
  const { back, ms } = await echoRound(s, Buffer.from('resent'));
  assert.equal(back.toString(), 'resent');
  assert.ok(ms >= 120 && ms < 220, `round trip ${ms} ms`);
  clear('tcp');
  assert.equal(proxy.linkStatus('tcp')?.counters.upstream.droppedPackets, 0);
  s.destroy();
});

void test('a downstream latency delays the replies, not the requests', async () => {
  const s = await open();
  set('tcp', { kind: 'latency', ms: 150, direction: 'downstream' });
  const before = proxy.linkStatus('tcp')?.counters.upstream.forwardedBytes ?? 0;
  const round = echoRound(s, Buffer.from('q'));
  await until(() => (proxy.linkStatus('tcp')?.counters.upstream.forwardedBytes ?? 0) > before, 100, 'the request to reach the server at once');
  const { ms } = await round;
  assert.ok(ms >= 150 && ms < 250, `round trip ${ms} ms`);
  clear('tcp');
  s.destroy();
});

void test('a half-close is forwarded in order: the client ends, the server sees it after the data and ends too', async () => {
  const s = await open();
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => s.once('end', resolve));
  set('tcp', { kind: 'latency', ms: 30, direction: 'both' });
  s.end('last words');
  await ended;
  clear('tcp');
  assert.equal(Buffer.concat(chunks).toString(), 'last words');
  await until(() => proxy.linkStatus('tcp')?.counters.sessions.active === 0, 3000, 'no connection left open');
});

void test('an upstream that refuses the connection resets the client, as a dead server would', async () => {
  const dead = createServer();
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()));
  const deadPort = (dead.address() as { port: number }).port;
  await new Promise<void>((r) => dead.close(() => r()));
  const link = await proxy.addLink({ name: 'dead', protocol: 'tcp', listenPort: 0, upstream: { host: '127.0.0.1', port: deadPort } });
  const s = connect({ host: '127.0.0.1', port: link.listen.port });
  const code = await new Promise<string | undefined>((resolve) => {
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code));
    s.once('close', () => resolve('closed without error'));
  });
  assert.equal(code, 'ECONNRESET');
});

void test('UDP bandwidth: 20 datagrams of 1,000 bytes at 40,000 B/s take 0.5 s to all come back', async () => {
  const c = createSocket('udp4');
  await new Promise<void>((r) => c.bind(0, '127.0.0.1', () => r()));
  let got = 0;
  c.on('message', () => got++);
  set('udp', { kind: 'bandwidth', bytesPerSecond: 40_000 });
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) c.send(Buffer.alloc(1000), port('udp'), '127.0.0.1');
  await until(() => got === 20, 3000, 'every datagram back');
  const ms = performance.now() - t0;
  clear('udp');
  assert.ok(ms >= 495 && ms < 800, `took ${ms} ms`);
  c.close();
});

void test('UDP client mappings are bounded: the least recently used one is closed first', async () => {
  const small = await startFaultProxy({ links: [{ name: 'u', protocol: 'udp', listenPort: 0, upstream: { host: '127.0.0.1', port: udpEcho.address().port } }], udp: { maxClients: 2 } });
  try {
    const p = small.linkStatus('u')?.listen.port ?? 0;
    const clients = await Promise.all(
      [0, 1, 2].map(async () => {
        const c = createSocket('udp4');
        await new Promise<void>((r) => c.bind(0, '127.0.0.1', () => r()));
        return c;
      }),
    );
    for (const c of clients) {
      const back = new Promise((resolve) => c.once('message', resolve));
      c.send('x', p, '127.0.0.1');
      await back;
    }
    assert.deepEqual(small.linkStatus('u')?.counters.sessions, { opened: 3, active: 2, reset: 0 });
    const again = async (c: (typeof clients)[number]): Promise<number> => {
      const back = new Promise((resolve) => c.once('message', resolve));
      c.send('y', p, '127.0.0.1');
      await back;
      return small.linkStatus('u')?.counters.sessions.opened ?? 0;
    };
    assert.equal(await again(clients[2]!), 3, 'the newest client kept its mapping');
    assert.equal(await again(clients[0]!), 4, 'the oldest client was evicted and gets a new mapping');
    for (const c of clients) c.close();
  } finally {
    await small.close();
  }
});
