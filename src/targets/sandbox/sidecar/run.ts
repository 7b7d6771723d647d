/** @module Standalone entry: a bindcar twin on its own port, driving an already running named. */
import { parseArgs } from 'node:util';
import { runsAsScript } from '../../../runs-as-script.js';
import { locateBind9Tools } from '../bind9/tools.js';
import { readRndcConf, Rndc } from '../bind9/rndc.js';
import { Nsupdate } from '../bind9/nsupdate.js';
import { createSidecar, type ListeningSidecar, type SidecarOptions } from './sidecar.js';

/** Options of {@link runSidecar}: where named is and how the twin behaves. */
export interface RunSidecarOptions extends Pick<SidecarOptions, 'token' | 'disableAuth' | 'rateLimit' | 'quota' | 'line' | 'faults'> {
  /** HTTP port on 127.0.0.1 (0 = any free one). */
  readonly port: number;
  /** named's directory (bindcar's BIND_ZONE_DIR). */
  readonly zoneDir: string;
  /** rndc.conf of that named. */
  readonly rndcConfFile: string;
  /** named's DNS port, for nsupdate. */
  readonly dnsPort: number;
  /** BIND key file of the update key, for nsupdate. */
  readonly updateKeyFile: string;
}

/** Starts the twin and returns it listening; close() stops it. */
export async function runSidecar(options: RunSidecarOptions): Promise<ListeningSidecar> {
  const tools = locateBind9Tools();
  const sidecar = createSidecar({
    zoneDir: options.zoneDir,
    rndc: new Rndc(readRndcConf(options.rndcConfFile)),
    nsupdate: new Nsupdate({ nsupdatePath: tools.nsupdate, server: '127.0.0.1', port: options.dnsPort, keyFile: options.updateKeyFile }),
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.disableAuth === undefined ? {} : { disableAuth: options.disableAuth }),
    ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
    ...(options.quota === undefined ? {} : { quota: options.quota }),
    ...(options.line === undefined ? {} : { line: options.line }),
    ...(options.faults === undefined ? {} : { faults: options.faults }),
  });
  return sidecar.listen({ host: '127.0.0.1', port: options.port });
}

if (runsAsScript(import.meta.url, 'sidecar/run')) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      'zone-dir': { type: 'string' },
      'rndc-conf': { type: 'string' },
      'dns-port': { type: 'string' },
      'update-key-file': { type: 'string' },
      'no-rate-limit': { type: 'boolean', default: false },
    },
  });
  const zoneDir = values['zone-dir'];
  const rndcConfFile = values['rndc-conf'];
  const updateKeyFile = values['update-key-file'];
  if (zoneDir === undefined || rndcConfFile === undefined || updateKeyFile === undefined || values['dns-port'] === undefined) {
    process.stderr.write('usage: run.ts --zone-dir D --rndc-conf F --dns-port N --update-key-file F [--port N] [--no-rate-limit]\n');
    process.exitCode = 2;
  } else {
    // The token comes from the environment, as bindcar's BIND_API_TOKEN does, never from argv.
    const token = process.env['BIND_API_TOKEN'];
    runSidecar({
      port: Number(values.port),
      zoneDir,
      rndcConfFile,
      updateKeyFile,
      dnsPort: Number(values['dns-port']),
      ...(token === undefined ? {} : { token }),
      rateLimit: { enabled: !values['no-rate-limit'] },
    }).then(
      (listening) => {
        process.stdout.write(`${JSON.stringify({ ready: true, url: listening.url, port: listening.port })}\n`);
        const stop = (): void => void listening.close();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      },
      (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 3;
      },
    );
  }
}
