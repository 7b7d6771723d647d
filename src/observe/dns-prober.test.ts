/** @module Tests of the DNS prober against small scripted DNS servers on loopback (real UDP and TCP sockets). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import dnsPacket from 'dns-packet';
import type { Answer, Question } from 'dns-packet';
import { DnsProber } from './dns-prober.js';
import { tcpOnlyDns } from '../../test/helpers/tcp-only-dns.js';
import type { ProbeExpectation } from './dns-prober.js';
import type { ExpectedData } from './dns-expectation.js';

/** What the scripted server answers for a question: an RCODE and answers; `drop` sends nothing. */
type Script = (q: Question) => { rcode: number; answers: Answer[]; tc?: boolean } | 'drop';

interface FakeDns {
  port: number;
  /** Queries received over UDP, with their receipt time. */
  udpQueries: { name: string; atMs: number }[];
  tcpQueries: number;
  close(): Promise<void>;
}

function reply(id: number | undefined, q: Question, r: { rcode: number; answers: Answer[]; tc?: boolean }): Buffer {
  const flags = dnsPacket.AUTHORITATIVE_ANSWER | (r.tc === true ? dnsPacket.TRUNCATED_RESPONSE : 0) | r.rcode;
  return dnsPacket.encode({ type: 'response', id: id ?? 0, flags, questions: [q], answers: r.tc === true ? [] : r.answers });
}

/** A DNS server on 127.0.0.1 answering by `script` over UDP and (same port) TCP, TC never set over TCP. */
async function fakeDns(script: Script): Promise<FakeDns> {
  const udpQueries: FakeDns['udpQueries'] = [];
  let tcpQueries = 0;
  for (let attempt = 0; ; attempt++) {
    const udp: Socket = createSocket('udp4');
    udp.bind(0, '127.0.0.1');
    await once(udp, 'listening');
    const port = udp.address().port;
    const tcp: Server = createServer((c) => {
      let buf = Buffer.alloc(0);
      c.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
        tcpQueries++;
        const msg = dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        const q = msg.questions?.[0];
        const r = q === undefined ? 'drop' : script(q);
        if (q === undefined || r === 'drop') return void c.destroy();
        c.end(Buffer.from(dnsPacket.streamEncode({ type: 'response', id: msg.id ?? 0, flags: dnsPacket.AUTHORITATIVE_ANSWER | r.rcode, questions: [q], answers: r.answers })));
      });
      c.on('error', () => undefined);
    });
    const bound = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!bound) {
      udp.close();
      if (attempt > 20) throw new Error('no port free for both UDP and TCP');
      continue;
    }
    udp.on('message', (m, rinfo) => {
      const msg = dnsPacket.decode(m);
      const q = msg.questions?.[0];
      if (q === undefined) return;
      udpQueries.push({ name: q.name, atMs: performance.now() });
      const r = script(q);
      if (r === 'drop') return;
      udp.send(reply(msg.id, q, r), rinfo.port, rinfo.address);
    });
    return {
      port,
      udpQueries,
      get tcpQueries() {
        return tcpQueries;
      },
      async close() {
        udp.close();
        await new Promise<void>((resolve) => tcp.close(() => resolve()));
      },
    };
  }
}

/** Resolves once `cond` holds (checked every 5 ms), rejects after `ms`. */
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const a = (addr: string): ExpectedData => ({ rrType: 'A', shapes: [[addr]], text: `A ${addr}` });

function expectation(key: string, fqdn: string, expected: ExpectedData | null, intendedStartMs: number, operation: ProbeExpectation['operation'] = 'create'): ProbeExpectation {
  return { key, kind: 'ARecord', fqdn, rrType: expected?.rrType ?? 'A', expected, intendedStartMs, operation };
}

function answerA(name: string, addr: string): Answer[] {
  return [{ type: 'A', name, ttl: 300, data: addr }];
}

void test('an object is answered once the server serves it: the match time is after the change, the last miss before it; the rate held', async (t) => {
  let servedFromMs = Infinity;
  const dns = await fakeDns((q) => (performance.now() >= servedFromMs ? { rcode: 0, answers: answerA(q.name, '192.0.2.1') } : { rcode: 3, answers: [] }));
  t.after(() => dns.close());
  const now = (): number => performance.now();
  const prober = new DnsProber({ servers: [{ host: '127.0.0.1', port: dns.port, name: 'primary-0' }], now, ratePerSecond: 200, maxInFlight: 10 });
  t.after(() => prober.stop());
  const start = now();
  prober.expect(expectation('ARecord/ns/a', 'host-1.zone.example', a('192.0.2.1'), start));
  // The change happens after the prober has seen the name missing a few times.
  while (dns.udpQueries.length < 3) await new Promise((r) => setImmediate(r));
  servedFromMs = now();
  assert.equal(await prober.waitFor(['ARecord/ns/a'], 5000), 'met');
  const [rec] = prober.records();
  const s = rec?.servers[0];
  assert.ok(rec !== undefined && s !== undefined && rec.settled);
  assert.equal(s.server, 'primary-0');
  assert.ok(s.matchedMs !== null && s.matchedMs >= servedFromMs, 'matched after the data appeared');
  assert.ok(s.lastMissSentMs !== null && s.lastMissSentMs < servedFromMs, 'the last miss was sent before');
  // Fast phase: the probes are 100 ms apart, so the match comes within about one spacing.
  assert.ok(s.matchedMs - servedFromMs < 1000, `${s.matchedMs - servedFromMs} ms after the change`);
  assert.equal(s.lastAnswer, 'NOERROR A 192.0.2.1');
  assert.equal(s.wrongSeen, false);
  assert.equal(prober.stats.sent, dns.udpQueries.length);
  assert.equal(prober.stats.answered, prober.stats.sent);
  // Once matched, the object is not asked again.
  const asked = dns.udpQueries.length;
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(dns.udpQueries.length, asked);
});

void test('wrong data is recorded with what DNS said, the object stays unsettled until the wait times out', async (t) => {
  const dns = await fakeDns((q) => ({ rcode: 0, answers: answerA(q.name, '203.0.113.9') }));
  t.after(() => dns.close());
  const now = (): number => performance.now();
  const prober = new DnsProber({ servers: [{ host: '127.0.0.1', port: dns.port, name: 'p' }], now, ratePerSecond: 100, maxInFlight: 5 });
  t.after(() => prober.stop());
  prober.expect(expectation('ARecord/ns/w', 'w.zone.example', a('192.0.2.1'), now()));
  assert.equal(await prober.waitFor(['ARecord/ns/w'], 300), 'timeout');
  const s = prober.records()[0]?.servers[0];
  assert.ok(s !== undefined);
  assert.equal(s.matchedMs, null);
  assert.equal(s.wrongSeen, true);
  assert.equal(s.wrongAnswer, 'NOERROR A 203.0.113.9');
  assert.equal(s.lastVerdict, 'wrong');
  assert.ok(s.queries >= 2, 'asked again after the wrong answer');
});

void test('every server is asked apart; a delete is done on NXDOMAIN; a later expect of the same key replaces the earlier one', async (t) => {
  const served = new Set<string>(['gone.zone.example']);
  const one = await fakeDns((q) => (q.name === 'x.zone.example' ? { rcode: 0, answers: answerA(q.name, '192.0.2.1') } : { rcode: 3, answers: [] }));
  const two = await fakeDns((q) => (served.has(q.name) ? { rcode: 0, answers: answerA(q.name, '192.0.2.1') } : { rcode: 3, answers: [] }));
  t.after(() => Promise.all([one.close(), two.close()]));
  const now = (): number => performance.now();
  const prober = new DnsProber({
    servers: [
      { host: '127.0.0.1', port: one.port, name: 'primary-0' },
      { host: '127.0.0.1', port: two.port, name: 'secondary-0' },
    ],
    now,
    ratePerSecond: 500,
    maxInFlight: 10,
  });
  t.after(() => prober.stop());
  prober.expect(expectation('ARecord/ns/x', 'x.zone.example', a('192.0.2.1'), now()));
  prober.expect(expectation('ARecord/ns/gone', 'gone.zone.example', null, now(), 'delete'));
  const byKey = (k: string) => prober.records().find((r) => r.key === k);
  await until(() => byKey('ARecord/ns/x')?.servers[1]?.lastAnswer != null && byKey('ARecord/ns/gone')?.servers[0]?.matchedMs != null, 3000, 'first answers');
  const x = prober.records().find((r) => r.key === 'ARecord/ns/x');
  assert.ok(x !== undefined);
  assert.ok(x.servers[0]?.matchedMs !== null, 'the primary answered');
  assert.equal(x.servers[1]?.matchedMs, null, 'the secondary has not');
  assert.equal(x.servers[1]?.lastAnswer, 'NXDOMAIN');
  const gone = prober.records().find((r) => r.key === 'ARecord/ns/gone');
  assert.ok(gone?.servers[0]?.matchedMs !== null, 'NXDOMAIN on the primary: gone');
  assert.equal(gone?.servers[1]?.matchedMs, null, 'still served by the secondary');
  assert.equal(gone?.expectedText, '(gone)');
  served.delete('gone.zone.example');
  assert.equal(await prober.waitFor(['ARecord/ns/gone'], 3000), 'met');
  // A newer operation on x replaces the old (kept, given up on the server that never answered).
  prober.expect(expectation('ARecord/ns/x', 'x.zone.example', a('192.0.2.1'), now(), 'update'));
  const xs = prober.records().filter((r) => r.key === 'ARecord/ns/x');
  assert.deepEqual(xs.map((r) => r.operation), ['create', 'update']);
  assert.equal(xs[0]?.servers[1]?.gaveUp, true);
  assert.equal(xs[0]?.settled, true);
});

void test('bounded: never more queries in flight than allowed, lost queries counted and asked again, the rate held', async (t) => {
  const dns = await fakeDns(() => 'drop');
  t.after(() => dns.close());
  const now = (): number => performance.now();
  const prober = new DnsProber({ servers: [{ host: '127.0.0.1', port: dns.port, name: 'p' }], now, ratePerSecond: 100, maxInFlight: 4, queryTimeoutMs: 100 });
  t.after(() => prober.stop());
  const start = now();
  for (let i = 0; i < 50; i++) prober.expect(expectation(`ARecord/ns/r${i}`, `r${i}.zone.example`, a('192.0.2.1'), start));
  await new Promise((r) => setTimeout(r, 600));
  const elapsedS = (now() - start) / 1000;
  assert.equal(prober.stats.peakInFlight, 4);
  assert.ok(prober.stats.lost >= 4, `${prober.stats.lost} lost`);
  // 4 in flight, 100 ms each: about 40 queries a second get out, far below the 100/s the bucket allows.
  assert.ok(prober.stats.sent <= 4 * Math.ceil(elapsedS / 0.1) + 4, `${prober.stats.sent} sent in ${elapsedS} s`);
  assert.equal(prober.stats.answered, 0);

  // And the rate: a server that answers at once, 200 objects, 50 queries/s allowed.
  const fast = await fakeDns(() => ({ rcode: 3, answers: [] }));
  t.after(() => fast.close());
  const limited = new DnsProber({ servers: [{ host: '127.0.0.1', port: fast.port, name: 'p' }], now, ratePerSecond: 50, maxInFlight: 100 });
  t.after(() => limited.stop());
  const t0 = now();
  for (let i = 0; i < 200; i++) limited.expect(expectation(`ARecord/ns/q${i}`, `q${i}.zone.example`, a('192.0.2.1'), t0));
  await new Promise((r) => setTimeout(r, 1000));
  const s = (now() - t0) / 1000;
  assert.ok(limited.stats.sent <= 50 * s + 3, `${limited.stats.sent} queries in ${s.toFixed(2)} s at 50/s`);
  // A loaded machine's late timers lose tokens beyond the small burst, so only half is required.
  assert.ok(limited.stats.sent >= 25 * s, `${limited.stats.sent} queries in ${s.toFixed(2)} s: the rate is used`);
});

void test('a truncated UDP answer is asked again over TCP and judged from the TCP answer', async (t) => {
  const long = 'y'.repeat(200);
  const txt: ExpectedData = { rrType: 'TXT', shapes: [[JSON.stringify([long, long])]], text: 'TXT …' };
  const dns = await fakeDns((q) => ({ rcode: 0, answers: [{ type: 'TXT', name: q.name, ttl: 300, data: [long, long] }], tc: true }));
  t.after(() => dns.close());
  const now = (): number => performance.now();
  const prober = new DnsProber({ servers: [{ host: '127.0.0.1', port: dns.port, name: 'p' }], now, ratePerSecond: 100, maxInFlight: 5 });
  t.after(() => prober.stop());
  prober.expect({ key: 'TXTRecord/ns/t', kind: 'TXTRecord', fqdn: 't.zone.example', rrType: 'TXT', expected: txt, intendedStartMs: now(), operation: 'create' });
  assert.equal(await prober.waitFor(['TXTRecord/ns/t'], 3000), 'met');
  assert.equal(prober.stats.truncated, 1);
  assert.equal(dns.tcpQueries, 1);
  assert.match(prober.records()[0]?.servers[0]?.lastAnswer ?? '', /^NOERROR TXT /);
});

void test('a nudge restarts the fast phase of an object in its slow phase', async (t) => {
  const dns = await fakeDns(() => ({ rcode: 3, answers: [] }));
  t.after(() => dns.close());
  const now = (): number => performance.now();
  const prober = new DnsProber({ servers: [{ host: '127.0.0.1', port: dns.port, name: 'p' }], now, ratePerSecond: 1000, maxInFlight: 5, spacing: { fastIntervalMs: 20, fastPhaseMs: 100, maxIntervalMs: 5000 } });
  t.after(() => prober.stop());
  // Intended 10 s ago: past the fast phase, so the spacing doubles from the first probe on (40, 80, 160, 320 ms).
  prober.expect(expectation('ARecord/ns/n', 'n.zone.example', a('192.0.2.1'), now() - 10_000));
  await until(() => dns.udpQueries.length >= 5, 10_000, 'five probes in the slow phase');
  const q = dns.udpQueries.map((x) => x.atMs);
  const lastSlowGap = (q[4] ?? 0) - (q[3] ?? 0);
  const nudgedAt = now();
  prober.nudge('ARecord/ns/n');
  await until(() => dns.udpQueries.length >= 9, 10_000, 'four probes after the nudge');
  // Fast again (20 ms apart): four probes come sooner than one more slow gap would have.
  const fourAfter = (dns.udpQueries[8]?.atMs ?? Infinity) - nudgedAt;
  assert.ok(fourAfter < lastSlowGap, `four probes ${fourAfter.toFixed(0)} ms after the nudge; the slow phase was ${lastSlowGap.toFixed(0)} ms apart`);
});


void test('an object Ready after its timeout is asked again from its Ready: the timeout counts from the later of the intended start and the nudge', async (t) => {
  let served = false;
  const dns = await fakeDns((q) => (served ? { rcode: 0, answers: answerA(q.name, '192.0.2.1') } : { rcode: 3, answers: [] }));
  t.after(() => dns.close());
  const now = (): number => performance.now();
  const prober = new DnsProber({ servers: [{ host: '127.0.0.1', port: dns.port, name: 'p' }], now, ratePerSecond: 1000, maxInFlight: 5, objectTimeoutMs: 300, spacing: { fastIntervalMs: 20, fastPhaseMs: 100, maxIntervalMs: 100 } });
  t.after(() => prober.stop());
  prober.expect(expectation('ARecord/ns/late', 'late.zone.example', a('192.0.2.1'), now()));
  assert.equal(await prober.waitFor(['ARecord/ns/late'], 5000), 'met', 'settled: given up at its 300 ms timeout');
  assert.equal(prober.records()[0]?.servers[0]?.gaveUp, true);
  const before = dns.udpQueries.length;
  // Its Ready is seen now and the server serves it: probed again, answered.
  served = true;
  prober.nudge('ARecord/ns/late');
  assert.equal(prober.isSettled('ARecord/ns/late'), false, 'asked again');
  assert.equal(await prober.waitFor(['ARecord/ns/late'], 5000), 'met');
  const r = prober.records()[0]?.servers[0];
  assert.ok(r !== undefined && r.matchedMs !== null && !r.gaveUp, JSON.stringify(r));
  assert.ok(dns.udpQueries.length > before);
});

void test('TCP transport: every query on one pipelined connection, answers out of order matched by id, a closed connection opened again', async (t) => {
  const dns = await tcpOnlyDns((q) => ({ rcode: 0, answers: answerA(q.name, '192.0.2.7') }), { delayMs: 20, closeAfter: 30 });
  t.after(() => dns.close());
  const prober = new DnsProber({ servers: [{ host: '127.0.0.1', port: dns.port, name: 'primary-0' }], now: () => performance.now(), ratePerSecond: 2000, maxInFlight: 64, transport: 'tcp' });
  t.after(() => prober.stop());
  const keys = Array.from({ length: 20 }, (_, i) => `ARecord/ns/r${i}`);
  const start = performance.now();
  keys.forEach((k, i) => prober.expect(expectation(k, `r${i}.zone.example`, a('192.0.2.7'), start)));
  assert.equal(await prober.waitFor(keys, 5000), 'met');
  assert.ok(prober.records().every((r) => r.settled && r.servers[0]?.lastAnswer === 'NOERROR A 192.0.2.7'));
  assert.equal(dns.connections, 1, 'one connection for 20 objects');
  assert.equal(prober.stats.tcpConnections, 1);
  assert.ok(dns.maxPipelined > 1, `queries pipelined on the connection (at most ${dns.maxPipelined} waiting at once)`);
  assert.equal(prober.stats.stray, 0, 'every out-of-order answer matched its query');

  // The server closes after 30 answers: later objects go over a connection opened again.
  const more = Array.from({ length: 20 }, (_, i) => `ARecord/ns/s${i}`);
  const again = performance.now();
  more.forEach((k, i) => prober.expect(expectation(k, `s${i}.zone.example`, a('192.0.2.7'), again)));
  assert.equal(await prober.waitFor(more, 8000), 'met');
  assert.equal(dns.connections, 2);
  assert.equal(prober.stats.tcpConnections, 2);
});

void test('TCP transport to a port nothing listens on (a port-forward not running): queries lost, the refusal named, reconnects spaced', async (t) => {
  // A port just freed: nothing listens there.
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const prober = new DnsProber({ servers: [{ host: '127.0.0.1', port, name: 'primary-0' }], now: () => performance.now(), ratePerSecond: 200, maxInFlight: 8, queryTimeoutMs: 200, transport: 'tcp' });
  t.after(() => prober.stop());
  prober.expect(expectation('ARecord/ns/x', 'x.zone.example', a('192.0.2.9'), performance.now()));
  assert.equal(await prober.waitFor(['ARecord/ns/x'], 1500), 'timeout');
  assert.match(prober.stats.tcpErrors['primary-0'] ?? '', /ECONNREFUSED/);
  assert.ok(prober.stats.lost >= 2, `${prober.stats.lost} lost`);
  // One connection attempt per second at most, however many queries were due.
  assert.ok(prober.stats.tcpConnections <= 2, `${prober.stats.tcpConnections} connections in 1.5 s`);
});
