import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from './sandbox.js';
import { sandboxHealth } from './health.js';
import { isAlive } from './part-process.js';
import { readState } from './state.js';

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

test('sandbox up reaches all-healthy, refuses a second one, and down leaves no process, port or file', { timeout: 60_000 }, async () => {
  const home = await mkdtemp(join(tmpdir(), 'bl-sandbox-test-'));
  try {
    const sb = await startSandbox({ namespace: 'bindy-loadtest', detached: false, home, withoutOperator: true });
    const { state } = sb;
    // How long it took is a figure, not a behaviour: bench/sandbox.bench.ts measures it on the built
    // CLI (the 5 s goal); here only that it was measured.
    assert.ok(sb.startupMs > 0 && Number.isFinite(sb.startupMs), `startup took ${sb.startupMs} ms`);
    assert.deepEqual((await readState(home))?.parts.map((p) => p.name).sort(), ['apiserver', 'named', 'sidecar']);
    const health = await sandboxHealth(state);
    for (const h of health) assert.ok(h.healthy, `${h.name}: ${h.detail}`);

    await assert.rejects(startSandbox({ namespace: 'x', detached: false, home, withoutOperator: true }), /already up/);

    const pids = state.parts.flatMap((p) => [p.pid, ...p.childPids]);
    const apiPort = Number(new URL(state.apiServerUrl).port);
    const sidecarPort = Number(new URL(state.sidecarUrl).port);
    await sb.stop();
    for (const pid of pids) assert.equal(isAlive(pid), false, `pid ${pid} still alive`);
    assert.equal(existsSync(state.dir), false, 'sandbox dir removed');
    assert.deepEqual(await readdir(home), [], 'home left empty');
    assert.ok(await tcpFree(apiPort), 'API server port free');
    assert.ok(await tcpFree(sidecarPort), 'sidecar port free');
    assert.ok(await tcpFree(state.dns.port), 'DNS TCP port free');
    assert.ok(await udpFree(state.dns.port), 'DNS UDP port free');
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
