/** @module Nsupdate: TSIG-signed RFC 2136 updates through the real /usr/bin/nsupdate, as bindcar sends them. */
import { runTool, type ToolResult } from './run-tool.js';
import { Bind9CommandError } from './command-error.js';
import type { CommandObserver } from './rndc.js';
import { UsageError } from '../../../errors.js';

/** One `update add|delete` line of a nsupdate script. */
export type UpdateOp =
  | { readonly op: 'add'; readonly name: string; readonly ttl: number; readonly type: string; readonly value: string }
  | { readonly op: 'delete'; readonly name: string; readonly type?: string; readonly value?: string };

/** A whole update: one zone, one or more changes applied atomically by named. */
export interface UpdateScript {
  readonly server: string;
  readonly port: number;
  readonly zone: string;
  readonly ops: readonly UpdateOp[];
}

function checkField(field: string, value: string): void {
  // A newline or other control character would start a new nsupdate command: refuse it.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new UsageError(`${field} contains a control character`);
}

function renderOp(op: UpdateOp): string {
  checkField('name', op.name);
  if (op.op === 'add') {
    checkField('type', op.type);
    checkField('value', op.value);
    if (!Number.isInteger(op.ttl) || op.ttl < 0) throw new UsageError(`ttl must be a non-negative integer: ${op.ttl}`);
    return `update add ${op.name} ${op.ttl} IN ${op.type} ${op.value}`;
  }
  const parts = ['update delete', op.name];
  if (op.type !== undefined) {
    checkField('type', op.type);
    parts.push(op.type);
    if (op.value !== undefined && op.value !== '') {
      checkField('value', op.value);
      parts.push(op.value);
    }
  }
  return parts.join(' ');
}

/** The script nsupdate reads on stdin: `server`, `zone`, the updates, `send`. */
export function renderUpdateScript(script: UpdateScript): string {
  checkField('server', script.server);
  checkField('zone', script.zone);
  if (script.ops.length === 0) throw new UsageError('an update needs at least one change');
  return [`server ${script.server} ${script.port}`, `zone ${script.zone}`, ...script.ops.map(renderOp), 'send', ''].join(
    '\n',
  );
}

/** nsupdate's own error text, e.g. `update failed: REFUSED`. */
export function nsupdateFailureDetail(result: Pick<ToolResult, 'stderr' | 'stdout' | 'timedOut'>): string {
  if (result.timedOut) return 'timed out';
  const text = `${result.stderr}\n${result.stdout}`.trim();
  return text === '' ? 'failed without a message' : text;
}

/** Where and how to send updates. */
export interface NsupdateOptions {
  readonly nsupdatePath: string;
  readonly server: string;
  readonly port: number;
  /**
   * BIND key file with the TSIG key (`nsupdate -k`). A file rather than `-y alg:name:secret` keeps
   * the secret out of the argument vector, world-readable in /proc; bindcar does the same.
   */
  readonly keyFile: string;
  /** Use TCP (`-v`) instead of UDP. */
  readonly tcp?: boolean;
  /** Per-update bound in milliseconds (default 15000). */
  readonly timeoutMs?: number;
  /** Called after every update with command `update`. */
  readonly onCommand?: CommandObserver;
}

/** Sends updates; resolves on success, throws Bind9CommandError with nsupdate's message otherwise. */
export class Nsupdate {
  readonly #options: NsupdateOptions;

  constructor(options: NsupdateOptions) {
    this.#options = options;
  }

  /** Applies `ops` to `zone` in one signed UPDATE message. */
  async send(zone: string, ops: readonly UpdateOp[]): Promise<string> {
    const { server, port } = this.#options;
    const stdin = renderUpdateScript({ server, port, zone, ops });
    const args = [...(this.#options.tcp === true ? ['-v'] : []), '-k', this.#options.keyFile];
    let result: ToolResult;
    try {
      result = await runTool(this.#options.nsupdatePath, args, { stdin, timeoutMs: this.#options.timeoutMs ?? 15_000 });
    } catch (error) {
      this.#options.onCommand?.('update', false, 0);
      throw new Bind9CommandError('nsupdate', 'update', error instanceof Error ? error.message : String(error), null);
    }
    const ok = result.status === 0 && !result.timedOut;
    this.#options.onCommand?.('update', ok, result.durationMs / 1000);
    if (!ok) throw new Bind9CommandError('nsupdate', 'update', nsupdateFailureDetail(result), result.status);
    return result.stdout;
  }

  /** Adds one record (`name` absolute, with trailing dot). */
  add(zone: string, name: string, ttl: number, type: string, value: string): Promise<string> {
    return this.send(zone, [{ op: 'add', name, ttl, type, value }]);
  }

  /** Deletes one record, or the whole RRset when `value` is omitted, or the whole name when `type` is. */
  delete(zone: string, name: string, type?: string, value?: string): Promise<string> {
    return this.send(zone, [{ op: 'delete', name, ...(type === undefined ? {} : { type }), ...(value === undefined ? {} : { value }) }]);
  }

  /** Replaces `oldValue` by `newValue` atomically (delete + add in one message). */
  replace(zone: string, name: string, ttl: number, type: string, oldValue: string, newValue: string): Promise<string> {
    return this.send(zone, [
      { op: 'delete', name, type, value: oldValue },
      { op: 'add', name, ttl, type, value: newValue },
    ]);
  }
}
