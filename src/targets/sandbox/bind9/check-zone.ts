/** @module Checks a zone file with the real `named-checkzone`, counting the records BIND9 loaded. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { TargetNotReadyError } from '../../../errors.js';
import { bind9InstallHint } from './tools.js';

/** What named-checkzone said about one zone file. */
export interface CheckZoneResult {
  ok: boolean;
  exitCode: number | null;
  /** Resource records in the zone as BIND9 loaded it (its canonical dump). */
  records: number;
  /** named-checkzone's own messages (e.g. `zone x/IN: loaded serial 2025010101`). */
  messages: string;
}

/** Path of named-checkzone (Debian ships it in /usr/bin, older layouts in /usr/sbin), or undefined. */
export function findNamedCheckzone(): string | undefined {
  return ['/usr/bin/named-checkzone', '/usr/sbin/named-checkzone'].find((p) => existsSync(p));
}

/** Runs named-checkzone on `file` as zone `zoneName`; throws TargetNotReadyError (exit 3) when it is missing. */
export function checkZoneFile(zoneName: string, file: string): Promise<CheckZoneResult> {
  const checkzone = findNamedCheckzone();
  if (checkzone === undefined) {
    return Promise.reject(new TargetNotReadyError('named-checkzone is not installed', { hint: bind9InstallHint }));
  }
  // -i local: integrity checks on in-zone data only; "full" would resolve every out-of-zone MX/SRV
  // target over the network, which named itself never does when loading a zone.
  const args = ['-i', 'local', '-k', 'fail', '-n', 'fail', '-M', 'fail', '-S', 'fail', '-D', '-o', '-', zoneName, file];
  return new Promise((resolve, reject) => {
    const child = spawn(checkzone, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let records = 0;
    let partial = '';
    let messages = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      const lines = (partial + d).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) if (l !== '' && !l.startsWith(';')) records++;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (messages += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const total = records + (partial.trim() === '' ? 0 : 1);
      resolve({ ok: code === 0, exitCode: code, records: total, messages: messages.trim() });
    });
  });
}
