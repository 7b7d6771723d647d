import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { decodeMessage, decodeTableBody, encodeMessage, encodeTableBody, frameLength, RndcWireError, tableOf, textOf } from './rndc-wire.js';
import { parseRndcConf } from './rndc.js';
import { renderRndcConf } from './named-conf.js';

const secret = Buffer.from('c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I=', 'base64');

void test('a table encodes as key length, key, type, 4-byte length, data; nested tables and lists round-trip', () => {
  const body = encodeTableBody({ a: 'xy' });
  assert.deepEqual([...body], [1, 0x61, 1, 0, 0, 0, 2, 0x78, 0x79]);
  const nested = { _ctrl: { _ser: '7', _tim: '100' }, _data: { type: 'status', list: ['a', { b: 'c' }] } };
  const back = decodeTableBody(encodeTableBody(nested)).table;
  assert.equal(textOf(tableOf(back, '_ctrl'), '_ser'), '7');
  assert.equal(textOf(tableOf(back, '_data'), 'type'), 'status');
  const list = tableOf(back, '_data')?.['list'];
  assert.ok(Array.isArray(list) && list.length === 2);
});

void test('a message is framed (length, version 1) and signed over the bytes after _auth: hsha = algorithm byte + base64 NUL-padded to 88', () => {
  const frame = encodeMessage({ _ctrl: { _ser: '1' }, _data: { type: 'null' } }, 'hmac-sha256', secret);
  assert.equal(frameLength(frame), frame.length);
  assert.equal(frameLength(frame.subarray(0, frame.length - 1)), undefined, 'incomplete frame waits');
  assert.equal(frame.readUInt32BE(0), frame.length - 4);
  assert.equal(frame.readUInt32BE(4), 1);
  const { table, firstEnd, firstKey } = decodeTableBody(frame.subarray(8));
  assert.equal(firstKey, '_auth');
  const sig = tableOf(table, '_auth')?.['hsha'];
  assert.ok(Buffer.isBuffer(sig));
  assert.equal(sig.length, 89);
  assert.equal(sig[0], 163, 'HMAC-SHA256 is algorithm 163');
  const expected = createHmac('sha256', secret).update(frame.subarray(8 + firstEnd)).digest('base64');
  assert.equal(sig.subarray(1, 1 + expected.length).toString('ascii'), expected);
  assert.ok(sig.subarray(1 + expected.length).every((b) => b === 0), 'NUL padding');
  // It verifies with the key, and the signature is gone from what it returns.
  const decoded = decodeMessage(frame, 'hmac-sha256', secret);
  assert.deepEqual(Object.keys(decoded), ['_ctrl', '_data']);
});

void test('hmac-md5 signs as hmd5: 22 base64 characters without padding', () => {
  const frame = encodeMessage({ _data: { type: 'null' } }, 'hmac-md5', secret);
  const sig = tableOf(decodeTableBody(frame.subarray(8)).table, '_auth')?.['hmd5'];
  assert.ok(Buffer.isBuffer(sig));
  assert.equal(sig.length, 22);
  assert.doesNotThrow(() => decodeMessage(frame, 'hmac-md5', secret));
});

void test('a reply with another key, a changed byte, no _auth or a cut frame is refused with what is wrong', () => {
  const frame = encodeMessage({ _data: { type: 'null', text: 'hello' } }, 'hmac-sha256', secret);
  assert.throws(() => decodeMessage(frame, 'hmac-sha256', Buffer.from('other')), /signature does not verify/);
  const tampered = Buffer.from(frame);
  tampered[tampered.length - 1] = 0x58;
  assert.throws(() => decodeMessage(tampered, 'hmac-sha256', secret), /signature does not verify/);
  const body = encodeTableBody({ _data: { type: 'null' } });
  const unsigned = Buffer.concat([Buffer.from([0, 0, 0, body.length + 4, 0, 0, 0, 1]), body]);
  assert.throws(() => decodeMessage(unsigned, 'hmac-sha256', secret), /not signed/);
  const cut = Buffer.from(frame.subarray(0, frame.length - 3));
  cut.writeUInt32BE(cut.length - 4, 0);
  assert.throws(() => decodeMessage(cut, 'hmac-sha256', secret), RndcWireError);
});

void test('parseRndcConf reads what renderRndcConf writes; a conf without a key is named in the error', () => {
  const conf = renderRndcConf({ name: 'rndc-key', algorithm: 'hmac-sha256', secret: secret.toString('base64') }, 40953);
  assert.deepEqual(parseRndcConf(conf), { host: '127.0.0.1', port: 40953, key: { name: 'rndc-key', algorithm: 'hmac-sha256', secret: secret.toString('base64') } });
  assert.throws(() => parseRndcConf('options { default-port 1; };', '/x/rndc.conf'), /^Error: \/x\/rndc\.conf: no key clause/);
  assert.throws(() => parseRndcConf('key "k" { algorithm hmac-foo; secret "AA=="; };', 'c'), /algorithm hmac-foo/);
});
