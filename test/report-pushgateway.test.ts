/**
 * @module Pushes a result to a real Pushgateway (Debian's prometheus-pushgateway) started on a free
 * loopback port with no persistence, reads the metrics back from its /metrics, and stops it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseResult, serializeResult } from '../src/report/result/index.js';
import { pushResult } from '../src/report/pushgateway.js';
import { syntheticResult } from './helpers/rich-result.js';

const binary = '/usr/bin/prometheus-pushgateway';
const skip = existsSync(binary) ? false : `${binary} is missing: run scripts/setup.sh (Debian package prometheus-pushgateway) to run this test`;

/** The value of the sample `name` whose label set is exactly `labels`, from Prometheus text; undefined if none. */
function valueOf(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = JSON.stringify(Object.entries(labels).sort());
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m?.[1] !== name) continue;
    const got: [string, string][] = [];
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) got.push([l[1] ?? '', l[2] ?? '']);
    if (JSON.stringify(got.sort()) === want) return Number(m[3]);
  }
  return undefined;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

test('pushgateway: a pushed result reads back from the gateway with its grouping labels', { skip, timeout: 60_000 }, async () => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // No --persistence.file: the pushed metrics live in memory only and vanish with the process.
  const gw = spawn(binary, [`--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  gw.stderr.on('data', (c: Buffer) => (log += c.toString()));
  const exited = new Promise<number | null>((resolve) => gw.once('exit', (code) => resolve(code)));
  try {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const ok = await fetch(`${base}/-/ready`).then((r) => r.ok, () => false);
      if (ok) break;
      if (Date.now() > deadline || gw.exitCode !== null) assert.fail(`pushgateway did not become ready: ${log}`);
      await sleep(100);
    }
    const r = parseResult(serializeResult(syntheticResult({ records: 200, failures: 2 })), 'synthetic');
    const pushed = await pushResult(r, { url: base });
    assert.equal(pushed.status, 200);

    const text = await (await fetch(`${base}/metrics`)).text();
    // The gateway adds job and the grouping labels to every series.
    const group = { instance: 'lt-synthetic-0001', job: 'bindy_loadtest', profile: 'quick', scenario: 'burst' };
    assert.equal(valueOf(text, 'bindy_loadtest_objects_total', { ...group, state: 'ready' }), 198);
    assert.equal(valueOf(text, 'bindy_loadtest_criteria_passed', group), 0);
    assert.equal(valueOf(text, 'bindy_loadtest_run_info', { ...group, run_id: 'lt-synthetic-0001', status: 'failed', target: 'sandbox', tool_version: '0.1.0' }), 1);
    const p99 = (r.latencies.create_to_ready?.summary.p99 ?? 0) / 1e6;
    assert.equal(valueOf(text, 'bindy_loadtest_latency_seconds', { ...group, kind: 'all', operation: 'create_to_ready', quantile: '0.99' }), p99);
    assert.ok((valueOf(text, 'push_time_seconds', group) ?? 0) > 0);

    // PUT replaces the group: pushing again leaves one copy of each series.
    await pushResult(r, { url: base });
    const again = await (await fetch(`${base}/metrics`)).text();
    assert.equal(again.match(/^bindy_loadtest_run_info\{/gm)?.length, 1);
  } finally {
    gw.kill('SIGTERM');
    const timer = setTimeout(() => gw.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  assert.notEqual(gw.exitCode ?? gw.signalCode, null, 'the gateway process has exited');
});
