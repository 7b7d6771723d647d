/**
 * @module Decoding bindcar's JSON request bodies (pure): axum's Json extractor rejections (415, 400,
 * 422, plain text) and serde's defaults, then typed values for the handlers.
 */

/** SOA fields of a create-zone body, defaults applied as bindcar's serde defaults do. */
export interface SoaRecord {
  readonly primaryNs: string;
  readonly adminEmail: string;
  readonly serial: number;
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
  readonly negativeTtl: number;
}

/** One record of `zoneConfig.records`. */
export interface DnsRecord {
  readonly name: string;
  readonly type: string;
  readonly value: string;
  readonly ttl?: number;
  readonly priority?: number;
}

/** `zoneConfig` of a create-zone body. */
export interface ZoneConfig {
  readonly ttl: number;
  readonly soa: SoaRecord;
  readonly nameServers: readonly string[];
  /** Glue: nameserver FQDN → IPv4. */
  readonly nameServerIps: Readonly<Record<string, string>>;
  readonly records: readonly DnsRecord[];
  readonly alsoNotify?: readonly string[];
  readonly allowTransfer?: readonly string[];
  readonly primaries?: readonly string[];
  readonly dnssecPolicy?: string;
  readonly inlineSigning?: boolean;
}

/** `POST /api/v1/zones`. */
export interface CreateZoneRequest {
  readonly zoneName: string;
  readonly zoneType: string;
  readonly zoneConfig: ZoneConfig;
  readonly updateKeyName?: string;
}

/** `PATCH /api/v1/zones/{name}`. */
export interface ModifyZoneRequest {
  readonly alsoNotify?: readonly string[];
  readonly allowTransfer?: readonly string[];
  readonly allowUpdate?: readonly string[];
}

/** `POST /api/v1/zones/{name}/records` (ttl defaults to 3600). */
export interface AddRecordRequest {
  readonly name: string;
  readonly type: string;
  readonly value: string;
  readonly ttl: number;
  readonly priority?: number;
}

/** `DELETE /api/v1/zones/{name}/records` (no value: the whole RRset). */
export interface RemoveRecordRequest {
  readonly name: string;
  readonly type: string;
  readonly value?: string;
}

/** `PUT /api/v1/zones/{name}/records`. */
export interface UpdateRecordRequest {
  readonly name: string;
  readonly type: string;
  readonly currentValue: string;
  readonly newValue: string;
  readonly ttl: number;
  readonly priority?: number;
}

/** A decoded body, or the plain-text rejection axum would send. */
export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly status: 400 | 415 | 422; readonly text: string };

/** Thrown inside a decoder; carries serde's description of the first problem. */
class Mismatch extends Error {}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

function describe(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'sequence';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'string') return `string ${JSON.stringify(v)}`;
  if (typeof v === 'boolean') return `boolean \`${v}\``;
  return Number.isInteger(v) ? `integer \`${v}\`` : `floating point \`${v}\``;
}

function obj(v: Json, path: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Mismatch(`${path}invalid type: ${describe(v)}, expected a map`);
  return v;
}

function field(o: Obj, key: string): Json | undefined {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

function required(o: Obj, key: string, path: string): Json {
  const v = field(o, key);
  if (v === undefined) throw new Mismatch(`${path}missing field \`${key}\``);
  return v;
}

function str(v: Json, path: string): string {
  if (typeof v !== 'string') throw new Mismatch(`${path}invalid type: ${describe(v)}, expected a string`);
  return v;
}

function uint(v: Json, path: string, bits: 16 | 32): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Mismatch(`${path}invalid type: ${describe(v)}, expected u${bits}`);
  if (v < 0 || v > 2 ** bits - 1) throw new Mismatch(`${path}invalid value: integer \`${v}\`, expected u${bits}`);
  return v;
}

function bool(v: Json, path: string): boolean {
  if (typeof v !== 'boolean') throw new Mismatch(`${path}invalid type: ${describe(v)}, expected a boolean`);
  return v;
}

function strings(v: Json, path: string): string[] {
  if (!Array.isArray(v)) throw new Mismatch(`${path}invalid type: ${describe(v)}, expected a sequence`);
  return v.map((x, i) => str(x, `${path}[${i}]: `));
}

/** Optional field: absent or null → undefined (serde's Option). */
function opt<T>(o: Obj, key: string, path: string, read: (v: Json, p: string) => T): T | undefined {
  const v = field(o, key);
  return v === undefined || v === null ? undefined : read(v, `${path}${key}: `);
}

/** bindcar's default serial: today's date (UTC) as YYYYMMDD01. */
export function defaultSerial(now: Date): number {
  const y = now.getUTCFullYear();
  const m = String(now.getUTCMonth() + 1).padStart(2, '0');
  const d = String(now.getUTCDate()).padStart(2, '0');
  return Number(`${y}${m}${d}01`);
}

function soa(v: Json, path: string, now: Date): SoaRecord {
  const o = obj(v, path);
  return {
    primaryNs: str(required(o, 'primaryNs', path), `${path}primaryNs: `),
    adminEmail: str(required(o, 'adminEmail', path), `${path}adminEmail: `),
    serial: opt(o, 'serial', path, (x, p) => uint(x, p, 32)) ?? defaultSerial(now),
    refresh: opt(o, 'refresh', path, (x, p) => uint(x, p, 32)) ?? 3600,
    retry: opt(o, 'retry', path, (x, p) => uint(x, p, 32)) ?? 600,
    expire: opt(o, 'expire', path, (x, p) => uint(x, p, 32)) ?? 604_800,
    negativeTtl: opt(o, 'negativeTtl', path, (x, p) => uint(x, p, 32)) ?? 86_400,
  };
}

function dnsRecord(v: Json, path: string): DnsRecord {
  const o = obj(v, path);
  const ttl = opt(o, 'ttl', path, (x, p) => uint(x, p, 32));
  const priority = opt(o, 'priority', path, (x, p) => uint(x, p, 16));
  return {
    name: str(required(o, 'name', path), `${path}name: `),
    type: str(required(o, 'type', path), `${path}type: `),
    value: str(required(o, 'value', path), `${path}value: `),
    ...(ttl === undefined ? {} : { ttl }),
    ...(priority === undefined ? {} : { priority }),
  };
}

function zoneConfig(v: Json, path: string, now: Date): ZoneConfig {
  const o = obj(v, path);
  const ipsRaw = obj(required(o, 'nameServerIps', path), `${path}nameServerIps: `);
  const nameServerIps: Record<string, string> = {};
  for (const [k, ip] of Object.entries(ipsRaw)) nameServerIps[k] = str(ip, `${path}nameServerIps.${k}: `);
  const recordsRaw = field(o, 'records');
  const records =
    recordsRaw === undefined
      ? []
      : Array.isArray(recordsRaw)
        ? recordsRaw.map((r, i) => dnsRecord(r, `${path}records[${i}]: `))
        : (() => {
            throw new Mismatch(`${path}records: invalid type: ${describe(recordsRaw)}, expected a sequence`);
          })();
  const alsoNotify = opt(o, 'alsoNotify', path, strings);
  const allowTransfer = opt(o, 'allowTransfer', path, strings);
  const primaries = opt(o, 'primaries', path, strings);
  const dnssecPolicy = opt(o, 'dnssecPolicy', path, str);
  const inlineSigning = opt(o, 'inlineSigning', path, bool);
  return {
    ttl: uint(required(o, 'ttl', path), `${path}ttl: `, 32),
    soa: soa(required(o, 'soa', path), `${path}soa: `, now),
    nameServers: strings(required(o, 'nameServers', path), `${path}nameServers: `),
    nameServerIps,
    records,
    ...(alsoNotify === undefined ? {} : { alsoNotify }),
    ...(allowTransfer === undefined ? {} : { allowTransfer }),
    ...(primaries === undefined ? {} : { primaries }),
    ...(dnssecPolicy === undefined ? {} : { dnssecPolicy }),
    ...(inlineSigning === undefined ? {} : { inlineSigning }),
  };
}

/** The Content-Type axum's `Json<T>` accepts: application/json or application/*+json. */
function isJsonContentType(contentType: string | undefined): boolean {
  const mime = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return mime === 'application/json' || (mime.startsWith('application/') && mime.endsWith('+json'));
}

/** axum's default request-body limit (2 MiB), which bindcar never raises: a bigger `Json` body is refused with 413. */
export const bindcarBodyLimitBytes = 2_097_152;

/** The text of axum's 413 (`LengthLimitError`: its prefix, then http-body-util's error). */
export const bodyLimitText = 'Failed to buffer the request body: length limit exceeded';

/**
 * axum's `Json<T>` on a body of `bytes` bytes: 413 when over {@link bindcarBodyLimitBytes}, else
 * undefined. The Content-Type is checked first, so a non-JSON type is left to the decoder's 415;
 * the limit is inclusive (http-body-util's `Limited` refuses only what goes past it).
 */
export function bodyLimitRejection(contentType: string | undefined, bytes: number): { readonly status: 413; readonly text: string } | undefined {
  if (!isJsonContentType(contentType) || bytes <= bindcarBodyLimitBytes) return undefined;
  return { status: 413, text: bodyLimitText };
}

/**
 * Runs `read` over a JSON body the way axum's `Json<T>` extractor does: a Content-Type other than
 * application/json (or +json) → 415; [over the body limit → 413: {@link bodyLimitRejection}, which
 * the caller runs, as it alone knows the bytes received]; unparsable JSON → 400; a shape serde
 * rejects → 422. The texts follow axum's; serde's detail is close to, not byte-equal with, the Rust
 * message (no line/column).
 */
function decode<T>(contentType: string | undefined, body: string, read: (v: Json) => T): Decoded<T> {
  if (!isJsonContentType(contentType)) {
    return { ok: false, status: 415, text: 'Expected request with `Content-Type: application/json`' };
  }
  let parsed: Json;
  try {
    parsed = JSON.parse(body) as Json;
  } catch (error) {
    return { ok: false, status: 400, text: `Failed to parse the request body as JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  try {
    return { ok: true, value: read(parsed) };
  } catch (error) {
    if (!(error instanceof Mismatch)) throw error;
    return { ok: false, status: 422, text: `Failed to deserialize the JSON body into the target type: ${error.message}` };
  }
}

/** Decodes a create-zone body; `now` fixes the default serial. */
export function decodeCreateZone(contentType: string | undefined, body: string, now: Date): Decoded<CreateZoneRequest> {
  return decode(contentType, body, (v) => {
    const o = obj(v, '');
    const updateKeyName = opt(o, 'updateKeyName', '', str);
    return {
      zoneName: str(required(o, 'zoneName', ''), 'zoneName: '),
      zoneType: str(required(o, 'zoneType', ''), 'zoneType: '),
      zoneConfig: zoneConfig(required(o, 'zoneConfig', ''), 'zoneConfig: ', now),
      ...(updateKeyName === undefined ? {} : { updateKeyName }),
    };
  });
}

/** Decodes a modify-zone body. */
export function decodeModifyZone(contentType: string | undefined, body: string): Decoded<ModifyZoneRequest> {
  return decode(contentType, body, (v) => {
    const o = obj(v, '');
    const alsoNotify = opt(o, 'alsoNotify', '', strings);
    const allowTransfer = opt(o, 'allowTransfer', '', strings);
    const allowUpdate = opt(o, 'allowUpdate', '', strings);
    return {
      ...(alsoNotify === undefined ? {} : { alsoNotify }),
      ...(allowTransfer === undefined ? {} : { allowTransfer }),
      ...(allowUpdate === undefined ? {} : { allowUpdate }),
    };
  });
}

/** Decodes an add-record body. */
export function decodeAddRecord(contentType: string | undefined, body: string): Decoded<AddRecordRequest> {
  return decode(contentType, body, (v) => {
    const o = obj(v, '');
    const priority = opt(o, 'priority', '', (x, p) => uint(x, p, 16));
    return {
      name: str(required(o, 'name', ''), 'name: '),
      type: str(required(o, 'type', ''), 'type: '),
      value: str(required(o, 'value', ''), 'value: '),
      ttl: opt(o, 'ttl', '', (x, p) => uint(x, p, 32)) ?? 3600,
      ...(priority === undefined ? {} : { priority }),
    };
  });
}

/** Decodes a remove-record body. */
export function decodeRemoveRecord(contentType: string | undefined, body: string): Decoded<RemoveRecordRequest> {
  return decode(contentType, body, (v) => {
    const o = obj(v, '');
    const value = opt(o, 'value', '', str);
    return {
      name: str(required(o, 'name', ''), 'name: '),
      type: str(required(o, 'type', ''), 'type: '),
      ...(value === undefined ? {} : { value }),
    };
  });
}

/** Decodes an update-record body. */
export function decodeUpdateRecord(contentType: string | undefined, body: string): Decoded<UpdateRecordRequest> {
  return decode(contentType, body, (v) => {
    const o = obj(v, '');
    const priority = opt(o, 'priority', '', (x, p) => uint(x, p, 16));
    return {
      name: str(required(o, 'name', ''), 'name: '),
      type: str(required(o, 'type', ''), 'type: '),
      currentValue: str(required(o, 'currentValue', ''), 'currentValue: '),
      newValue: str(required(o, 'newValue', ''), 'newValue: '),
      ttl: opt(o, 'ttl', '', (x, p) => uint(x, p, 32)) ?? 3600,
      ...(priority === undefined ? {} : { priority }),
    };
  });
}
