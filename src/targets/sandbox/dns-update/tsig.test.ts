import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { spawn } from 'node:child_process';
import { locateBind9Tools } from '../bind9/tools.js';
import { extractTsig, signMessage, verifyTsig, type TsigKeySpec } from './tsig.js';
import { buildUpdate } from './update-message.js';

const key: TsigKeySpec = { name: 'loadtest-key', algorithm: 'hmac-sha256', secret: Buffer.alloc(32, 7).toString('base64') };

/** Captures the first datagram nsupdate sends to a socket of ours: a message signed by BIND's own code. */
async function nsupdateDatagram(k: TsigKeySpec): Promise<Buffer> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const port = socket.address().port;
  const got = new Promise<Buffer>((resolve) => socket.once('message', (m) => resolve(m)));
  const child = spawn(locateBind9Tools().nsupdate, ['-y', `${k.algorithm}:${k.name}:${k.secret}`, '-t', '5'], { stdio: ['pipe', 'ignore', 'ignore'] });
  child.stdin.on('error', () => undefined); // nsupdate may be killed before it reads everything
  child.stdin.end(`server 127.0.0.1 ${port}\nzone example.test\nupdate add www.example.test 300 A 192.0.2.1\nsend\n`);
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([got, new Promise<Buffer>((_, rej) => (timer = setTimeout(() => rej(new Error('nsupdate sent nothing in 5 s')), 5000)))]);
  } finally {
    clearTimeout(timer);
    child.kill('SIGKILL');
    socket.close();
  }
}

test('a message signed by nsupdate verifies, and re-signing its body reproduces its MAC byte for byte', async () => {
  const wire = await nsupdateDatagram(key);
  const record = extractTsig(wire);
  assert.ok(record, 'nsupdate signed its message');
  const verdict = verifyTsig(wire, key, record.timeSigned);
  assert.equal(verdict.ok, true, verdict.ok ? '' : verdict.reason);
  const ours = signMessage(record.unsigned, key, record.timeSigned, record.fudge);
  assert.deepEqual(ours.mac, record.mac);
  assert.deepEqual(ours.wire, wire);
});

const tampered: { name: string; mutate: (w: Buffer) => Buffer; k?: TsigKeySpec; now?: number; reason: RegExp }[] = [
  { name: 'a flipped byte in the body', mutate: (w) => { const c = Buffer.from(w); c[14] = (c[14] ?? 0) ^ 1; return c; }, reason: /BADSIG/ },
  { name: 'another secret', mutate: (w) => w, k: { ...key, secret: Buffer.alloc(32, 8).toString('base64') }, reason: /BADSIG/ },
  { name: 'another key name', mutate: (w) => w, k: { ...key, name: 'other' }, reason: /key loadtest-key/ },
  { name: 'a clock 301 s ahead', mutate: (w) => w, now: 1_700_000_301, reason: /BADTIME/ },
];
for (const t of tampered) {
  test(`verification fails on ${t.name}`, () => {
    const signed = signMessage(buildUpdate('example.test', [{ op: 'delete', name: 'www.example.test', type: 'A' }], 42), key, 1_700_000_000);
    const verdict = verifyTsig(t.mutate(signed.wire), t.k ?? key, t.now ?? 1_700_000_000);
    assert.equal(verdict.ok, false);
    if (!verdict.ok) assert.match(verdict.reason, t.reason);
  });
}

test('an unsigned message has no TSIG record and does not verify', () => {
  const wire = buildUpdate('example.test', [], 7);
  assert.equal(extractTsig(wire), undefined);
  assert.deepEqual(verifyTsig(wire, key, 0), { ok: false, reason: 'message carries no TSIG record' });
});
