import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { UdpChannel, udpChannel } from './udp-channel.js';

/** A UDP server that hands every request to the test and answers only when the test says so. */
async function fakeServer(): Promise<{ port: number; requests: { msg: Buffer; from: RemoteInfo }[]; waitRequests: (n: number) => Promise<void>; answer: (i: number, rcode: number) => void; close: () => void }> {
  const socket: Socket = createSocket('udp4');
  const requests: { msg: Buffer; from: RemoteInfo }[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  socket.on('message', (msg, from) => {
    requests.push({ msg, from });
    for (const w of waiters.filter((x) => requests.length >= x.n)) w.resolve();
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    requests,
    waitRequests: (n) => (requests.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))),
    answer: (i, rcode) => {
      const r = requests[i];
      if (r === undefined) throw new Error(`no request ${i}`);
      const reply = Buffer.from(r.msg.subarray(0, 12));
      reply.writeUInt16BE(0x8000 | rcode, 2);
      socket.send(reply, r.from.port, r.from.address);
    },
    close: () => socket.close(),
  };
}

function request(id: number): Buffer {
  const m = Buffer.alloc(12);
  m.writeUInt16BE(id, 0);
  return m;
}

test('exchanges share one socket and each answer goes to the request with its ID, whatever the order', async () => {
  const server = await fakeServer();
  const channel = new UdpChannel('127.0.0.1', server.port);
  try {
    const a = channel.freeId();
    const pa = channel.exchange(request(a), a, 5000);
    const b = channel.freeId();
    assert.notEqual(a, b, 'an ID in flight is never handed out again');
    const pb = channel.exchange(request(b), b, 5000);
    await server.waitRequests(2);
    assert.equal(server.requests[0]?.from.port, server.requests[1]?.from.port, 'both came from the same socket');
    server.answer(1, 5);
    server.answer(0, 0);
    assert.equal(((await pa).readUInt16BE(2) & 0xf), 0);
    assert.equal(((await pb).readUInt16BE(2) & 0xf), 5);
    assert.equal(channel.inFlight, 0);

    const c = channel.freeId();
    const pc = channel.exchange(request(c), c, 5000);
    await server.waitRequests(3);
    assert.equal(server.requests[2]?.from.port, server.requests[0]?.from.port, 'a later exchange reuses the socket');
    server.answer(2, 0);
    await pc;
  } finally {
    channel.close();
    server.close();
  }
});

test('an unanswered exchange times out without disturbing the others, and its ID is free again', async () => {
  const server = await fakeServer();
  const channel = new UdpChannel('127.0.0.1', server.port);
  try {
    const lost = channel.freeId();
    const pLost = channel.exchange(request(lost), lost, 50);
    const kept = channel.freeId();
    const pKept = channel.exchange(request(kept), kept, 5000);
    await assert.rejects(pLost, /within 50 ms/);
    await server.waitRequests(2);
    server.answer(1, 0);
    await pKept;
    assert.equal(channel.inFlight, 0);
    // The timed-out ID may be used again (the server does not answer it this time either).
    await assert.rejects(channel.exchange(request(lost), lost, 10), /within 10 ms/);
  } finally {
    channel.close();
    server.close();
  }
});

test('an ID already in flight is refused; close() fails what is in flight', async () => {
  const server = await fakeServer();
  const channel = new UdpChannel('127.0.0.1', server.port);
  try {
    const id = channel.freeId();
    const p = channel.exchange(request(id), id, 5000);
    await assert.rejects(channel.exchange(request(id), id, 5000), /already in flight/);
    channel.close();
    await assert.rejects(p, /closed/);
  } finally {
    server.close();
  }
});

test('udpChannel() hands out one channel per server', () => {
  assert.equal(udpChannel('127.0.0.1', 1), udpChannel('127.0.0.1', 1));
  assert.notEqual(udpChannel('127.0.0.1', 1), udpChannel('127.0.0.1', 2));
});
