/** @module Starts Debian's prometheus-pushgateway on a free loopback port (no persistence) for a test, and stops it. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const binary = '/usr/bin/prometheus-pushgateway';

/** A skip reason when the gateway is not installed, else false. */
export const pushgatewaySkip: string | false = existsSync(binary) ? false : `${binary} is missing: run scripts/setup.sh (Debian package prometheus-pushgateway) to run this test`;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/** A running gateway: its base URL and a stop that resolves once the process has exited. */
export interface RunningPushgateway {
  url: string;
  stop(): Promise<void>;
}

/** Starts the gateway and resolves once its /-/ready answers (it prints no readiness line to wait on). */
export async function startPushgateway(): Promise<RunningPushgateway> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // No --persistence.file: the pushed metrics live in memory only and vanish with the process.
  const gw = spawn(binary, [`--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  gw.stderr.on('data', (c: Buffer) => (log += c.toString()));
  const exited = new Promise<void>((resolve) => gw.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    gw.kill('SIGTERM');
    const timer = setTimeout(() => gw.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ok = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    if (ok) return { url, stop };
    if (Date.now() > deadline || gw.exitCode !== null) {
      await stop();
      throw new Error(`pushgateway did not become ready: ${log}`);
    }
    // Polling /-/ready is the gateway's own readiness contract.
    await sleep(100);
  }
}

/** The value of the sample `name` whose label set is exactly `labels`, from Prometheus text; undefined if none. */
export function sampleValue(text: string, name: string, labels: Record<string, string>): number | undefined {
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
