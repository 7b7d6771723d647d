/** @module The error a DNS UPDATE fails with: no answer, a refused change, or a bad response signature. */
import { ExitCode, LoadtestError, type LoadtestErrorOptions } from '../../../errors.js';

/** A DNS UPDATE did not take effect; `rcode` is the server's answer when there was one. */
export class DnsUpdateError extends LoadtestError {
  readonly rcode: number | undefined;

  constructor(message: string, rcode?: number, options: LoadtestErrorOptions = {}) {
    super(message, 'E_DNS_UPDATE', ExitCode.targetNotReady, options);
    this.rcode = rcode;
  }
}

/** RCODE names of RFC 1035/2136/8945 the server may answer an UPDATE with. */
export function rcodeName(rcode: number): string {
  const names: Record<number, string> = {
    0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED',
    6: 'YXDOMAIN', 7: 'YXRRSET', 8: 'NXRRSET', 9: 'NOTAUTH', 10: 'NOTZONE',
  };
  return names[rcode] ?? `RCODE${rcode}`;
}
