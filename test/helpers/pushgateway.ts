/** @module Starts Debian's prometheus-pushgateway on a free loopback port (no persistence) for a test, and stops it. */
import { existsSync } from 'node:fs';
import { startListening } from './listening-process.js';
import type { ListeningProcess } from './listening-process.js';

const binary = '/usr/bin/prometheus-pushgateway';

/** A skip reason when the gateway is not installed, else false. */
export const pushgatewaySkip: string | false = existsSync(binary) ? false : `${binary} is missing: run scripts/setup.sh (Debian package prometheus-pushgateway) to run this test`;

/** A running gateway: its base URL and a stop that resolves once the process has exited. */
export type RunningPushgateway = ListeningProcess;

/** Starts the gateway on port 0 (the kernel picks a free one) with no persistence. */
export function startPushgateway(): Promise<RunningPushgateway> {
  // An empty --persistence.file keeps the pushed metrics in memory only: Debian's build defaults to
  // /var/lib/prometheus/pushgateway.data, which would carry one test's pushes into the next gateway.
  return startListening(binary, ['--web.listen-address=127.0.0.1:0', '--persistence.file=']);
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
