/**
 * @module Starts a Prometheus-ecosystem server (Pushgateway, Prometheus, an exporter) on port 0 of
 * loopback for a test and resolves with its address once it logs `msg="Listening on"
 * address=…` (exporter-toolkit prints the bound address, so the kernel's free port is known
 * without a race); `stop` resolves once the process has exited.
 */
import { spawn } from 'node:child_process';

/** A running server: its base URL and a stop that resolves once the process has exited. */
export interface ListeningProcess {
  url: string;
  stop(): Promise<void>;
}

/** Starts `binary args` and waits up to 15 s for its "Listening on" log line. */
export async function startListening(binary: string, args: readonly string[]): Promise<ListeningProcess> {
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  let log = '';
  try {
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${binary} printed no "Listening on" line in 15 s: ${log}`)), 15_000);
      child.stderr.on('data', (c: Buffer) => {
        log += c.toString();
        const m = /msg="Listening on" address=(\S+)/.exec(log);
        if (m?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${binary} exited (${code ?? 'signal'}) before listening: ${log}`));
      });
    });
    return { url: `http://${address}`, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
