/** @module dnsperf is found or its absence said with the install line; its arguments carry the run's options and -v -S 1. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TargetNotReadyError } from '../../errors.js';
import { dnsperfArgs, locateDnsperf } from './process.js';

test('a machine without dnsperf: exit 3 (target not ready) naming it, with the install line', () => {
  assert.throws(
    () => locateDnsperf('dnsperf', ['/nonexistent-dir']),
    (e: unknown) => e instanceof TargetNotReadyError && e.exitCode === 3 && /dnsperf not found/.test(e.message) && /scripts\/setup\.sh/.test(e.hint ?? ''),
  );
});

test('dnsperf is asked for each query (-v), qps each second (-S 1) and the run\'s rate, duration, clients, outstanding and timeout', () => {
  const args = dnsperfArgs({ server: { host: '::1', port: 5353 }, queryFile: '/tmp/q', qps: 1500.4, durationMs: 2500, clients: 3, maxOutstanding: 200, timeoutMs: 1500 });
  assert.deepEqual(args, ['-s', '::1', '-p', '5353', '-d', '/tmp/q', '-l', '2.5', '-Q', '1500', '-c', '3', '-q', '200', '-t', '1.5', '-S', '1', '-v']);
});
