/**
 * @module The `bind transfer` plan (pure): the zones and ARecords the run creates through the
 * operator (as a burst creates them), then an open-loop schedule of record changes, each with its
 * intended offset, the record it changes, its new address and the address it replaces.
 */
import type { Config } from '../config/index.js';
import { generateCluster } from '../model/fixtures/generate.js';
import type { FixtureOptions } from '../model/fixtures/options.js';
import type { RecordObject } from '../model/fixtures/objects.js';
import { isRecordKind, zoneLabel } from '../model/kinds.js';
import { recordObjectFqdn } from '../observe/dns-expectation.js';
import type { KubeObject } from '../observe/kube-client.js';
import { burstStream } from './burst-plan.js';
import { fixtureOptionsFromConfig } from './fixture-options.js';
import { dnsProbePlan, describeDnsProbe } from './dns-probe-plan.js';
import type { PlanInput, ScenarioPlan } from './scenario.js';

/** One ARecord the changes act on. */
export interface TransferRecord {
  /** metadata.name. */
  name: string;
  fqdn: string;
  /** The zone it belongs to (its SOA serial is followed on every server). */
  zone: string;
  /** Its addresses as created. */
  initial: readonly string[];
}

/** One change: record `record` gets `ip` instead of `previous`, due `offsetMs` after the change phase starts. */
export interface TransferChange {
  index: number;
  record: number;
  offsetMs: number;
  ip: string;
  previous: readonly string[];
}

/** What only the bind transfer drive reads. */
export interface BindTransferPlanData {
  records: readonly TransferRecord[];
  /** Zone names, in creation order. */
  zones: readonly string[];
  changes: readonly TransferChange[];
  rate: number;
  durationMs: number;
  changeTimeoutMs: number;
}

/** The fixture options of the zones and ARecords `bind transfer` creates. */
export function transferFixtureOptions(config: Readonly<Config>, runId: string): FixtureOptions {
  const t = config.scenarios.transfer;
  return fixtureOptionsFromConfig(config, { runId, zones: t.zones, recordsPerZone: Math.ceil(t.records / t.zones), kinds: { ARecord: 1 } });
}

/**
 * The address of the `k`-th change of record `r`: in 100.64.0.0/10 (shared address space), which
 * the fixtures never use (documentation ranges), and different from the change before it (k mod 64
 * differs), so every change is a change and its answer cannot be mistaken for an older one.
 */
export function changedIp(k: number, r: number): string {
  return `100.${64 + (k % 64)}.${(r >> 8) & 255}.${r & 255}`;
}

/**
 * The change schedule: `floor(rate × duration)` changes, change n due at n/rate s (open loop: the
 * offsets never depend on answers), round-robin over the records, each replacing what the change
 * before it on that record (or the creation) published.
 */
export function transferChanges(records: readonly TransferRecord[], rate: number, durationMs: number): TransferChange[] {
  const n = records.length === 0 ? 0 : Math.floor((rate * durationMs) / 1000);
  const last = records.map((r) => r.initial);
  const out: TransferChange[] = [];
  for (let i = 0; i < n; i++) {
    const record = i % records.length;
    const ip = changedIp(Math.floor(i / records.length), record);
    out.push({ index: i, record, offsetMs: (i * 1000) / rate, ip, previous: last[record] ?? [] });
    last[record] = [ip];
  }
  return out;
}

function isARecord(o: KubeObject): o is RecordObject {
  return isRecordKind(o.kind) && o.kind === 'ARecord';
}

/** The ARecords of the population, in creation order. */
export function transferRecords(o: FixtureOptions, records: number): TransferRecord[] {
  const out: TransferRecord[] = [];
  for (const obj of burstStream(o, records, false)) {
    if (!isARecord(obj)) continue;
    const spec = obj.spec as { ipv4Addresses?: string[] };
    out.push({ name: obj.metadata.name, fqdn: recordObjectFqdn(obj), zone: obj.metadata.labels[zoneLabel] ?? '', initial: [...(spec.ipv4Addresses ?? [])] });
  }
  return out;
}

/** The bind transfer plan. */
export function planBindTransfer(input: PlanInput): ScenarioPlan<BindTransferPlanData> {
  const { config, runId } = input;
  const t = config.scenarios.transfer;
  const o = transferFixtureOptions(config, runId);
  const cluster = generateCluster(o);
  const records = transferRecords(o, t.records);
  const zones = [...new Set(records.map((r) => r.zone))];
  const changes = transferChanges(records, t.rate, t.duration);
  const dnsProbe = dnsProbePlan(config, 'on');
  const burst = config.scenarios.burst;
  const describe = [
    `1. namespace ${config.namespace} and Bind9Cluster ${cluster.metadata.name} (its secondaries: the target's; the sandbox runs sandbox.secondaries ≥ 1 for this scenario): as for burst (not measured)`,
    `2. ${t.zones} DNSZones and ${t.records} ARecords created through the operator, ${burst.concurrency} in flight; wait up to ${Math.round(t.timeout / 1000)} s for every one to be Ready and answered by every server, primary and secondaries (${describeDnsProbe(dnsProbe)})`,
    `3. ${changes.length} record changes through the operator (merge patch of spec.ipv4Addresses; the operator writes the primary only, by RFC 2136 UPDATE; secondaries learn it by NOTIFY + IXFR), ${t.rate}/s for ${Math.round(t.duration / 1000)} s, open loop, round-robin over the records`,
    `4. each change timed from its intended start until the primary, and each secondary, answers the new address (DNS probes every 10 ms for 3 s, then doubling to 200 ms); a change a server has not answered ${Math.round(t.changeTimeout / 1000)} s after its intended start counts as never seen there`,
    '5. meanwhile every zone\'s SOA serial on every server twice a second (serial lag), and BIND9\'s statistics channel before and after (transfers served, AXFR vs IXFR, failures)',
    `6. cleanup: delete everything labelled loadtest.bindy.firestoned.io/run-id=${runId} (unless --keep); the operator deletes each zone from the primary and every secondary`,
  ];
  return {
    scenario: 'bind-transfer',
    runId,
    namespace: config.namespace,
    setup: { namespace: config.namespace, cluster },
    kinds: ['DNSZone', 'ARecord'],
    total: t.zones + t.records,
    describe,
    objects: () => burstStream(o, t.records, false),
    engine: { concurrency: burst.concurrency, ...(burst.qps === undefined ? {} : { qps: burst.qps }), timeoutMs: t.timeout },
    data: { records, zones, changes, rate: t.rate, durationMs: t.duration, changeTimeoutMs: t.changeTimeout },
    dnsProbe,
  };
}
