/**
 * @module The `bind transfer` figures (pure): from each change's intended start and the first
 * matching answer of every server, the propagation histograms and the counts of changes a server
 * never answered; the serial lag from SOA samples; the transfer counters from BIND9's statistics
 * channel (JSON, before and after).
 */
import { createLatencyHistogram, type QuantityHistogram } from '../measure/index.js';

/** What the probes saw of one change, ms on the run's monotonic clock (null: never answered). */
export interface ChangeObservation {
  index: number;
  record: number;
  intendedMs: number;
  /** First answer with the new address, per server, in the target's server order. */
  matchedMs: readonly (number | null)[];
}

/** The servers, in the observations' order, with their roles. */
export interface RoleOfServer {
  name: string;
  role: 'primary' | 'secondary';
}

/** What the change phase measured. */
export interface ChangeFigures {
  changeToPrimary: QuantityHistogram;
  changeToSecondary: QuantityHistogram;
  primaryToSecondary: QuantityHistogram;
  /** Per server: answered, never answered, superseded (a later change to the same record was answered there first). */
  perServer: { name: string; role: 'primary' | 'secondary'; answered: number; never: number; superseded: number }[];
  /** Secondary answers before the primary's (probe quantisation): counted, not in `primaryToSecondary`. */
  secondaryFirst: number;
}

/**
 * The change figures. A change a server did not answer is `superseded` there when a later change
 * of the same record was answered on that server (its probes then saw the newer address: the
 * server moved past it, no loss), and `never` otherwise. `primary_to_secondary` = the secondary's
 * first matching answer minus the primary's, for every change both answered; negative ones (the
 * probes of the two servers are not simultaneous) are counted apart, never clamped.
 */
export function changeFigures(observations: readonly ChangeObservation[], servers: readonly RoleOfServer[]): ChangeFigures {
  const changeToPrimary = createLatencyHistogram();
  const changeToSecondary = createLatencyHistogram();
  const primaryToSecondary = createLatencyHistogram();
  const perServer = servers.map((s) => ({ name: s.name, role: s.role, answered: 0, never: 0, superseded: 0 }));
  const primary = servers.findIndex((s) => s.role === 'primary');
  let secondaryFirst = 0;
  // Per record and server: the latest change index answered there.
  const latestAnswered = new Map<string, number>();
  for (const o of observations) {
    o.matchedMs.forEach((m, s) => {
      if (m === null) return;
      const key = `${o.record}/${s}`;
      latestAnswered.set(key, Math.max(latestAnswered.get(key) ?? -1, o.index));
    });
  }
  for (const o of observations) {
    const p = primary < 0 ? null : (o.matchedMs[primary] ?? null);
    o.matchedMs.forEach((m, s) => {
      const server = perServer[s];
      if (server === undefined) return;
      if (m === null) {
        if ((latestAnswered.get(`${o.record}/${s}`) ?? -1) > o.index) server.superseded++;
        else server.never++;
        return;
      }
      server.answered++;
      const us = (m - o.intendedMs) * 1000;
      if (server.role === 'primary') changeToPrimary.record(us);
      else {
        changeToSecondary.record(us);
        if (p !== null) {
          if (m >= p) primaryToSecondary.record((m - p) * 1000);
          else secondaryFirst++;
        }
      }
    });
  }
  return { changeToPrimary, changeToSecondary, primaryToSecondary, perServer, secondaryFirst };
}

/** One SOA sample: when, and each zone's serial per server (null: no answer, or no SOA). */
export interface SerialSample {
  atMs: number;
  /** zone → serial per server, in the servers' order. */
  serials: ReadonlyMap<string, readonly (number | null)[]>;
}

/** RFC 1982 serial difference `a − b` (32-bit serial arithmetic), as a signed number. */
export function serialDifference(a: number, b: number): number {
  const d = (a - b) >>> 0;
  return d >= 0x80000000 ? d - 0x100000000 : d;
}

/**
 * The serial lag of each sample: the most any secondary's serial of any zone was behind the
 * primary's (RFC 1982 arithmetic; a server that did not answer is left out of that sample), and
 * how many samples had one behind at all.
 */
export function serialLag(samples: readonly SerialSample[], servers: readonly RoleOfServer[]): { points: { t: number; value: number }[]; max: number; lagging: number } {
  const primary = servers.findIndex((s) => s.role === 'primary');
  const points: { t: number; value: number }[] = [];
  let max = 0;
  let lagging = 0;
  for (const sample of samples) {
    let worst = 0;
    for (const serials of sample.serials.values()) {
      const p = serials[primary] ?? null;
      if (p === null) continue;
      serials.forEach((v, s) => {
        if (s === primary || v === null || servers[s]?.role !== 'secondary') return;
        worst = Math.max(worst, serialDifference(p, v));
      });
    }
    points.push({ t: sample.atMs, value: worst });
    max = Math.max(max, worst);
    if (worst > 0) lagging++;
  }
  return { points, max, lagging };
}

/** The transfer counters BIND9 9.18's statistics channel keeps (JSON, `/json/v1/server` and `/json/v1/zones`). */
export interface TransferStats {
  /** As a secondary (server-wide `zonestats`): AXFR and IXFR requests it sent, transfers in that succeeded and failed, NOTIFYs received. */
  axfrRequested: number;
  ixfrRequested: number;
  xfrSuccess: number;
  xfrFail: number;
  notifyIn: number;
  /** As a primary: NOTIFYs sent (`zonestats`), transfers served of the given zones (their `XfrReqDone`), requests refused (`nsstats` `XfrRej`). */
  notifyOut: number;
  transfersServed: number;
  transfersRejected: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function numberAt(o: unknown, key: string): number {
  const v = isObject(o) ? o[key] : undefined;
  return typeof v === 'number' ? v : 0;
}

/**
 * The transfer counters from BIND9's JSON statistics: `server` is `/json/v1/server` (its
 * `zonestats` are server-wide: the sandbox's servers hold the run's zones only), `zones` is
 * `/json/v1/zones` (with `zone-statistics yes`, each zone's `rcodes` has `XfrReqDone`).
 */
export function transferStatsOf(server: unknown, zones: unknown, zoneNames: ReadonlySet<string>): TransferStats {
  const zs = isObject(server) ? server['zonestats'] : undefined;
  const ns = isObject(server) ? server['nsstats'] : undefined;
  const two = (k: string): number => numberAt(zs, `${k}v4`) + numberAt(zs, `${k}v6`);
  let transfersServed = 0;
  const views = isObject(zones) && isObject(zones['views']) ? Object.values(zones['views']) : [];
  for (const view of views) {
    const list = isObject(view) && Array.isArray(view['zones']) ? view['zones'] : [];
    for (const z of list) {
      if (!isObject(z) || typeof z['name'] !== 'string' || !zoneNames.has(z['name'])) continue;
      transfersServed += numberAt(z['rcodes'], 'XfrReqDone');
    }
  }
  return {
    axfrRequested: two('AXFRReq'),
    ixfrRequested: two('IXFRReq'),
    xfrSuccess: numberAt(zs, 'XfrSuccess'),
    xfrFail: numberAt(zs, 'XfrFail'),
    notifyIn: two('NotifyIn'),
    notifyOut: two('NotifyOut'),
    transfersServed,
    transfersRejected: numberAt(ns, 'XfrRej'),
  };
}

/** `after − before`, field by field (a restarted server's counters start again: a negative delta is kept as it is). */
export function statsDelta(before: TransferStats, after: TransferStats): TransferStats {
  const out = { ...after };
  for (const k of Object.keys(out) as (keyof TransferStats)[]) out[k] = after[k] - before[k];
  return out;
}
