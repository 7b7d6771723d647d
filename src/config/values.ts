/** @module The value syntax of the configuration (durations, rates, mixes, ranges, percentages, sizes), parsed and formatted without I/O. */
import { recordKinds, kindInfo, type RecordKind } from '../model/kinds.js';
import { suggest } from './suggest.js';

/** A parse result: the value, or a message saying what was expected, with an example. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** Wraps a successful value. */
export function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

/** Wraps a failure message. */
export function fail<T>(message: string): Parsed<T> {
  return { ok: false, message };
}

/** Shows a raw value the way a user typed it: strings quoted, everything else as YAML would. */
export function show(raw: unknown): string {
  if (typeof raw === 'string') return `'${raw}'`;
  if (raw === null) return 'null';
  if (Array.isArray(raw)) return 'a list';
  if (typeof raw === 'object') return 'a mapping';
  if (typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'bigint') return String(raw);
  return typeof raw;
}

function expected<T>(what: string, raw: unknown): Parsed<T> {
  return fail(`expected ${what}, got ${show(raw)}`);
}

const numberText = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** Reads a finite number from a YAML number or a decimal string (flags arrive as strings). */
function toNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === 'string' && numberText.test(raw.trim())) return Number(raw.trim());
  return undefined;
}

/** An integer ≥ `min` (YAML number or decimal string). */
export function parseInteger(raw: unknown, min = Number.MIN_SAFE_INTEGER): Parsed<number> {
  const what = min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : min === Number.MIN_SAFE_INTEGER ? 'an integer' : `an integer ≥ ${min}`;
  const n = toNumber(raw);
  if (n === undefined || !Number.isSafeInteger(n) || n < min) return expected(what, raw);
  return ok(n);
}

/** An integer within [min, max] (inclusive). */
export function parseIntegerBetween(raw: unknown, min: number, max: number): Parsed<number> {
  const n = toNumber(raw);
  if (n === undefined || !Number.isSafeInteger(n) || n < min || n > max) return expected(`an integer between ${min} and ${max}`, raw);
  return ok(n);
}

/** A finite number within [min, max] (inclusive). */
export function parseNumber(raw: unknown, min = -Infinity, max = Infinity): Parsed<number> {
  const n = toNumber(raw);
  const what = min === 0 && max === Infinity ? 'a non-negative number' : min > 0 && max === Infinity ? `a number ≥ ${min}` : 'a number';
  if (n === undefined || n < min || n > max) return expected(`${what}${max < Infinity ? ` between ${min} and ${max}` : ''}`, raw);
  return ok(n);
}

/** A boolean: YAML true/false, or the strings "true"/"false" from a flag. */
export function parseBoolean(raw: unknown): Parsed<boolean> {
  if (typeof raw === 'boolean') return ok(raw);
  if (raw === 'true' || raw === 'false') return ok(raw === 'true');
  return expected('true or false', raw);
}

const durationUnitsMs: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const durationPart = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;

/** A duration like `500ms`, `90s`, `30m`, `1h`, `1h30m`, in milliseconds (≥ 0). A bare 0 is accepted; other bare numbers are not, since the unit would be a guess. */
export function parseDuration(raw: unknown): Parsed<number> {
  if (raw === 0 || raw === '0') return ok(0);
  if (typeof raw !== 'string' || raw.trim() === '') return expected('a duration like 90s, 30m or 1h', raw);
  const text = raw.trim();
  durationPart.lastIndex = 0;
  let total = 0;
  while (durationPart.lastIndex < text.length) {
    const m = durationPart.exec(text);
    if (m === null) return expected('a duration like 90s, 30m or 1h', raw);
    total += Number(m[1]) * (durationUnitsMs[m[2] ?? ''] ?? Number.NaN);
  }
  if (!Number.isFinite(total)) return expected('a duration like 90s, 30m or 1h', raw);
  return ok(Math.round(total * 1000) / 1000);
}

/** A duration like `1h30m`, `90s`→`1m30s`, `250ms`: whole units largest first, so it parses back to the same value. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    const whole = Math.floor(rest / size);
    if (whole > 0) {
      out += `${whole}${unit}`;
      rest -= whole * size;
    }
  }
  if (rest > 0) out += `${Math.round(rest * 1000) / 1000}ms`;
  return out;
}

const rateUnitsSeconds: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600 };

/** A rate like `50`, `50/s`, `3000/m` or `20/h`, in events per second (> 0). */
export function parseRate(raw: unknown): Parsed<number> {
  const what = 'a rate like 50/s, 3000/m or 50';
  const asNumber = toNumber(raw);
  if (asNumber !== undefined) return asNumber > 0 ? ok(asNumber) : expected(`${what} (above 0)`, raw);
  if (typeof raw !== 'string') return expected(what, raw);
  const m = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(s|m|h)\s*$/.exec(raw);
  if (m === null) return expected(what, raw);
  const perSecond = Number(m[1]) / (rateUnitsSeconds[m[2] ?? ''] ?? Number.NaN);
  return perSecond > 0 ? ok(perSecond) : expected(`${what} (above 0)`, raw);
}

/** A rate per second as `50/s`, or per minute/hour when that makes it a whole number. */
export function formatRate(perSecond: number): string {
  const round = (n: number): number => Math.round(n * 1e6) / 1e6;
  if (Number.isInteger(round(perSecond))) return `${round(perSecond)}/s`;
  if (Number.isInteger(round(perSecond * 60))) return `${round(perSecond * 60)}/m`;
  if (Number.isInteger(round(perSecond * 3600))) return `${round(perSecond * 3600)}/h`;
  return `${round(perSecond)}/s`;
}

/** A share as `1%`, `0.5%` or a fraction `0.01`; returned as a fraction in [0, 1]. */
export function parsePercentage(raw: unknown): Parsed<number> {
  const what = 'a percentage like 1% or 0.5%, or a fraction like 0.01';
  if (typeof raw === 'string' && raw.trim().endsWith('%')) {
    const n = toNumber(raw.trim().slice(0, -1));
    if (n === undefined) return expected(what, raw);
    if (n < 0 || n > 100) return expected('a percentage between 0% and 100%', raw);
    return ok(n / 100);
  }
  const n = toNumber(raw);
  if (n === undefined) return expected(what, raw);
  if (n < 0 || n > 1) return expected('a fraction between 0 and 1 (or a percentage like 1%)', raw);
  return ok(n);
}

/** A fraction as a percentage: 0.005 → `0.5%`. */
export function formatPercentage(fraction: number): string {
  return `${Math.round(fraction * 100 * 1e6) / 1e6}%`;
}

const sizeUnitsMiB: Readonly<Record<string, number>> = {
  b: 1 / 1048576,
  kb: 1000 / 1048576,
  kib: 1 / 1024,
  ki: 1 / 1024,
  mb: 1e6 / 1048576,
  mib: 1,
  mi: 1,
  gb: 1e9 / 1048576,
  gib: 1024,
  gi: 1024,
};

/** A memory size like `512MiB`, `512Mi`, `1GiB` or `600MB` (decimal), in MiB; a bare number is MiB. */
export function parseSizeMiB(raw: unknown): Parsed<number> {
  const what = 'a size like 512Mi, 512MiB or 1GiB (a bare number means MiB)';
  const n = toNumber(raw);
  if (n !== undefined) return n > 0 ? ok(n) : expected(what, raw);
  if (typeof raw !== 'string') return expected(what, raw);
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*$/.exec(raw);
  const factor = m === null ? undefined : sizeUnitsMiB[(m[2] ?? '').toLowerCase()];
  if (m === null || factor === undefined || Number(m[1]) <= 0) return expected(what, raw);
  return ok(Math.round(Number(m[1]) * factor * 1000) / 1000);
}

/** Parses a size that may be 0 (`0`, `512Ki`, `4Mi`, `1GiB`; a bare number means bytes), in whole bytes. */
export function parseSizeBytes(raw: unknown): Parsed<number> {
  const what = 'a size like 0, 512Ki, 4Mi or 1GiB (a bare number means bytes)';
  const n = toNumber(raw);
  if (n !== undefined) return Number.isInteger(n) && n >= 0 ? ok(n) : expected(what, raw);
  if (typeof raw !== 'string') return expected(what, raw);
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*$/.exec(raw);
  const factor = m === null ? undefined : sizeUnitsMiB[(m[2] ?? '').toLowerCase()];
  if (m === null || factor === undefined) return expected(what, raw);
  return ok(Math.round(Number(m[1]) * factor * 1048576));
}

/** Bytes as the largest binary unit that keeps a whole number (`0`, `512Ki`, `4Mi`). */
export function formatSizeBytes(n: number): string {
  for (const [unit, size] of [['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) if (n >= size && n % size === 0) return `${n / size}${unit}`;
  return String(n);
}

/** CPU as Kubernetes writes it (`500m`, `0.5`, `2`), in cores; above 0, at most 3 decimals as Kubernetes keeps them. */
export function parseCpuCores(raw: unknown): Parsed<number> {
  const what = 'a CPU quantity like 100m, 0.5 or 2 (cores)';
  const n = toNumber(raw);
  const cores = n !== undefined ? n : typeof raw === 'string' && /^\s*\d+m\s*$/.test(raw) ? Number(raw.trim().slice(0, -1)) / 1000 : undefined;
  if (cores === undefined || !Number.isFinite(cores) || cores < 0.001) return expected(what, raw);
  return ok(Math.round(cores * 1000) / 1000);
}

/** Cores as Kubernetes writes them: millicores below one core (`100m`), else the number. */
export function formatCpuCores(cores: number): string {
  return Number.isInteger(cores) ? String(cores) : `${Math.round(cores * 1000)}m`;
}

/** An inclusive integer range. */
export interface IntRange {
  min: number;
  max: number;
}

/** A range `100..1000`, a single number, or a mapping `{min, max}`; integers ≥ `floor`, min ≤ max. */
export function parseRange(raw: unknown, floor = 0): Parsed<IntRange> {
  const what = 'a range like 60..3600, a number, or {min: 60, max: 3600}';
  let lo: unknown;
  let hi: unknown;
  if (typeof raw === 'string' && raw.includes('..')) {
    [lo, hi] = raw.split('..', 2).map((s) => s.trim());
  } else if (typeof raw === 'number' || typeof raw === 'string') {
    lo = raw;
    hi = raw;
  } else if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const o = raw as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => k !== 'min' && k !== 'max');
    if (extra.length > 0) return fail(`unknown key '${extra[0] ?? ''}' in a range (expected min and max)`);
    lo = o.min;
    hi = o.max;
  } else {
    return expected(what, raw);
  }
  const a = parseInteger(lo, floor);
  const b = parseInteger(hi, floor);
  if (!a.ok || !b.ok) return expected(`${what}, of integers ≥ ${floor}`, raw);
  if (a.value > b.value) return fail(`expected a range with min ≤ max, got ${show(raw)} (min ${a.value} > max ${b.value})`);
  return ok({ min: a.value, max: b.value });
}

/** A range as `60..3600` (or one number when min = max). */
export function formatRange(r: IntRange): string {
  return r.min === r.max ? String(r.min) : `${r.min}..${r.max}`;
}

/** Normalised weights keyed by name; they sum to 1. */
export type Weights<K extends string> = Readonly<Partial<Record<K, number>>>;

/** Reads raw weights (`A=70,AAAA=10`, positional `60,30,10`, or a YAML mapping) and normalises them. */
function parseWeights<K extends string>(
  raw: unknown,
  canonical: (key: string) => K | undefined,
  knownNames: readonly string[],
  positional: readonly K[] | undefined,
  example: string,
): Parsed<Weights<K>> {
  const what = `a mix like ${example}`;
  const entries: Array<[string, unknown]> = [];
  if (typeof raw === 'string') {
    const parts = raw.split(',').map((p) => p.trim());
    if (parts.some((p) => p === '')) return expected(what, raw);
    const keyed = parts.filter((p) => p.includes('=')).length;
    if (keyed === parts.length) {
      for (const p of parts) {
        const [k = '', v = ''] = p.split('=', 2);
        entries.push([k.trim(), v.trim()]);
      }
    } else if (keyed === 0 && positional !== undefined) {
      if (parts.length !== positional.length) return fail(`expected ${positional.length} weights (${positional.join(',')}) like ${example}, got ${show(raw)}`);
      parts.forEach((p, i) => entries.push([positional[i] ?? '', p]));
    } else {
      return expected(what, raw);
    }
  } else if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    entries.push(...Object.entries(raw));
  } else {
    return expected(what, raw);
  }
  const out: Partial<Record<K, number>> = {};
  let sum = 0;
  for (const [k, v] of entries) {
    const key = canonical(k);
    if (key === undefined) {
      const hint = suggest(k, knownNames);
      return fail(`unknown key '${k}' in mix ${show(raw)}${hint === undefined ? '' : ` (did you mean '${hint}'?)`}; known: ${knownNames.join(', ')}`);
    }
    if (out[key] !== undefined) return fail(`'${k}' appears twice in mix ${show(raw)}`);
    const w = toNumber(v);
    if (w === undefined || w < 0) return fail(`expected weights ≥ 0 in a mix like ${example}, got ${show(v)} for '${k}'`);
    out[key] = w;
    sum += w;
  }
  if (!(sum > 0)) return fail(`expected weights with a sum above 0 in a mix like ${example}, got ${show(raw)}`);
  for (const k of Object.keys(out) as K[]) out[k] = (out[k] ?? 0) / sum;
  return ok(out);
}

/** Record kind names accepted in a mix: `ARecord`… and RR types `A`… (any case). */
function recordKindOf(name: string): RecordKind | undefined {
  const lower = name.toLowerCase();
  return recordKinds.find((k) => k.toLowerCase() === lower || kindInfo[k].rrType?.toLowerCase() === lower);
}

/** A mix of record kinds, keyed by kind; e.g. `A=70,AAAA=10,CNAME=10,TXT=10` or `ARecord: 3`. */
export function parseKindMix(raw: unknown): Parsed<Weights<RecordKind>> {
  const names = recordKinds.map((k) => kindInfo[k].rrType ?? k);
  return parseWeights(raw, recordKindOf, names, undefined, 'A=70,AAAA=10,CNAME=10,TXT=10');
}

/** The operations of a sustained load. */
export const operations = ['create', 'update', 'delete'] as const;
/** One operation of a sustained load. */
export type Operation = (typeof operations)[number];

/** A create/update/delete mix: positional `60,30,10` or keyed `create=60,update=30,delete=10`. */
export function parseOperationMix(raw: unknown): Parsed<Weights<Operation>> {
  const canonical = (k: string): Operation | undefined => operations.find((o) => o === k.toLowerCase());
  return parseWeights(raw, canonical, operations, operations, '60,30,10 (create,update,delete)');
}

/** The bindcar commands of `bind rndc --mode mixed`, each one route. */
export const rndcCommands = ['status', 'zone', 'zones', 'server', 'reload', 'notify', 'record-add', 'record-remove'] as const;
/** One bindcar command of the mixed storm. */
export type RndcCommand = (typeof rndcCommands)[number];

/** A bindcar command mix, keyed: `status=30,reload=20,notify=10`. */
export function parseRndcMix(raw: unknown): Parsed<Weights<RndcCommand>> {
  const canonical = (k: string): RndcCommand | undefined => rndcCommands.find((c) => c === k.toLowerCase());
  return parseWeights(raw, canonical, rndcCommands, undefined, 'status=30,reload=20,notify=10,record-add=10');
}

/** A mix as `A=70,AAAA=10` with weights in percent (rounded to 0.01), in the given key order. */
export function formatMix<K extends string>(mix: Weights<K>, order: readonly K[], label: (k: K) => string = (k) => k): string {
  return order
    .filter((k) => (mix[k] ?? 0) > 0)
    .map((k) => `${label(k)}=${Math.round((mix[k] ?? 0) * 10000) / 100}`)
    .join(',');
}

/** A random delay: one fixed value, or uniform between two values (milliseconds). */
export type Distribution = { kind: 'fixed'; ms: number } | { kind: 'uniform'; minMs: number; maxMs: number };

/** A delay like `300ms` (fixed) or `uniform(200ms,400ms)`. */
export function parseDistribution(raw: unknown): Parsed<Distribution> {
  const what = 'a duration like 300ms or a distribution like uniform(200ms,400ms)';
  if (typeof raw === 'string') {
    const m = /^\s*uniform\s*\(\s*([^,]+?)\s*,\s*([^)]+?)\s*\)\s*$/.exec(raw);
    if (m !== null) {
      const a = parseDuration(m[1]);
      const b = parseDuration(m[2]);
      if (!a.ok || !b.ok) return expected(what, raw);
      if (a.value > b.value) return fail(`expected uniform(min,max) with min ≤ max, got ${show(raw)}`);
      return ok({ kind: 'uniform', minMs: a.value, maxMs: b.value });
    }
  }
  const d = parseDuration(raw);
  return d.ok ? ok({ kind: 'fixed', ms: d.value }) : expected(what, raw);
}

/** A distribution as `300ms` or `uniform(200ms,400ms)`. */
export function formatDistribution(d: Distribution): string {
  return d.kind === 'fixed' ? formatDuration(d.ms) : `uniform(${formatDuration(d.minMs)},${formatDuration(d.maxMs)})`;
}

/** An absolute http(s) URL. */
export function parseUrl(raw: unknown): Parsed<string> {
  const what = 'an http(s) URL like http://prometheus:9090';
  if (typeof raw !== 'string') return expected(what, raw);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return expected(what, raw);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return expected(what, raw);
  return ok(raw);
}

/** A Kubernetes object name (RFC 1123 label: lower-case alphanumerics and '-', ≤ 63). */
export function parseDnsLabel(raw: unknown): Parsed<string> {
  if (typeof raw === 'string' && raw.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(raw)) return ok(raw);
  return expected("a Kubernetes name (lower-case letters, digits and '-', at most 63) like bindy-loadtest", raw);
}

const leakUnitsPerMinute: Readonly<Record<string, number>> = { s: 60, m: 1, h: 1 / 60 };

/**
 * A memory growth rate like `30Mi/m`, `1800MiB/h` or `512Ki/s` (a size as {@link parseSizeMiB}
 * reads it, per second, minute or hour), in MiB per minute (> 0). A bare number is refused: its
 * time unit would be a guess.
 */
export function parseLeakRate(raw: unknown): Parsed<number> {
  const what = 'a memory rate like 30Mi/m, 1800Mi/h or 512Ki/s';
  if (typeof raw !== 'string') return expected(what, raw);
  const m = /^\s*(.+?)\s*\/\s*(s|m|h)\s*$/.exec(raw);
  if (m === null) return expected(what, raw);
  const size = parseSizeMiB(m[1]);
  if (!size.ok) return expected(what, raw);
  return ok(size.value * (leakUnitsPerMinute[m[2] ?? ''] ?? Number.NaN));
}

/** A memory growth rate in MiB per minute as `30Mi/m` (parses back to the same value). */
export function formatLeakRate(mibPerMinute: number): string {
  return `${Math.round(mibPerMinute * 1e6) / 1e6}Mi/m`;
}
