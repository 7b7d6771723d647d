/** @module Standalone entry: start one sandbox named, print where it listens, stop it on SIGINT/SIGTERM. */
import { parseArgs } from 'node:util';
import { runsAsScript } from '../../../runs-as-script.js';
import { startNamed, type NamedServer, type StartNamedOptions } from './named-process.js';

/** What runNamed prints as one JSON line once named is ready (paths only: keys stay in files). */
export interface NamedReadyLine {
  readonly ready: true;
  readonly pid: number;
  readonly dir: string;
  readonly ports: NamedServer['ports'];
  readonly rndcConfFile: string;
  readonly updateKeyFile: string;
  readonly updateKeyName: string;
}

/**
 * Starts named, writes a {@link NamedReadyLine} to `out`, and resolves after SIGINT or SIGTERM (or
 * `signal` aborting) has stopped it, or when named exits on its own.
 */
export async function runNamed(
  options: StartNamedOptions & { signal?: AbortSignal } = {},
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<void> {
  const named = await startNamed(options);
  const ready: NamedReadyLine = {
    ready: true,
    pid: named.pid,
    dir: named.dir,
    ports: named.ports,
    rndcConfFile: named.rndcConfFile,
    updateKeyFile: named.updateKeyFile,
    updateKeyName: named.updateKey.name,
  };
  out(JSON.stringify(ready));
  await new Promise<void>((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    options.signal?.addEventListener('abort', done, { once: true });
    void named.exited.then(done);
  });
  await named.stop();
}

if (runsAsScript(import.meta.url, 'bind9/run')) {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      'dns-port': { type: 'string' },
      'rndc-port': { type: 'string' },
      'stats-port': { type: 'string' },
    },
  });
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
  const ports = { dns: num(values['dns-port']), rndc: num(values['rndc-port']), stats: num(values['stats-port']) };
  runNamed({
    ...(values.dir === undefined ? {} : { dir: values.dir }),
    ports: Object.fromEntries(Object.entries(ports).filter(([, v]) => v !== undefined)),
  }).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 3;
  });
}
