/**
 * @module Loading and precedence: flags > file > environment > profile > defaults. Each source is
 * validated on its own (so its problems name the flag or file:line), then the values are merged key
 * by key, cross-key checks run, and a deep-frozen Config with the origin of every value comes out.
 */
import { ConfigError, type ConfigIssue } from '../errors.js';
import { checkConsistency } from './consistency.js';
import { defaultConfig } from './defaults.js';
import { deepFreeze } from './freeze.js';
import type { ValueOrigin } from './origin.js';
import { profiles } from './profiles.js';
import { configSpec } from './schema.js';
import type { SpecNode } from './spec.js';
import type { Config, ProfileName } from './types.js';
import { buildTree, keyOf, validateLayer, type Layer, type LayerValue, type Path } from './validate.js';
import { readYamlSource, type YamlSource } from './yaml-source.js';

/** One command-line value for a config key, e.g. `{flag: '--records', key: 'scenarios.burst.records', raw: '500'}`. */
export interface FlagOverride {
  /** The flag as the user typed it, for messages. */
  flag: string;
  /** Dotted config key it sets. */
  key: string;
  /** As typed; a command may also give a list of sections (chaos `--scenario` gives one experiment). */
  raw: string | number | boolean | readonly Readonly<Record<string, unknown>>[];
}

/** What resolveConfig reads. */
export interface ResolveInput {
  /** Configuration file, relative to `cwd`. */
  configFile?: string;
  /** Command-line values, highest precedence; later entries win over earlier ones for the same key. */
  flags?: readonly FlagOverride[];
  cwd: string;
  /** Environment (only KUBECONFIG is read). */
  env?: NodeJS.ProcessEnv;
}

/** The effective configuration and where each value came from (keyed by dotted key). */
export interface ResolvedConfig {
  config: Readonly<Config>;
  origins: ReadonlyMap<string, ValueOrigin>;
}

function setAt(tree: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = tree;
  for (const seg of path.slice(0, -1)) {
    const next = node[seg];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) node = next as Record<string, unknown>;
    else node = node[seg] = {};
  }
  node[path[path.length - 1] ?? ''] = value;
}

/** The flag that set `path`: the override whose key is, or contains, or lies under the path. */
function flagFor(flags: readonly FlagOverride[], path: Path): string {
  const key = keyOf(path);
  const hit = [...flags].reverse().find((f) => f.key === key || key.startsWith(`${f.key}.`) || key.startsWith(`${f.key}[`) || f.key.startsWith(`${key}.`));
  return hit?.flag ?? 'command line';
}

function flagLayer(flags: readonly FlagOverride[]): Layer {
  const raw: Record<string, unknown> = {};
  for (const f of flags) setAt(raw, f.key.split('.'), f.raw);
  return validateLayer({
    raw,
    issue: (path, message) => ({ source: flagFor(flags, path), message }),
    origin: (path) => ({ kind: 'flag', flag: flagFor(flags, path) }),
  });
}

function fileLayer(src: YamlSource): Layer {
  const place = (path: Path, at: 'key' | 'value'): { source: string; line?: number } => {
    const line = src.lineOf(path, at);
    return line === undefined ? { source: src.file } : { source: src.file, line };
  };
  return validateLayer({
    raw: src.raw,
    issue: (path, message, at) => ({ ...place(path, at), ...(path.length === 0 ? {} : { key: keyOf(path) }), message }),
    origin: (path) => ({ kind: 'file', file: src.file, ...(src.lineOf(path, 'value') === undefined ? {} : { line: src.lineOf(path, 'value') }) }),
  });
}

function profileLayer(name: ProfileName): Layer {
  return validateLayer({
    raw: profiles[name],
    issue: (path, message) => ({ source: `profile ${name}`, key: keyOf(path), message }),
    origin: () => ({ kind: 'profile', profile: name }),
  });
}

function envLayer(env: NodeJS.ProcessEnv): Layer {
  const raw: Record<string, unknown> = {};
  if (env.KUBECONFIG !== undefined && env.KUBECONFIG !== '') raw.kubeconfig = env.KUBECONFIG;
  return validateLayer({
    raw,
    issue: (path, message) => ({ source: 'env KUBECONFIG', key: keyOf(path), message }),
    origin: () => ({ kind: 'env', variable: 'KUBECONFIG' }),
  });
}

/** Every leaf of the spec with its value in a typed tree, keyed by dotted key (absent optional values left out). */
export function flattenConfig(node: SpecNode, value: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (node.node !== 'section') {
    if (value !== undefined) out.set(prefix, value);
    return out;
  }
  const obj = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  for (const [k, child] of Object.entries(node.fields)) {
    for (const [key, v] of flattenConfig(child, obj[k], prefix === '' ? k : `${prefix}.${k}`)) out.set(key, v);
  }
  return out;
}

/** Issues of one file in line order (ajv's structural ones and the value ones interleave). */
function sortedByLine(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

function profileOf(layer: Layer): ProfileName | undefined {
  const v = layer.values.get('profile')?.value;
  return typeof v === 'string' && v in profiles ? (v as ProfileName) : undefined;
}

/** Builds the effective configuration from defaults, a profile, the environment, a file and flags; throws one ConfigError with every problem. */
export async function resolveConfig(input: ResolveInput): Promise<ResolvedConfig> {
  const flags = flagLayer(input.flags ?? []);
  const issues: ConfigIssue[] = [...flags.issues];
  let file: Layer | undefined;
  if (input.configFile !== undefined) {
    try {
      file = fileLayer(await readYamlSource(input.configFile, input.cwd));
      issues.push(...sortedByLine(file.issues));
    } catch (err) {
      // An unreadable or unparsable file: still report the flags' problems with it, all at once.
      if (!(err instanceof ConfigError)) throw err;
      issues.push(...err.issues);
    }
  }
  const profileName = profileOf(flags) ?? (file === undefined ? undefined : profileOf(file));
  const profile = profileName === undefined ? undefined : profileLayer(profileName);
  issues.push(...(profile?.issues ?? []));
  if (issues.length > 0) throw new ConfigError(issues);

  const merged = new Map<string, LayerValue>();
  for (const [key, value] of flattenConfig(configSpec, defaultConfig)) merged.set(key, { value, origin: { kind: 'default' } });
  for (const layer of [profile, envLayer(input.env ?? {}), file, flags]) {
    for (const [key, v] of layer?.values ?? []) merged.set(key, v);
  }
  const tree: unknown = buildTree(configSpec, merged, '');
  const config = tree as Config;
  const origins: ReadonlyMap<string, ValueOrigin> = new Map([...merged].map(([k, v]) => [k, v.origin]));
  const inconsistent = checkConsistency(config, origins);
  if (inconsistent.length > 0) throw new ConfigError(inconsistent);
  return { config: deepFreeze(config), origins };
}
