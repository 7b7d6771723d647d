/** @module From command-line options to configuration: the global options' keys, a helper for a command's own flags, and the resolve call every command makes. */
import { resolveConfig, type FlagOverride, type ResolvedConfig } from '../config/index.js';
import type { CliContext } from './command-module.js';
import type { GlobalOptions } from './global-options.js';

/** A command-line option that sets a config key: `{flag: '--records', key: 'scenarios.burst.records'}`; `attribute` is commander's name for it (default: the flag in camelCase). */
export interface ConfigFlag {
  flag: string;
  key: string;
  attribute?: string;
}

/** The global options that set config keys (the others — --config, --json, --verbose, --dry-run — steer the CLI itself). */
export const globalConfigFlags: readonly ConfigFlag[] = [
  { flag: '--profile', key: 'profile' },
  { flag: '--namespace', key: 'namespace' },
  { flag: '--target', key: 'target' },
  { flag: '--kubeconfig', key: 'kubeconfig' },
  { flag: '--context', key: 'context' },
  { flag: '--output', key: 'output' },
  { flag: '--prometheus', key: 'prometheus' },
  { flag: '--operator-metrics', key: 'operatorMetrics' },
  { flag: '--seed', key: 'seed' },
  { flag: '--shards', key: 'shards' },
  { flag: '--shard-runner', key: 'shardRunner' },
  { flag: '--shard-image', key: 'shardImage' },
];

function camelCase(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** The overrides for every declared flag the user actually gave (commander leaves the others undefined). */
export function configFlags(opts: Readonly<Record<string, unknown>>, declared: readonly ConfigFlag[]): FlagOverride[] {
  const out: FlagOverride[] = [];
  for (const d of declared) {
    const raw = opts[d.attribute ?? camelCase(d.flag)];
    if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') out.push({ flag: d.flag, key: d.key, raw });
  }
  return out;
}

/** The overrides the global options make. */
export function globalFlagOverrides(globals: GlobalOptions): FlagOverride[] {
  return configFlags({ ...globals }, globalConfigFlags);
}

/** Resolves the effective configuration for a command: its own flag overrides over the global ones, over --config, profile and defaults. */
export function resolveCliConfig(ctx: CliContext, own: readonly FlagOverride[] = []): Promise<ResolvedConfig> {
  const globals = ctx.globals();
  return resolveConfig({
    ...(globals.config === undefined ? {} : { configFile: globals.config }),
    flags: [...globalFlagOverrides(globals), ...own],
    cwd: ctx.io.cwd,
    env: ctx.io.env,
  });
}
