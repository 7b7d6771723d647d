import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nsupdateFailureDetail, renderUpdateScript } from './nsupdate.js';
import { locateBind9Tools, bind9InstallHint } from './tools.js';
import { TargetNotReadyError } from '../../../errors.js';

void test('nsupdate script: server, zone, changes, send; deletes with and without a value', () => {
  const script = renderUpdateScript({
    server: '127.0.0.1',
    port: 5353,
    zone: 'a.test',
    ops: [
      { op: 'add', name: 'www.a.test.', ttl: 300, type: 'A', value: '192.0.2.1' },
      { op: 'delete', name: 'old.a.test.', type: 'TXT' },
      { op: 'delete', name: 'x.a.test.', type: 'A', value: '192.0.2.9' },
    ],
  });
  assert.equal(
    script,
    'server 127.0.0.1 5353\nzone a.test\nupdate add www.a.test. 300 IN A 192.0.2.1\nupdate delete old.a.test. TXT\nupdate delete x.a.test. A 192.0.2.9\nsend\n',
  );
});

void test('nsupdate script refuses a value that would inject a command', () => {
  assert.throws(
    () => renderUpdateScript({ server: '127.0.0.1', port: 53, zone: 'a.test', ops: [{ op: 'add', name: 'a.test.', ttl: 1, type: 'TXT', value: 'x\nupdate delete a.test.' }] }),
    /control character/,
  );
  assert.throws(() => renderUpdateScript({ server: '127.0.0.1', port: 53, zone: 'a.test', ops: [] }), /at least one/);
  assert.equal(nsupdateFailureDetail({ stderr: 'update failed: REFUSED\n', stdout: '', timedOut: false }), 'update failed: REFUSED');
});

void test('missing BIND9 programs: TargetNotReadyError (exit 3) with the apt-get hint', () => {
  assert.throws(
    () => locateBind9Tools({ named: '/nonexistent/named' }),
    (error: unknown) =>
      error instanceof TargetNotReadyError &&
      error.exitCode === 3 &&
      error.hint === 'apt-get install -y bind9 bind9-utils bind9-dnsutils' &&
      error.message.includes('/nonexistent/named'),
  );
  assert.equal(bind9InstallHint, 'apt-get install -y bind9 bind9-utils bind9-dnsutils');
  // And they are found on this machine.
  assert.match(locateBind9Tools().named, /\/named$/);
});
