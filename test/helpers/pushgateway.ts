/** @module Starts Debian's prometheus-pushgateway on a free loopback port (no persistence) for a test, and stops it. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const binary = '/usr/bin/prometheus-pushgateway';

/** A skip reason when the gateway is not installed, else false. */
export const pushgatewaySkip: string | false = existsSync(binary) ? false : `${binary} is missing: run scripts/setup.sh (Debian package prometheus-pushgateway) to run this test`;

/** A running gateway: its base URL and a stop that resolves once the process has exited. */
export interface RunningPushgateway {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the gateway on port 0 (the kernel picks a free one: no race between tests picking the
 * same "free" port) and resolves with the address from its "Listening on" log line, which it
 * prints once the socket is bound.
 */
export async function startPushgateway(): Promise<RunningPushgateway> {
  // An empty --persistence.file keeps the pushed metrics in memory only: Debian's build defaults to
  // /var/lib/prometheus/pushgateway.data, which would carry one test's pushes into the next gateway.
  const gw = spawn(binary, ['--web.listen-address=127.0.0.1:0', '--persistence.file='], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => gw.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (gw.exitCode !== null || gw.signalCode !== null) return;
    gw.kill('SIGTERM');
    const timer = setTimeout(() => gw.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  let log = '';
  try {
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`pushgateway printed no "Listening on" line in 15 s: ${log}`)), 15_000);
      gw.stderr.on('data', (c: Buffer) => {
        log += c.toString();
        const m = /msg="Listening on" address=(\S+)/.exec(log);
        if (m?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      gw.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`pushgateway exited (${code ?? 'signal'}) before listening: ${log}`));
      });
    });
    return { url: `http://${address}`, stop };
  } catch (e) {
    await stop();
    throw e;
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
