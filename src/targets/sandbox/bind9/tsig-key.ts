/** @module TSIG keys (RFC 8945) for rndc control and RFC 2136 updates: generation and BIND's `key` clause. */
import { randomBytes } from 'node:crypto';
import { UsageError } from '../../../errors.js';

/** HMAC algorithms BIND accepts for TSIG and rndc keys. */
export type TsigAlgorithm = 'hmac-sha256' | 'hmac-sha384' | 'hmac-sha512';

/** A shared-secret key as BIND's `key "name" { algorithm …; secret "…"; };` states it. */
export interface TsigKey {
  /** Key name, a DNS name (letters, digits, `.`, `-`, `_`). */
  readonly name: string;
  readonly algorithm: TsigAlgorithm;
  /** Base64 of the raw secret. */
  readonly secret: string;
}

const keyNamePattern = /^[A-Za-z0-9._-]{1,253}$/;
const base64Pattern = /^[A-Za-z0-9+/]+={0,2}$/;

/** True when `name` is safe to put in a quoted BIND configuration literal and a nsupdate script. */
export function isValidKeyName(name: string): boolean {
  return keyNamePattern.test(name);
}

/**
 * A fresh key with a 256-bit random secret (the HMAC-SHA256 block-size guidance of RFC 8945 §6
 * asks for at least the hash length). `random` is injectable so tests can be deterministic.
 */
export function generateTsigKey(
  name: string,
  algorithm: TsigAlgorithm = 'hmac-sha256',
  random: (size: number) => Buffer = randomBytes,
): TsigKey {
  if (!isValidKeyName(name)) throw new UsageError(`invalid TSIG key name: ${JSON.stringify(name)}`);
  return { name, algorithm, secret: random(32).toString('base64') };
}

/** BIND's `key` clause for `key`, usable in named.conf, rndc.conf and `nsupdate -k` key files. */
export function renderKeyClause(key: TsigKey): string {
  if (!isValidKeyName(key.name)) throw new UsageError(`invalid TSIG key name: ${JSON.stringify(key.name)}`);
  if (!base64Pattern.test(key.secret)) throw new UsageError(`TSIG secret of ${key.name} is not base64`);
  return `key "${key.name}" {\n\talgorithm ${key.algorithm};\n\tsecret "${key.secret}";\n};\n`;
}

/** Reads a BIND key file (`key "name" { algorithm hmac-sha256; secret "…"; };`), as tsig-keygen writes it. */
export function parseKeyFile(text: string, source = 'key file'): TsigKey {
  const m = /key\s+"?([^"\s{]+)"?\s*\{([^}]*)\}/.exec(text);
  const body = m?.[2] ?? '';
  const algorithm = /algorithm\s+"?([a-z0-9-]+)"?\s*;/i.exec(body)?.[1]?.toLowerCase();
  const secret = /secret\s+"([^"]+)"\s*;/.exec(body)?.[1];
  const name = m?.[1];
  if (name === undefined || algorithm === undefined || secret === undefined) {
    throw new UsageError(`${source}: not a BIND key clause (key "name" { algorithm …; secret "…"; };)`);
  }
  if (algorithm !== 'hmac-sha256' && algorithm !== 'hmac-sha384' && algorithm !== 'hmac-sha512') {
    throw new UsageError(`${source}: algorithm ${algorithm} is not supported (hmac-sha256, hmac-sha384, hmac-sha512)`);
  }
  return { name, algorithm, secret };
}
