/** @module bindcar's route handlers over an rndc/nsupdate backend: zone files, addzone, records, status. */
import { readdir, rm, stat, writeFile } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import { join } from 'node:path';
import { Bind9CommandError } from '../bind9/command-error.js';
import type { Rndc } from '../bind9/rndc.js';
import type { Nsupdate } from '../bind9/nsupdate.js';
import { ApiError } from './api-error.js';
import {
  decodeAddRecord,
  decodeCreateZone,
  decodeModifyZone,
  decodeRemoveRecord,
  decodeUpdateRecord,
  type Decoded,
} from './bodies.js';
import {
  normalizeRecordName,
  parseShowzone,
  recordTypeError,
  recordValueError,
  renderAddzoneBlock,
  renderModzoneBlock,
  renderZoneFile,
} from './zone-text.js';
import { resultLabel, type SidecarMetrics } from './metrics.js';
import { bindcarRules, type BindcarRules } from './release-line.js';
import type { RouteId } from './routes.js';

/** The rndc commands the handlers use (a real Rndc, or a fake in unit tests). */
export type RndcLike = Pick<
  Rndc,
  'status' | 'addzone' | 'delzone' | 'modzone' | 'showzone' | 'zonestatus' | 'notify' | 'reload' | 'freeze' | 'thaw' | 'retransfer'
>;
/** The nsupdate call the record handlers use. */
export type NsupdateLike = Pick<Nsupdate, 'send'>;

/** What the handlers act on. */
export interface Backend {
  /** named's directory, where `<zone>.zone` files are written (bindcar's BIND_ZONE_DIR). */
  readonly zoneDir: string;
  readonly rndc: RndcLike;
  readonly nsupdate: NsupdateLike;
}

/** A parsed request as the handlers see it. */
export interface HandlerInput {
  readonly zone: string | undefined;
  readonly contentType: string | undefined;
  readonly body: string;
  readonly now: Date;
}

/** A handler's successful answer. */
export interface HandlerOutput {
  readonly status: number;
  /** Serialised as JSON, or sent as is when a string with `text`. */
  readonly json?: unknown;
  readonly text?: string;
  readonly contentType?: string;
}

/** Plain-text rejection of axum's Json extractor, or the decoded value. */
class Rejection extends Error {
  constructor(
    readonly status: number,
    readonly text: string,
  ) {
    super(text);
  }
}

function body<T>(decoded: Decoded<T>): T {
  if (!decoded.ok) throw new Rejection(decoded.status, decoded.text);
  return decoded.value;
}

// Our deliberate difference: bindcar writes `<zoneName>.zone` unchecked; a name like `../x` would
// write outside the zone directory, so the twin accepts only DNS names.
const zoneNamePattern = /^(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

function rndcText(error: unknown): string {
  if (error instanceof Bind9CommandError) return `RNDC command '${error.command}' failed: ${error.detail}`;
  return error instanceof Error ? error.message : String(error);
}

function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Creates the handlers over `backend`, counting zone operations in `metrics`. */
export function createHandlers(backend: Backend, metrics: SidecarMetrics, rules: BindcarRules = bindcarRules['0.7']): Record<RouteId, (input: HandlerInput) => Promise<HandlerOutput>> {
  const { zoneDir, rndc, nsupdate } = backend;
  const op = (operation: string, ok: boolean): void => {
    metrics.zoneOperations.labels(operation, resultLabel(ok)).inc();
  };
  const zoneOf = (input: HandlerInput): string => {
    const zone = input.zone ?? '';
    if (!zoneNamePattern.test(zone)) throw new ApiError('invalidRequest', `invalid zone name: ${zone}`);
    return zone;
  };
  const zoneFile = (zone: string): string => join(zoneDir, `${zone}.zone`);

  /** reload/freeze/thaw/notify/retransfer: one rndc command, 200 or 500. */
  const simple =
    (operation: 'reload' | 'freeze' | 'thaw' | 'notify' | 'retransfer', message: (zone: string) => string) =>
    async (input: HandlerInput): Promise<HandlerOutput> => {
      const zone = zoneOf(input);
      let output: string;
      try {
        output = await rndc[operation](zone);
      } catch (error) {
        op(operation, false);
        if (rules.missingZone404 && rndcText(error).includes('not found')) throw new ApiError('zoneNotFound', zone);
        throw new ApiError('rndc', rndcText(error));
      }
      op(operation, true);
      return { status: 200, json: { success: true, message: message(zone), details: output } };
    };

  async function validateZoneForUpdates(zone: string): Promise<void> {
    let shown: string;
    try {
      shown = await rndc.showzone(zone);
    } catch (error) {
      if (rndcText(error).includes('not found')) throw new ApiError('zoneNotFound', zone);
      throw new ApiError('rndc', rndcText(error));
    }
    const parsed = parseShowzone(shown);
    if (parsed.type !== 'primary') {
      throw new ApiError('dynamicUpdatesNotEnabled', `Zone ${zone} is ${parsed.type} type. Dynamic updates only supported on primary zones`);
    }
    if (!parsed.allowUpdate) {
      throw new ApiError(
        'dynamicUpdatesNotEnabled',
        `Zone ${zone} does not have allow-update configured. Create zone with updateKeyName or modify zone to enable dynamic updates`,
      );
    }
  }

  function checkRecord(type: string, ...values: string[]): void {
    const typeError = recordTypeError(type);
    if (typeError !== undefined) throw new ApiError('invalidRecord', typeError);
    for (const value of values) {
      const valueError = recordValueError(type, value, isIPv6);
      if (valueError !== undefined) throw new ApiError('invalidRecord', valueError);
    }
  }

  async function nsupdateSend(operation: 'add' | 'remove' | 'update', zone: string, ops: Parameters<NsupdateLike['send']>[1]): Promise<void> {
    try {
      await nsupdate.send(zone, ops);
    } catch (error) {
      op(`record_${operation}`, false);
      const detail = error instanceof Bind9CommandError ? `nsupdate failed: ${error.detail}` : rndcText(error);
      throw new ApiError('nsupdate', `Failed to ${operation} record: ${detail}`);
    }
    op(`record_${operation}`, true);
  }

  const withPriority = (type: string, value: string, priority: number | undefined): string =>
    priority !== undefined && ['MX', 'SRV'].includes(type.toUpperCase()) ? `${priority} ${value}` : value;

  return {
    health: () => Promise.resolve({ status: 200, json: { status: 'healthy', version: rules.release } }),

    ready: async () => {
      const checks: string[] = [];
      let ready = true;
      try {
        const s = await stat(zoneDir);
        if (s.isDirectory()) checks.push(`zone_dir_accessible: ${zoneDir}`);
        else {
          ready = false;
          checks.push(`zone_dir_not_directory: ${zoneDir}`);
        }
      } catch (error) {
        ready = false;
        checks.push(`zone_dir_error: ${error instanceof Error ? error.message : String(error)}`);
      }
      try {
        await rndc.status();
        checks.push('rndc_available: true');
      } catch (error) {
        ready = false;
        checks.push(`rndc_error: ${rndcText(error)}`);
      }
      // bindcar answers 200 either way; the verdict is in `ready`.
      return { status: 200, json: { ready, checks } };
    },

    metrics: async () => ({
      status: 200,
      text: await metrics.registry.metrics(),
      contentType: 'text/plain; version=0.0.4',
    }),

    createZone: async (input) => {
      const request = body(decodeCreateZone(input.contentType, input.body, input.now));
      if (request.zoneName === '') {
        op('create', false);
        throw new ApiError('invalidRequest', 'Zone name cannot be empty');
      }
      if (request.zoneType !== 'primary' && request.zoneType !== 'secondary') {
        op('create', false);
        throw new ApiError('invalidRequest', `Invalid zone type: ${request.zoneType}. Must be 'primary' or 'secondary'`);
      }
      if (request.zoneType === 'secondary' && (request.zoneConfig.primaries ?? []).length === 0) {
        op('create', false);
        throw new ApiError('invalidRequest', "Secondary zones require at least one primary server in 'primaries' field");
      }
      const zone = zoneOf({ ...input, zone: request.zoneName });
      if (request.zoneType === 'primary') {
        // As bindcar: drop a stale journal, then (over)write the zone file, before addzone decides
        // whether the zone already exists.
        await rm(`${zoneFile(zone)}.jnl`, { force: true });
        try {
          await writeFile(zoneFile(zone), renderZoneFile(request.zoneConfig));
        } catch (error) {
          op('create', false);
          throw new ApiError('zoneFile', `Failed to write zone file: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      let output: string;
      try {
        output = await rndc.addzone(zone, renderAddzoneBlock(request, zoneDir));
      } catch (error) {
        op('create', false);
        const text = rndcText(error);
        if (text.includes('already exists')) throw new ApiError('zoneAlreadyExists', zone);
        throw new ApiError('rndc', text);
      }
      op('create', true);
      return { status: 201, json: { success: true, message: `Zone ${zone} created successfully`, details: output } };
    },

    listZones: async () => {
      let names: string[];
      try {
        names = await readdir(zoneDir);
      } catch (error) {
        throw new ApiError('internal', `Failed to read zone directory: ${error instanceof Error ? error.message : String(error)}`);
      }
      const zones = names.filter((n) => n.endsWith('.zone')).map((n) => n.slice(0, -'.zone'.length)).sort();
      // bindcar sets its gauge only here, so it is stale until someone lists the zones.
      metrics.zonesManaged.set(zones.length);
      return { status: 200, json: { zones, count: zones.length } };
    },

    getZone: async (input) => {
      const zone = zoneOf(input);
      if (!(await exists(zoneFile(zone)))) throw new ApiError('zoneNotFound', zone);
      let status: string;
      try {
        status = await rndc.zonestatus(zone);
      } catch (error) {
        if (rndcText(error).includes('not found')) throw new ApiError('zoneNotFound', zone);
        throw new ApiError('rndc', rndcText(error));
      }
      let zoneType = 'unknown';
      let serial: number | undefined;
      for (const line of status.split('\n')) {
        const t = line.split('type:')[1];
        if (t !== undefined) zoneType = t.trim();
        const s = line.split('serial:')[1];
        if (s !== undefined && /^\s*\d+\s*$/.test(s)) serial = Number(s.trim());
      }
      return {
        status: 200,
        json: { name: zone, zoneType, ...(serial === undefined ? {} : { serial }), filePath: zoneFile(zone) },
      };
    },

    deleteZone: async (input) => {
      const zone = zoneOf(input);
      let output: string;
      try {
        output = await rndc.delzone(zone);
      } catch (error) {
        op('delete', false);
        if (rules.missingZone404 && rndcText(error).includes('not found')) throw new ApiError('zoneNotFound', zone);
        throw new ApiError('rndc', rndcText(error));
      }
      // A leftover file is not an error: the zone is already gone from named.
      await rm(zoneFile(zone), { force: true }).catch(() => undefined);
      await rm(`${zoneFile(zone)}.jnl`, { force: true }).catch(() => undefined);
      op('delete', true);
      return { status: 200, json: { success: true, message: `Zone ${zone} deleted successfully`, details: output } };
    },

    modifyZone: async (input) => {
      const zone = zoneOf(input);
      const request = body(decodeModifyZone(input.contentType, input.body));
      if (request.alsoNotify === undefined && request.allowTransfer === undefined && request.allowUpdate === undefined) {
        op('modify', false);
        throw new ApiError('invalidRequest', 'At least one field (alsoNotify, allowTransfer, or allowUpdate) must be provided');
      }
      let shown: string;
      try {
        shown = await rndc.showzone(zone);
      } catch (error) {
        op('modify', false);
        if (rndcText(error).includes('not found')) throw new ApiError('zoneNotFound', zone);
        throw new ApiError('rndc', rndcText(error));
      }
      for (const [clause, list] of [
        ['also-notify', request.alsoNotify],
        ['allow-transfer', request.allowTransfer],
        ['allow-update', request.allowUpdate],
      ] as const) {
        const bad = (list ?? []).find((ip) => !/^[0-9.]+$|^[0-9a-fA-F:]+$/.test(ip));
        if (bad !== undefined) {
          op('modify', false);
          throw new ApiError('invalidRequest', `Invalid IP address in ${clause}: invalid IP address syntax`);
        }
      }
      let output: string;
      try {
        output = await rndc.modzone(zone, renderModzoneBlock(parseShowzone(shown), request));
      } catch (error) {
        op('modify', false);
        throw new ApiError('rndc', rndcText(error));
      }
      op('modify', true);
      return { status: 200, json: { success: true, message: `Zone ${zone} modified successfully`, details: output } };
    },

    zoneStatus: async (input) => {
      const zone = zoneOf(input);
      let output: string;
      try {
        output = await rndc.zonestatus(zone);
      } catch (error) {
        if (rndcText(error).includes('not found')) throw new ApiError('zoneNotFound', zone);
        throw new ApiError('rndc', rndcText(error));
      }
      return { status: 200, json: { success: true, message: `Zone ${zone} status retrieved`, details: output } };
    },

    reloadZone: simple('reload', (z) => `Zone ${z} reloaded successfully`),
    freezeZone: simple('freeze', (z) => `Zone ${z} frozen successfully`),
    thawZone: simple('thaw', (z) => `Zone ${z} thawed successfully`),
    notifyZone: simple('notify', (z) => `Notify sent for zone ${z}`),
    retransferZone: simple('retransfer', (z) => `Retransfer initiated for zone ${z}`),

    addRecord: async (input) => {
      const zone = zoneOf(input);
      const request = body(decodeAddRecord(input.contentType, input.body));
      await validateZoneForUpdates(zone);
      checkRecord(request.type, request.value);
      const name = normalizeRecordName(request.name, zone);
      const value = withPriority(request.type, request.value, request.priority);
      await nsupdateSend('add', zone, [{ op: 'add', name, ttl: request.ttl, type: request.type, value }]);
      return {
        status: 201,
        json: {
          success: true,
          message: `Record added to zone ${zone}`,
          details: { zone, record: { name: request.name, type: request.type, value: request.value, ttl: request.ttl } },
        },
      };
    },

    removeRecord: async (input) => {
      const zone = zoneOf(input);
      const request = body(decodeRemoveRecord(input.contentType, input.body));
      await validateZoneForUpdates(zone);
      checkRecord(request.type, ...(request.value === undefined ? [] : [request.value]));
      const name = normalizeRecordName(request.name, zone);
      await nsupdateSend('remove', zone, [
        { op: 'delete', name, type: request.type, ...(request.value === undefined ? {} : { value: request.value }) },
      ]);
      return {
        status: 200,
        json: {
          success: true,
          message: `Record removed from zone ${zone}`,
          details: { zone, record: { name: request.name, type: request.type, value: request.value ?? null } },
        },
      };
    },

    updateRecord: async (input) => {
      const zone = zoneOf(input);
      const request = body(decodeUpdateRecord(input.contentType, input.body));
      await validateZoneForUpdates(zone);
      checkRecord(request.type, request.currentValue, request.newValue);
      const name = normalizeRecordName(request.name, zone);
      await nsupdateSend('update', zone, [
        { op: 'delete', name, type: request.type, value: withPriority(request.type, request.currentValue, request.priority) },
        { op: 'add', name, ttl: request.ttl, type: request.type, value: withPriority(request.type, request.newValue, request.priority) },
      ]);
      return {
        status: 200,
        json: {
          success: true,
          message: `Record updated in zone ${zone}`,
          details: {
            zone,
            record: { name: request.name, type: request.type, currentValue: request.currentValue, newValue: request.newValue, ttl: request.ttl },
          },
        },
      };
    },

    serverStatus: async () => {
      try {
        return { status: 200, json: { status: await rndc.status() } };
      } catch (error) {
        throw new ApiError('rndc', rndcText(error));
      }
    },
  };
}

/** True when `error` is a body rejection; used by the pipeline to answer in plain text. */
export function isRejection(error: unknown): error is { status: number; text: string } {
  return error instanceof Rejection;
}
