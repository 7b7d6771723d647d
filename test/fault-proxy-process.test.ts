/**
 * The fault proxy as its own process: it prints one ready line, keeps a fault in force after the
 * process that applied it was SIGKILLed, a cleanup reverts that fault from the journalled
 * descriptor alone (and proves it with a probe through the link), and SIGTERM ends the proxy with
 * exit 0 leaving none of its ports bound.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, connect, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { ProxyControlClient } from '../src/faults/proxy/client.js';
import { revertFromDescriptor } from '../src/faults/revert.js';
import { parseRevertDescriptor } from '../src/faults/fault.js';
import type { FaultProxyReadyLine } from '../src/faults/proxy/run.js';
import { packageRoot } from '../src/package-root.js';

const root = packageRoot();
let http: HttpServer;
let proxy: ChildProcess;
let ready: FaultProxyReadyLine;
let proxyLog = '';

/** The first `n` stdout lines of a child, rejecting if it exits first. */
function lines(child: ChildProcess, n: number): Promise<string[]> {
  const got: string[] = [];
  const rl = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    rl.on('line', (l) => {
      got.push(l);
      if (got.length === n) {
        rl.close();
        resolve(got);
      }
    });
    child.once('exit', (code, signal) => reject(new Error(`exited (${signal ?? code}) after ${got.length} lines`)));
  });
}

const exited = (child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve({ code: child.exitCode, signal: child.signalCode }) : new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

/** Waits (bounded) until the proxy's stderr contains `text`: stderr and the control API are separate pipes. */
async function logged(text: string): Promise<void> {
  const deadline = performance.now() + 2000;
  while (!proxyLog.includes(text)) {
    if (performance.now() > deadline) assert.fail(`the proxy did not log ${JSON.stringify(text)}; its log:\n${proxyLog}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const linkPort = (name: string): number => ready.links.find((l) => l.name === name)?.listen.port ?? 0;

function httpRtt(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const s: Socket = connect({ host: '127.0.0.1', port, noDelay: true }, () => s.write('GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'));
    s.once('data', () => {
      resolve(performance.now() - t0);
      s.destroy();
    });
    s.once('error', reject);
  });
}

before(async () => {
  http = createHttpServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const httpPort = (http.address() as { port: number }).port;
  proxy = spawn(process.execPath, ['--import', 'tsx', 'src/faults/proxy/run.ts', '--link', `api=tcp:127.0.0.1:${httpPort}`, '--link', `udp=udp:127.0.0.1:${httpPort}`], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  proxy.stderr?.on('data', (c: Buffer) => (proxyLog += c.toString()));
  const [line] = await lines(proxy, 1);
  ready = JSON.parse(line ?? '') as FaultProxyReadyLine;
});

after(async () => {
  if (proxy.exitCode === null && proxy.signalCode === null) {
    proxy.kill('SIGKILL');
    await exited(proxy);
  }
  await new Promise<void>((r) => http.close(() => r()));
});

void test('the ready line names the control URL and every link with its listen port', () => {
  assert.equal(ready.ready, true);
  assert.equal(ready.pid, proxy.pid);
  assert.match(ready.controlUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.deepEqual(ready.links.map((l) => [l.name, l.protocol, l.listen.host]), [['api', 'tcp', '127.0.0.1'], ['udp', 'udp', '127.0.0.1']]);
  assert.ok(linkPort('api') > 0 && linkPort('udp') > 0);
});

void test('a fault outlives the SIGKILLed tool that applied it; cleanup reverts it from the descriptor and proves it with a probe', async () => {
  const tool = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/fault-tool.ts', ready.controlUrl, 'api', '{"kind":"latency","ms":150}', '{"kind":"http","path":"/"}'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const [descriptorLine, applied] = await lines(tool, 2);
  assert.equal(applied, 'applied');
  tool.kill('SIGKILL');
  assert.equal((await exited(tool)).signal, 'SIGKILL');

  // The proxy and its fault are still there: the link still answers, 150 ms late.
  const slow = await httpRtt(linkPort('api'));
  assert.ok(slow >= 150, `round trip ${slow} ms with the fault`);
  const descriptor = parseRevertDescriptor(JSON.parse(descriptorLine ?? ''));
  assert.ok(descriptor.mechanism === 'sandbox-proxy');
  assert.equal((await new ProxyControlClient(ready.controlUrl).link('api')).fault?.id, descriptor.faultId);

  // cleanup knows only the descriptor.
  const r = await revertFromDescriptor(descriptor);
  assert.deepEqual([r.outcome.reverted, r.outcome.already], [true, false]);
  assert.equal(r.proof.reverted, true, r.proof.evidence);
  assert.equal(r.proof.faultCleared, true);
  assert.equal(r.proof.probe?.ok, true);
  assert.ok((r.proof.probe?.rttMs ?? Infinity) < 150, r.proof.evidence);
  assert.match(r.proof.evidence, /cleared .* by api/);
  assert.ok((await httpRtt(linkPort('api'))) < 100);
  // The proxy's log (its part log file in a sandbox) tells the story.
  await logged(`link api: fault ${descriptor.faultId} set: latency 150 ms upstream\n`);
  await logged(`link api: fault ${descriptor.faultId} cleared by api\n`);
  // A second cleanup finds nothing to do, and says so.
  const again = await revertFromDescriptor(descriptor);
  assert.deepEqual([again.outcome.reverted, again.outcome.already], [true, true]);
  assert.match(again.outcome.detail, /already cleared/);
});

void test('SIGTERM ends the proxy with exit 0, closing open connections and freeing every port it held', async () => {
  const open = connect({ host: '127.0.0.1', port: linkPort('api') });
  await new Promise((r) => open.once('connect', r));
  const closed = new Promise((r) => open.once('close', r));
  open.on('error', () => undefined);
  proxy.kill('SIGTERM');
  assert.deepEqual(await exited(proxy), { code: 0, signal: null });
  await closed;
  const controlPort = Number(new URL(ready.controlUrl).port);
  for (const port of [controlPort, linkPort('api')]) {
    const s = createServer();
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve());
    });
    await new Promise<void>((r) => s.close(() => r()));
  }
  const u = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    u.once('error', reject);
    u.bind({ address: '127.0.0.1', port: linkPort('udp'), exclusive: true }, () => resolve());
  });
  await new Promise<void>((r) => u.close(() => r()));
  // With the proxy gone, a cleanup of its faults has nothing left to revert.
  const r = await revertFromDescriptor({ mechanism: 'sandbox-proxy', version: 1, controlUrl: ready.controlUrl, link: 'api', faultId: 'f-gone', listen: { host: '127.0.0.1', port: linkPort('api') } });
  assert.deepEqual([r.outcome.reverted, r.outcome.already], [true, true]);
  assert.match(r.outcome.detail, /ECONNREFUSED/);
});
