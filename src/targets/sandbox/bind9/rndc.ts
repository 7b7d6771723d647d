/**
 * @module Rndc: named's control channel spoken natively over TCP, one method per command bindcar
 * uses. bindcar ≥ 0.7 speaks the protocol itself; spawning the rndc program per command (what the
 * twin did before) cost ~30 ms of CPU each and, at the dozens of commands per second a burst makes
 * bindy 0.6.2 send, took half of this 2-core machine: the twin measured its own spawns, not bindy.
 */
import { connect, type Socket } from 'node:net';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Bind9CommandError } from './command-error.js';
import { decodeMessage, encodeMessage, frameLength, RndcWireError, tableOf, textOf, type RndcAlgorithm, type RndcTable } from './rndc-wire.js';

/** Called after every rndc command, e.g. to count `bindcar_rndc_commands_total`. */
export type CommandObserver = (command: string, ok: boolean, durationSeconds: number) => void;

/** The shared key of named's `controls` clause. */
export interface RndcKey {
  readonly name: string;
  readonly algorithm: RndcAlgorithm;
  /** Base64 of the secret. */
  readonly secret: string;
}

/** How to reach named's control channel. */
export interface RndcOptions {
  /** Control channel address (named's `controls { inet … port … }`). */
  readonly host: string;
  readonly port: number;
  readonly key: RndcKey;
  /** Per-command bound in milliseconds (default 15000). */
  readonly timeoutMs?: number;
  readonly onCommand?: CommandObserver;
}

const algorithms: readonly RndcAlgorithm[] = ['hmac-md5', 'hmac-sha1', 'hmac-sha224', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'];

/**
 * Where and with which key an rndc.conf (as renderRndcConf writes it) reaches named: its `key`
 * clause, `default-server` and `default-port`. Throws naming the file and what is missing.
 */
export function parseRndcConf(text: string, source = 'rndc.conf'): Pick<RndcOptions, 'host' | 'port' | 'key'> {
  const keyClause = /key\s+"?([^"\s{]+)"?\s*\{([^}]*)\}/.exec(text);
  const body = keyClause?.[2] ?? '';
  const algorithm = /algorithm\s+"?([a-z0-9-]+)"?\s*;/i.exec(body)?.[1]?.toLowerCase();
  const secret = /secret\s+"([^"]+)"\s*;/.exec(body)?.[1];
  const host = /default-server\s+([^\s;]+)\s*;/.exec(text)?.[1] ?? '127.0.0.1';
  const port = Number(/default-port\s+(\d+)\s*;/.exec(text)?.[1] ?? '953');
  const name = keyClause?.[1];
  if (name === undefined || secret === undefined) throw new Error(`${source}: no key clause with a secret`);
  const alg = algorithms.find((a) => a === algorithm);
  if (alg === undefined) throw new Error(`${source}: key ${name} has algorithm ${algorithm ?? '(none)'}; rndc keys use one of ${algorithms.join(', ')}`);
  return { host, port, key: { name, algorithm: alg, secret } };
}

/** The same, read from a file. */
export function readRndcConf(file: string): Pick<RndcOptions, 'host' | 'port' | 'key'> {
  return parseRndcConf(readFileSync(file, 'utf8'), file);
}

/** One request/response exchange on an open socket: frames in, a frame out (the reply). */
function exchanger(socket: Socket): (frame: Buffer) => Promise<Buffer> {
  let pending: Buffer = Buffer.alloc(0);
  let waiter: { resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
  let failure: Error | undefined;
  const deliver = (): void => {
    const n = frameLength(pending);
    if (n === undefined || waiter === undefined) return;
    const frame = pending.subarray(0, n);
    pending = pending.subarray(n);
    const w = waiter;
    waiter = undefined;
    w.resolve(frame);
  };
  const fail = (error: Error): void => {
    failure ??= error;
    const w = waiter;
    waiter = undefined;
    w?.reject(failure);
  };
  socket.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    deliver();
  });
  socket.on('error', fail);
  // named closes without a word on a bad signature, a skewed clock or an unknown key (rndc says the same).
  socket.on('close', () => fail(new Error('connection closed by named before it answered (wrong key or algorithm, or a clock skew)')));
  return (frame) =>
    new Promise<Buffer>((resolve, reject) => {
      if (failure !== undefined) return reject(failure);
      waiter = { resolve, reject };
      socket.write(frame);
      deliver();
    });
}

/** Runs rndc commands; every method resolves with named's text output or throws Bind9CommandError. */
export class Rndc {
  readonly #options: RndcOptions;
  readonly #secret: Buffer;
  /** rndc's `_ser`: random at the start, one more per message. */
  #serial = randomInt(0, 2 ** 31);

  constructor(options: RndcOptions) {
    this.#options = options;
    this.#secret = Buffer.from(options.key.secret, 'base64');
  }

  #message(type: string, nonce?: Buffer): Buffer {
    const now = Math.floor(Date.now() / 1000);
    this.#serial = (this.#serial + 1) % 2 ** 32;
    // As rndc: serial, time and a 60 s expiry; the nonce named gave for this connection after the first message.
    const ctrl: RndcTable = { _ser: String(this.#serial), _tim: String(now), _exp: String(now + 60), ...(nonce === undefined ? {} : { _nonce: nonce }) };
    return encodeMessage({ _ctrl: ctrl, _data: { type } }, this.#options.key.algorithm, this.#secret);
  }

  /** The command's reply `_data`, over a connection of its own (as rndc: a `null` message for the nonce, then the command). */
  async #exchange(text: string): Promise<RndcTable> {
    const { host, port, key } = this.#options;
    const socket = connect({ host, port });
    socket.setNoDelay(true);
    const timeoutMs = this.#options.timeoutMs ?? 15_000;
    const timer = setTimeout(() => socket.destroy(new Error('timed out')), timeoutMs);
    try {
      const send = exchanger(socket);
      const first = decodeMessage(await send(this.#message('null')), key.algorithm, this.#secret);
      const nonce = tableOf(first, '_ctrl')?.['_nonce'];
      if (nonce === undefined || !(Buffer.isBuffer(nonce) || typeof nonce === 'string')) throw new RndcWireError('named gave no nonce');
      const reply = decodeMessage(await send(this.#message(text, Buffer.from(nonce))), key.algorithm, this.#secret);
      const data = tableOf(reply, '_data');
      if (data === undefined) throw new RndcWireError('reply without _data');
      return data;
    } finally {
      clearTimeout(timer);
      socket.destroy();
    }
  }

  /** Any rndc command: `args[0]` is the command word; the words are sent joined by spaces, as rndc does. */
  async run(args: readonly string[]): Promise<string> {
    const command = args[0] ?? 'status';
    const started = performance.now();
    let data: RndcTable;
    try {
      data = await this.#exchange(args.length === 0 ? 'status' : args.join(' '));
    } catch (error) {
      const seconds = (performance.now() - started) / 1000;
      this.#options.onCommand?.(command, false, seconds);
      const message = error instanceof Error ? error.message : String(error);
      const where = `${this.#options.host}#${this.#options.port}`;
      throw new Bind9CommandError('rndc', command, message === 'timed out' ? 'timed out' : `${where}: ${message}`, null);
    }
    const seconds = (performance.now() - started) / 1000;
    // named's answer: `err` (the short result, e.g. "not found") on failure, `text` with the detail or output.
    const err = textOf(data, 'err');
    const result = textOf(data, 'result');
    const output = textOf(data, 'text') ?? '';
    const ok = err === undefined && (result === undefined || result === '0');
    this.#options.onCommand?.(command, ok, seconds);
    if (!ok) throw new Bind9CommandError('rndc', command, [err ?? `result ${result ?? '?'}`, ...(output === '' ? [] : [output])].join('\n'), 1);
    return output === '' ? '' : `${output}\n`;
  }

  /** Server status text (`server is up and running`). */
  status(): Promise<string> {
    return this.run(['status']);
  }
  /** Adds a zone; `config` is the block `{ type primary; file "…"; … };`. */
  addzone(zone: string, config: string): Promise<string> {
    return this.run(['addzone', zone, config]);
  }
  /** Removes a zone added with addzone. */
  delzone(zone: string): Promise<string> {
    return this.run(['delzone', zone]);
  }
  /** Replaces the configuration of a zone added with addzone. */
  modzone(zone: string, config: string): Promise<string> {
    return this.run(['modzone', zone, config]);
  }
  /** The zone's configuration as named holds it. */
  showzone(zone: string): Promise<string> {
    return this.run(['showzone', zone]);
  }
  /** The zone's status (type, serial, files, dynamic or not). */
  zonestatus(zone: string): Promise<string> {
    return this.run(['zonestatus', zone]);
  }
  /** Re-sends NOTIFY for a zone. */
  notify(zone: string): Promise<string> {
    return this.run(['notify', zone]);
  }
  /** Reloads one zone, or the whole configuration when no zone is given. */
  reload(zone?: string): Promise<string> {
    return this.run(zone === undefined ? ['reload'] : ['reload', zone]);
  }
  /** Suspends dynamic updates and writes the journal into the zone file. */
  freeze(zone?: string): Promise<string> {
    return this.run(zone === undefined ? ['freeze'] : ['freeze', zone]);
  }
  /** Re-enables dynamic updates after freeze. */
  thaw(zone?: string): Promise<string> {
    return this.run(zone === undefined ? ['thaw'] : ['thaw', zone]);
  }
  /** Makes a secondary zone transfer again from its primaries. */
  retransfer(zone: string): Promise<string> {
    return this.run(['retransfer', zone]);
  }
  /** Asks named to exit (saving pending zone changes). */
  stop(): Promise<string> {
    return this.run(['stop']);
  }
}
