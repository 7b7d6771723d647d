/**
 * @module The desired-vs-served audit, judged (pure: no sockets). Given the record CRs that should
 * exist, the ones that were deleted, and what each DNS server answered (per name and type, plus an
 * AXFR of every zone the run owns), it says per CR and server `match`, `missing`, `wrong`, `stale`,
 * and per RRset with no CR behind it `orphaned`. A server that did not answer (timeout, SERVFAIL,
 * REFUSED…) is `unanswered`, never `missing`: a chaos experiment must not read a dead server as
 * lost data. The steady-state check of chaos experiments.
 */
import { answerMatches, canonicalName, expectedDataOf, recordObjectFqdn } from '../observe/dns-expectation.js';
import type { ExpectedData, ObservedAnswer, ProbeRrType } from '../observe/dns-expectation.js';
import type { DnsZoneObject, RecordObject } from '../model/fixtures/objects.js';
import { zoneLabel } from '../model/kinds.js';
import type { RecordKind } from '../model/kinds.js';

/** One record CR as the audit needs it: who it is, where it is served, and what it should hold. */
export interface AuditRecord {
  kind: RecordKind;
  namespace: string;
  name: string;
  zoneName: string;
  /** The owner name asked for (canonical: lower case, no trailing dot). */
  fqdn: string;
  /** The desired data (for a deleted record: its last desired data). */
  expected: ExpectedData;
}

/** A zone the run owns: its names are AXFR'd for orphans. */
export interface AuditZone {
  zoneName: string;
  /** Name-server host names of the zone (NS targets): their A/AAAA are glue, not orphans. */
  nameServers?: readonly string[];
}

/** What should be served: the live CRs, the deleted ones (with their last data) and the run's zones. */
export interface AuditInput {
  desired: readonly AuditRecord[];
  deleted: readonly AuditRecord[];
  zones: readonly AuditZone[];
}

/** One server's answer to one (fqdn, rrType) question; `answer` null when none came (timeout, socket error). */
export interface ServedObservation {
  server: string;
  fqdn: string;
  rrType: ProbeRrType;
  answer: ObservedAnswer | null;
  /** Why there is no answer, for reports. */
  error?: string;
}

/** One RRset of an AXFR: owner, type and the RRs' canonical data (as `canonicalRdata`, else raw text). */
export interface AxfrRrset {
  fqdn: string;
  rrType: string;
  rdata: readonly string[];
}

/** What one server's AXFR of one zone gave: the RRsets, or why it failed (refused, timeout…). */
export type AxfrObservation =
  | { server: string; zoneName: string; rrsets: readonly AxfrRrset[] }
  | { server: string; zoneName: string; error: string };

/** What the audit says about one CR (or one orphan RRset, or one failed AXFR) on one server. */
export type ServedVerdict = 'match' | 'missing' | 'wrong' | 'stale' | 'orphaned' | 'unanswered';

/** Verdict counts of one server: CRs for match…stale (a deleted CR gone counts as match), RRsets for orphaned, CRs plus failed AXFRs for unanswered. */
export type AuditCounts = Record<ServedVerdict, number>;

/** One finding that is not a match. `kind`/`namespace`/`name` are null for an orphan (no CR behind it). */
export interface AuditMismatch {
  kind: RecordKind | 'DNSZone' | null;
  namespace: string | null;
  name: string | null;
  fqdn: string;
  /** The DNS type; `AXFR` for a zone transfer that failed. */
  rrType: string;
  verdict: Exclude<ServedVerdict, 'match'>;
  /** The desired state in presentation form (`(gone)` for a deleted CR, `(no record)` for an orphan). */
  expected: string;
  /** What the server served (answer text, or the error). */
  served: string;
}

/** The audit of one server. */
export interface ServerAudit {
  server: string;
  counts: AuditCounts;
  /** Every finding that is not a match, in input order; at most `maxMismatches` (see `mismatchesTotal`). */
  mismatches: AuditMismatch[];
  mismatchesTotal: number;
}

/** The whole audit: one entry per server; `clean` when every count but `match` is 0 on every server. */
export interface AuditReport {
  byServer: ServerAudit[];
  clean: boolean;
}

/** Options of {@link classifyAudit}. */
export interface ClassifyOptions {
  /** Servers in report order (default: in order of first appearance in the observations). */
  servers?: readonly string[];
  /** Mismatches listed per server (default 50); the counts always cover all. */
  maxMismatches?: number;
}

/** DNSSEC records named adds itself when it signs a zone (65534: its private signing state): never a CR's, never an orphan. */
const serverMadeTypes = new Set(['RRSIG', 'NSEC', 'NSEC3', 'NSEC3PARAM', 'DNSKEY', 'CDS', 'CDNSKEY', 'UNKNOWN_65534']);

/** The key of one question. */
export function questionKey(fqdn: string, rrType: string): string {
  return `${canonicalName(fqdn)} ${rrType.toUpperCase()}`;
}

/** An {@link AuditRecord} from a record object (its zone from the zone label, as bindy selects it). */
export function auditRecordOf(r: RecordObject): AuditRecord {
  const fqdn = recordObjectFqdn(r);
  const zoneName = canonicalName(r.metadata.labels[zoneLabel] ?? '');
  return { kind: r.kind, namespace: r.metadata.namespace, name: r.metadata.name, zoneName, fqdn, expected: expectedDataOf(r) };
}

/** An {@link AuditZone} from a DNSZone object: its nameServers and SOA primary are NS targets (glue). */
export function auditZoneOf(z: DnsZoneObject): AuditZone {
  const hosts = [...z.spec.nameServers.map((n) => n.hostname), z.spec.soaRecord.primaryNs];
  return { zoneName: canonicalName(z.spec.zoneName), nameServers: [...new Set(hosts.map(canonicalName))] };
}

/** The distinct questions an audit asks every server: the desired ones, then the deleted ones. */
export function auditQuestions(input: Pick<AuditInput, 'desired' | 'deleted'>): { fqdn: string; rrType: ProbeRrType }[] {
  const seen = new Map<string, { fqdn: string; rrType: ProbeRrType }>();
  for (const r of [...input.desired, ...input.deleted]) {
    const k = questionKey(r.fqdn, r.expected.rrType);
    if (!seen.has(k)) seen.set(k, { fqdn: canonicalName(r.fqdn), rrType: r.expected.rrType });
  }
  return [...seen.values()];
}

/**
 * The desired RRset of several CRs at one name and type: bindy adds each CR's RRs to the same RRset,
 * so it is their union, shape by shape (a TXT shape index past a record's shapes takes its last).
 */
function unionExpected(records: readonly AuditRecord[]): ExpectedData {
  const first = records[0];
  if (first === undefined) throw new RangeError('no records to unite');
  if (records.length === 1) return first.expected;
  const n = Math.max(...records.map((r) => r.expected.shapes.length));
  const shapes: string[][] = [];
  for (let i = 0; i < n; i++) {
    const set = new Set<string>();
    for (const r of records) for (const rr of r.expected.shapes[Math.min(i, r.expected.shapes.length - 1)] ?? []) set.add(rr);
    shapes.push([...set].sort());
  }
  return { rrType: first.expected.rrType, shapes, text: records.map((r) => r.expected.text).join('; ') };
}

/** Every RR text of every accepted shape. */
function allRrs(e: ExpectedData): Set<string> {
  return new Set(e.shapes.flat());
}

function emptyCounts(): AuditCounts {
  return { match: 0, missing: 0, wrong: 0, stale: 0, orphaned: 0, unanswered: 0 };
}

/** An answer is usable when it is NOERROR or NXDOMAIN; anything else says the server could not tell. */
function unanswered(o: ServedObservation | undefined): string | null {
  if (o === undefined) return 'not asked';
  if (o.answer === null) return o.error ?? 'no answer';
  if (o.answer.rcode !== 0 && o.answer.rcode !== 3) return o.answer.text;
  return null;
}

/** Judges a desired CR group's answer: `match` exactly the RRset; `missing` NXDOMAIN/NODATA; `wrong` other data. */
function desiredVerdict(expected: ExpectedData, a: ObservedAnswer): 'match' | 'missing' | 'wrong' {
  if (answerMatches(expected, a)) return 'match';
  if (a.rcode === 3 || (a.rrs.length === 0 && a.other.length === 0)) return 'missing';
  return 'wrong';
}

/** Types at the zone apex that belong to the zone itself, not to a CR. */
function isZoneOwn(zone: AuditZone, glue: ReadonlySet<string>, rrset: AxfrRrset): boolean {
  const owner = canonicalName(rrset.fqdn);
  const type = rrset.rrType.toUpperCase();
  if (serverMadeTypes.has(type)) return true;
  if (owner === canonicalName(zone.zoneName) && (type === 'SOA' || type === 'NS')) return true;
  return (type === 'A' || type === 'AAAA') && glue.has(owner);
}

/**
 * Classifies every CR on every server from the answers and finds orphans in the AXFRs. Per server:
 * each desired CR is judged by its (fqdn, type) RRset (several CRs there share the union); each
 * deleted CR is `stale` while any of its RRs not also desired there is still served, else `match`
 * (gone, as desired); each AXFR'd RRset in a zone of `input.zones` that no desired CR names, and
 * that is not the zone's SOA/NS, glue of its name servers or DNSSEC data, is `orphaned` (at a
 * deleted CR's name and type only for the RRs that CR never held).
 */
export function classifyAudit(
  input: AuditInput,
  observations: readonly ServedObservation[],
  axfr: readonly AxfrObservation[],
  options: ClassifyOptions = {},
): AuditReport {
  const max = options.maxMismatches ?? 50;
  const servers = [...(options.servers ?? [])];
  for (const o of [...observations, ...axfr]) if (!servers.includes(o.server)) servers.push(o.server);

  const groups = new Map<string, AuditRecord[]>();
  for (const r of input.desired) {
    const k = questionKey(r.fqdn, r.expected.rrType);
    const g = groups.get(k);
    if (g === undefined) groups.set(k, [r]);
    else g.push(r);
  }
  const expectedByKey = new Map([...groups].map(([k, rs]) => [k, unionExpected(rs)]));
  // RRs deleted CRs held, per question: served again they are those CRs' staleness, not orphans.
  const deletedRrs = new Map<string, Set<string>>();
  for (const r of input.deleted) {
    const k = questionKey(r.fqdn, r.expected.rrType);
    const set = deletedRrs.get(k) ?? new Set<string>();
    for (const rr of allRrs(r.expected)) set.add(rr);
    deletedRrs.set(k, set);
  }

  const seen = new Map<string, ServedObservation>();
  for (const o of observations) seen.set(`${o.server}\n${questionKey(o.fqdn, o.rrType)}`, o);

  const byServer = servers.map((server): ServerAudit => {
    const counts = emptyCounts();
    const mismatches: AuditMismatch[] = [];
    let total = 0;
    const note = (m: AuditMismatch): void => {
      counts[m.verdict]++;
      total++;
      if (mismatches.length < max) mismatches.push(m);
    };
    const cr = (r: AuditRecord) => ({ kind: r.kind, namespace: r.namespace, name: r.name, fqdn: canonicalName(r.fqdn), rrType: r.expected.rrType });

    for (const r of input.desired) {
      const k = questionKey(r.fqdn, r.expected.rrType);
      const expected = expectedByKey.get(k) ?? r.expected;
      const o = seen.get(`${server}\n${k}`);
      const why = unanswered(o);
      if (why !== null || o === undefined || o.answer === null) {
        note({ ...cr(r), verdict: 'unanswered', expected: expected.text, served: why ?? 'no answer' });
        continue;
      }
      const v = desiredVerdict(expected, o.answer);
      if (v === 'match') counts.match++;
      else note({ ...cr(r), verdict: v, expected: expected.text, served: o.answer.text });
    }

    for (const r of input.deleted) {
      const k = questionKey(r.fqdn, r.expected.rrType);
      const o = seen.get(`${server}\n${k}`);
      const why = unanswered(o);
      if (why !== null || o === undefined || o.answer === null) {
        note({ ...cr(r), verdict: 'unanswered', expected: '(gone)', served: why ?? 'no answer' });
        continue;
      }
      // Data a live CR at the same name also holds is not the deleted CR's leftover.
      const stillDesired = expectedByKey.get(k);
      const live = stillDesired === undefined ? new Set<string>() : allRrs(stillDesired);
      const leftover = [...allRrs(r.expected)].filter((rr) => !live.has(rr));
      if (o.answer.rrs.some((rr) => leftover.includes(rr))) note({ ...cr(r), verdict: 'stale', expected: '(gone)', served: o.answer.text });
      else counts.match++;
    }

    for (const zone of input.zones) {
      const x = axfr.find((a) => a.server === server && canonicalName(a.zoneName) === canonicalName(zone.zoneName));
      const zoneFqdn = canonicalName(zone.zoneName);
      if (x === undefined || 'error' in x) {
        note({ kind: 'DNSZone', namespace: null, name: null, fqdn: zoneFqdn, rrType: 'AXFR', verdict: 'unanswered', expected: '(zone transfer)', served: x === undefined ? 'not asked' : x.error });
        continue;
      }
      const glue = new Set((zone.nameServers ?? []).map(canonicalName));
      for (const rrset of x.rrsets) {
        const k = questionKey(rrset.fqdn, rrset.rrType);
        // Data beside a live CR's is that CR's `wrong`; beside a deleted CR's, only what it never held is orphaned.
        if (isZoneOwn(zone, glue, rrset) || groups.has(k)) continue;
        const held = deletedRrs.get(k);
        const rdata = held === undefined ? rrset.rdata : rrset.rdata.filter((rr) => !held.has(rr));
        if (rdata.length === 0) continue;
        note({
          kind: null,
          namespace: null,
          name: null,
          fqdn: canonicalName(rrset.fqdn),
          rrType: rrset.rrType.toUpperCase(),
          verdict: 'orphaned',
          expected: '(no record)',
          served: `${rrset.rrType.toUpperCase()} ${rdata.join(', ')}`,
        });
      }
    }
    return { server, counts, mismatches, mismatchesTotal: total };
  });

  const clean = byServer.every((s) => s.mismatchesTotal === 0);
  return { byServer, clean };
}
