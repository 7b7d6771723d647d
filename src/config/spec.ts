/**
 * @module The building blocks of the configuration specification: leaves (one value with its own
 * syntax), sections (mappings with fixed keys) and variant lists (lists discriminated by `kind`).
 * One spec tree yields both the JSON Schema that ajv checks and the conversion to typed values.
 */
import type { SchemaObject } from 'ajv';
import { recordKinds, kindInfo } from '../model/kinds.js';
import * as v from './values.js';
import { suggest } from './suggest.js';

/** One value: ajv checks only its place in the tree; `parse` checks its syntax and converts it. */
export interface Leaf {
  node: 'leaf';
  /** One line for docs and `--help`. */
  describe: string;
  parse: (raw: unknown) => v.Parsed<unknown>;
  /** Shows a converted value in the value syntax (so it parses back). */
  format: (value: unknown) => string;
  /** Never printed: shown as `<redacted>`. */
  secret?: boolean;
}

/** A mapping with fixed keys; unknown keys are errors. */
export interface Section {
  node: 'section';
  fields: Readonly<Record<string, SpecNode>>;
  /** Keys that must be present (only used inside variant lists, where there are no layered defaults). */
  required?: readonly string[];
  /** Values added to the converted object, e.g. the `kind` of a scenario's options. */
  constants?: Readonly<Record<string, string>>;
}

/** A list of mappings, each shaped by the variant its `kind` names; merged as one value. */
export interface VariantList {
  node: 'variants';
  describe: string;
  variants: Readonly<Record<string, Section>>;
  /** Shows the converted list in one line. */
  format: (value: unknown) => string;
  /** Raw `params` each variant gets when an item leaves them out. */
  defaults?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** Any node of the spec tree. */
export type SpecNode = Leaf | Section | VariantList;

function leaf<T>(describe: string, parse: (raw: unknown) => v.Parsed<T>, format: (value: T) => string, secret = false): Leaf {
  // The cast is sound: `format` only ever receives what this leaf's own `parse` produced.
  return { node: 'leaf', describe, parse, format: (value) => format(value as T), ...(secret ? { secret } : {}) };
}

/** A section with fixed keys. */
export function section(fields: Record<string, SpecNode>, extra: Omit<Section, 'node' | 'fields'> = {}): Section {
  return { node: 'section', fields, ...extra };
}

/** A list of `kind`-discriminated mappings. */
export function variants(
  describe: string,
  vs: Record<string, Section>,
  format: (value: unknown) => string,
  defaults?: VariantList['defaults'],
): VariantList {
  return { node: 'variants', describe, variants: vs, format, ...(defaults === undefined ? {} : { defaults }) };
}

/** A non-empty string. */
export function text(describe: string, secret = false): Leaf {
  return leaf<string>(describe, (raw) => (typeof raw === 'string' && raw !== '' ? v.ok(raw) : v.fail(`expected a non-empty string, got ${v.show(raw)}`)), (s) => s, secret);
}

/** A name pattern that must contain the `{}` placeholder. */
export function pattern(describe: string): Leaf {
  return leaf<string>(
    describe,
    (raw) => (typeof raw === 'string' && raw.includes('{}') ? v.ok(raw) : v.fail(`expected a pattern containing {} like zone-{}.example.com, got ${v.show(raw)}`)),
    (s) => s,
  );
}

/** One of a fixed set of words. */
export function oneOf<const T extends string>(describe: string, values: readonly T[]): Leaf {
  return leaf(
    describe,
    (raw): v.Parsed<T> => {
      const found = values.find((x) => x === raw);
      if (found !== undefined) return v.ok(found);
      const hint = typeof raw === 'string' ? suggest(raw, values) : undefined;
      return v.fail(`expected one of ${values.join(', ')}, got ${v.show(raw)}${hint === undefined ? '' : ` (did you mean '${hint}'?)`}`);
    },
    (s) => s,
  );
}

/** A BIND9 server of the target: `primary`, or `secondary-<i>` (its i-th secondary, from 0). */
export function bind9Server(describe: string): Leaf {
  return leaf<string>(
    describe,
    (raw) => (typeof raw === 'string' && /^(primary|secondary-(0|[1-9][0-9]{0,2}))$/.test(raw) ? v.ok(raw) : v.fail(`expected primary or secondary-<i> like secondary-0, got ${v.show(raw)}`)),
    (s) => s,
  );
}

/** A Kubernetes name. */
export function dnsLabel(describe: string): Leaf {
  return leaf(describe, v.parseDnsLabel, (s) => s);
}

/** A Kubernetes label value (a run id). */
export function labelValue(describe: string): Leaf {
  return leaf<string>(
    describe,
    (raw) =>
      typeof raw === 'string' && raw.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(raw)
        ? v.ok(raw)
        : v.fail(`expected a label value (letters, digits, '-', '_', '.', at most 63) like run-20240101, got ${v.show(raw)}`),
    (s) => s,
  );
}

/** An http(s) URL. */
export function url(describe: string): Leaf {
  return leaf(describe, v.parseUrl, (s) => s);
}

/** An integer ≥ min. */
export function integer(describe: string, min: number): Leaf {
  return leaf(describe, (raw) => v.parseInteger(raw, min), String);
}

/** An integer in [min, max]. */
export function integerBetween(describe: string, min: number, max: number): Leaf {
  return leaf(describe, (raw) => v.parseIntegerBetween(raw, min, max), String);
}

/** A number in [min, max]. */
export function number(describe: string, min: number, max = Infinity): Leaf {
  return leaf(describe, (raw) => v.parseNumber(raw, min, max), String);
}

/** true or false. */
export function boolean(describe: string): Leaf {
  return leaf(describe, v.parseBoolean, String);
}

/** A duration, in ms. */
export function duration(describe: string): Leaf {
  return leaf(describe, v.parseDuration, v.formatDuration);
}

/** A rate, per second. */
export function rate(describe: string): Leaf {
  return leaf(describe, v.parseRate, v.formatRate);
}

/** A percentage, as a fraction. */
export function percentage(describe: string): Leaf {
  return leaf(describe, v.parsePercentage, v.formatPercentage);
}

/** A memory size, in MiB. */
export function sizeMiB(describe: string): Leaf {
  return leaf(describe, v.parseSizeMiB, (n) => `${n}Mi`);
}

/** A size in bytes, 0 allowed (`0`, `512Ki`, `4Mi`). */
export function sizeBytes(describe: string): Leaf {
  return leaf(describe, v.parseSizeBytes, v.formatSizeBytes);
}

/** CPU in cores, written as Kubernetes does (`100m`, `0.5`). */
export function cpuCores(describe: string): Leaf {
  return leaf(describe, v.parseCpuCores, v.formatCpuCores);
}

/** A memory growth rate, in MiB per minute. */
export function leakRate(describe: string): Leaf {
  return leaf(describe, v.parseLeakRate, v.formatLeakRate);
}

/** An integer range. */
export function range(describe: string, floor: number): Leaf {
  return leaf(describe, (raw) => v.parseRange(raw, floor), v.formatRange);
}

/** A mix of record kinds. */
export function kindMix(describe: string): Leaf {
  return leaf(describe, v.parseKindMix, (m) => v.formatMix(m, recordKinds, (k) => kindInfo[k].rrType ?? k));
}

/** A create/update/delete mix. */
export function operationMix(describe: string): Leaf {
  return leaf(describe, v.parseOperationMix, (m) => v.formatMix(m, v.operations));
}

/** A bindcar command mix (`bind rndc --mode mixed`). */
export function rndcMix(describe: string): Leaf {
  return leaf(describe, v.parseRndcMix, (m) => v.formatMix(m, v.rndcCommands));
}

/** A fixed or random delay. */
export function distribution(describe: string): Leaf {
  return leaf(describe, v.parseDistribution, v.formatDistribution);
}

/** A list of words from a fixed set: a YAML list or a comma-separated string. */
export function listOf<const T extends string>(describe: string, values: readonly T[]): Leaf {
  const one = oneOf(describe, values);
  return leaf(
    describe,
    (raw): v.Parsed<readonly T[]> => {
      const items = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()) : Array.isArray(raw) ? (raw as unknown[]) : undefined;
      if (items === undefined || items.length === 0) return v.fail(`expected a list of ${values.join(', ')}, got ${v.show(raw)}`);
      const out: T[] = [];
      for (const item of items) {
        const p = one.parse(item);
        if (!p.ok) return p;
        const found = values.find((x) => x === p.value);
        if (found !== undefined && !out.includes(found)) out.push(found);
      }
      return v.ok(out);
    },
    (list) => list.join(','),
  );
}

/** `auto`, `on` or `off`; a boolean flag (`--x` / `--no-x`) gives on or off. */
export function onOffAuto(describe: string): Leaf {
  const words = ['auto', 'on', 'off'] as const;
  const one = oneOf(describe, words);
  return leaf(describe, (raw): v.Parsed<(typeof words)[number]> => {
    if (raw === true || raw === 'true') return v.ok('on');
    if (raw === false || raw === 'false') return v.ok('off');
    const p = one.parse(raw);
    if (!p.ok) return v.fail(p.message);
    return v.ok(words.find((w) => w === p.value) ?? 'auto');
  }, (s) => s);
}

/** A list of DNS server addresses `host:port` (IPv6 as `[::1]:53`): a YAML list or comma-separated. */
export function hostPorts(describe: string): Leaf {
  return leaf(
    describe,
    (raw): v.Parsed<readonly { host: string; port: number }[]> => {
      const items = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()) : Array.isArray(raw) ? (raw as unknown[]) : undefined;
      if (items === undefined || items.length === 0) return v.fail(`expected a list of host:port like 127.0.0.1:5353, got ${v.show(raw)}`);
      const out: { host: string; port: number }[] = [];
      for (const item of items) {
        const m = typeof item === 'string' ? /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(item) : null;
        const host = m?.[1] ?? m?.[2];
        const port = Number(m?.[3]);
        if (host === undefined || !(port >= 1 && port <= 65535)) return v.fail(`expected host:port like 127.0.0.1:5353 or [::1]:53, got ${v.show(item)}`);
        out.push({ host, port });
      }
      return v.ok(out);
    },
    (list) => list.map((a) => (a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`)).join(','),
  );
}

/** The sidecar's rate limiter: `release`, `off` or `{rps, burst}`. */
export function rateLimit(describe: string): Leaf {
  type RL = { kind: 'release' } | { kind: 'off' } | { kind: 'token-bucket'; rps: number; burst: number };
  return leaf(
    describe,
    (raw): v.Parsed<RL> => {
      if (raw === 'off' || raw === false) return v.ok({ kind: 'off' });
      if (raw === 'release') return v.ok({ kind: 'release' });
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return v.fail(`expected release, off or {rps: 100, burst: 200}, got ${v.show(raw)}`);
      const o = raw as Record<string, unknown>;
      const extra = Object.keys(o).find((k) => k !== 'rps' && k !== 'burst');
      if (extra !== undefined) {
        const hint = suggest(extra, ['rps', 'burst']);
        return v.fail(`unknown key '${extra}' in rateLimit${hint === undefined ? '' : ` (did you mean '${hint}'?)`} (expected rps and burst)`);
      }
      const rps = v.parseRate(o.rps);
      if (!rps.ok) return v.fail(`rps: ${rps.message}`);
      const burst = v.parseInteger(o.burst ?? Math.ceil(rps.value), 1);
      if (!burst.ok) return v.fail(`burst: ${burst.message}`);
      return v.ok({ kind: 'token-bucket', rps: rps.value, burst: burst.value });
    },
    (rl) => (rl.kind === 'off' || rl.kind === 'release' ? rl.kind : `{rps: ${v.formatRate(rl.rps)}, burst: ${rl.burst}}`),
  );
}

/** The JSON Schema (draft-07, as ajv checks it) of a spec node: structure and unknown keys; leaf syntax is `parse`'s job. */
export function jsonSchemaOf(node: SpecNode): SchemaObject {
  switch (node.node) {
    case 'leaf':
      return { description: node.describe };
    case 'section':
      return {
        type: 'object',
        properties: Object.fromEntries(Object.entries(node.fields).map(([k, child]) => [k, jsonSchemaOf(child)])),
        additionalProperties: false,
        ...(node.required === undefined ? {} : { required: [...node.required] }),
      };
    case 'variants':
      return {
        type: 'array',
        description: node.describe,
        items: {
          type: 'object',
          properties: { kind: { type: 'string' } },
          required: ['kind'],
          discriminator: { propertyName: 'kind' },
          oneOf: Object.entries(node.variants).map(([kind, s]) => {
            const base = jsonSchemaOf(s);
            return { ...base, properties: { kind: { const: kind }, ...(base.properties as Record<string, SchemaObject>) } };
          }),
        },
      };
  }
}
