/** @module Rndc: the real /usr/sbin/rndc against one sandbox named, one method per command bindcar uses. */
import { runTool, type ToolResult } from './run-tool.js';
import { Bind9CommandError } from './command-error.js';

/** Called after every rndc command, e.g. to count `bindcar_rndc_commands_total`. */
export type CommandObserver = (command: string, ok: boolean, durationSeconds: number) => void;

/** How to reach named's control channel. */
export interface RndcOptions {
  /** Path of the rndc program. */
  readonly rndcPath: string;
  /** rndc.conf naming server, port and key (see renderRndcConf), so no system config is read. */
  readonly confFile: string;
  /** Per-command bound in milliseconds (default 15000). */
  readonly timeoutMs?: number;
  readonly onCommand?: CommandObserver;
}

/**
 * The message of a failed rndc run. rndc prints `rndc: 'addzone' failed: already exists` and then
 * named's explanatory text; the short result after `failed:` is what bindcar's native client reports
 * as the error, so it comes first, followed by the rest.
 */
export function rndcFailureDetail(result: Pick<ToolResult, 'stderr' | 'stdout' | 'timedOut'>): string {
  if (result.timedOut) return 'timed out';
  const lines = `${result.stderr}\n${result.stdout}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const first = lines[0] ?? 'failed without a message';
  const short = /^rndc: '[^']*' failed: (.*)$/.exec(first)?.[1] ?? first.replace(/^rndc: /, '');
  return [short, ...lines.slice(1)].join('\n');
}

/** Runs rndc commands; every method resolves with rndc's text output or throws Bind9CommandError. */
export class Rndc {
  readonly #options: RndcOptions;

  constructor(options: RndcOptions) {
    this.#options = options;
  }

  /** Any rndc command: `args[0]` is the command word. */
  async run(args: readonly string[]): Promise<string> {
    const command = args[0] ?? 'status';
    let result: ToolResult;
    try {
      result = await runTool(this.#options.rndcPath, ['-c', this.#options.confFile, ...args], {
        timeoutMs: this.#options.timeoutMs ?? 15_000,
      });
    } catch (error) {
      this.#options.onCommand?.(command, false, 0);
      throw new Bind9CommandError('rndc', command, error instanceof Error ? error.message : String(error), null);
    }
    const ok = result.status === 0 && !result.timedOut;
    this.#options.onCommand?.(command, ok, result.durationMs / 1000);
    if (!ok) throw new Bind9CommandError('rndc', command, rndcFailureDetail(result), result.status);
    return result.stdout;
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
