/**
 * @module The `bind rndc` plan (pure): the zones the run creates through bindcar (named after the
 * run id), and what request n of the open-loop storm is: its command (one bindcar route), its zone,
 * its client and its body. Nothing here depends on answers, except which big zone a reload of
 * write-reload goes to, which the drive settles (the latest one already written).
 */
import { UsageError } from '../errors.js';
import type { RndcMode } from '../config/types.js';
import { formatMix, formatRate, rndcCommands, type RndcCommand, type Weights } from '../config/values.js';
import { generateCluster } from '../model/fixtures/generate.js';
import { fixtureOptionsFromConfig } from './fixture-options.js';
import type { PlanInput, ScenarioPlan } from './scenario.js';

/** A request's command: a mixed-storm command, or write-reload's big zone write. */
export type RndcRequestCommand = RndcCommand | 'zone-create';

/** The route label of each command, as histograms and counters are named (`bindcar_<route>`). */
export const routeOf: Readonly<Record<RndcRequestCommand | 'zone-delete', string>> = {
  status: 'zone_status',
  zone: 'zone_get',
  zones: 'zones_list',
  server: 'server_status',
  reload: 'reload',
  notify: 'notify',
  'record-add': 'record_add',
  'record-remove': 'record_remove',
  'zone-create': 'zone_create',
  'zone-delete': 'zone_delete',
};

/** bindcar's method and path of each command (`{z}` is the zone). */
export const routePath: Readonly<Record<RndcRequestCommand | 'zone-delete', { method: 'GET' | 'POST' | 'DELETE'; path: string }>> = {
  status: { method: 'GET', path: '/api/v1/zones/{z}/status' },
  zone: { method: 'GET', path: '/api/v1/zones/{z}' },
  zones: { method: 'GET', path: '/api/v1/zones' },
  server: { method: 'GET', path: '/api/v1/server/status' },
  reload: { method: 'POST', path: '/api/v1/zones/{z}/reload' },
  notify: { method: 'POST', path: '/api/v1/zones/{z}/notify' },
  'record-add': { method: 'POST', path: '/api/v1/zones/{z}/records' },
  'record-remove': { method: 'DELETE', path: '/api/v1/zones/{z}/records' },
  'zone-create': { method: 'POST', path: '/api/v1/zones' },
  'zone-delete': { method: 'DELETE', path: '/api/v1/zones/{z}' },
};

/** Request n of the storm. */
export interface RndcRequestSpec {
  index: number;
  command: RndcRequestCommand;
  /** The zone it acts on; null for the server-wide routes. write-reload's reloads name the latest big zone due by then (the drive falls back when it is not written yet). */
  zone: string | null;
  /** The client (0-based) that sends it. */
  client: number;
  body?: unknown;
}

/** What only the bind rndc drive reads. */
export interface BindRndcPlanData {
  mode: RndcMode;
  rate: number;
  durationMs: number;
  /** Requests in the schedule: ceil(rate × duration). */
  total: number;
  clients: number;
  maxInFlight: number;
  requestTimeoutMs: number;
  /** Small zones without dynamic updates, created before the storm: reload, notify, status, get (a reload of a dynamic zone is refused by BIND 9). */
  stormZones: readonly string[];
  /** Zones with dynamic updates (the update key), created before the storm when the mix writes records. */
  recordZones: readonly string[];
  /** write-reload: big zones written during the storm, in order. */
  writeZones: readonly string[];
  /** write-reload: records per big zone. */
  records: number;
  /** mixed: one cycle of commands (100 long) in the mix's proportions, interleaved. */
  cycle: readonly RndcCommand[];
  /** write-reload: the request index of each big zone's write. */
  writeAt: readonly number[];
  bindcarUrl?: string;
  tokenFile?: string;
  updateKey?: string;
}

/** Length of the mixed command cycle: each command's share is its weight in per cent. */
export const cycleLength = 100;

/**
 * The mixed storm's command cycle: `cycleLength` commands, each command `round(weight × length)`
 * times (largest remainders fill the rest), interleaved by smooth weighted round robin (nginx's),
 * so every stretch of the storm has the mix's proportions, not one command after another.
 */
export function commandCycle(mix: Weights<RndcCommand>, length = cycleLength): RndcCommand[] {
  const entries = rndcCommands.map((c) => ({ c, w: (mix[c] ?? 0) * length })).filter((e) => e.w > 0);
  const counts = entries.map((e) => ({ c: e.c, n: Math.floor(e.w), rest: e.w - Math.floor(e.w) }));
  let left = length - counts.reduce((a, e) => a + e.n, 0);
  for (const e of [...counts].sort((a, b) => b.rest - a.rest)) {
    if (left <= 0) break;
    e.n++;
    left--;
  }
  const current = new Map(counts.map((e) => [e.c, 0]));
  const out: RndcCommand[] = [];
  for (let i = 0; i < length; i++) {
    let best: (typeof counts)[number] | undefined;
    for (const e of counts) {
      const v = (current.get(e.c) ?? 0) + e.n;
      current.set(e.c, v);
      if (e.n > 0 && (best === undefined || v > (current.get(best.c) ?? 0))) best = e;
    }
    if (best === undefined) break;
    current.set(best.c, (current.get(best.c) ?? 0) - length);
    out.push(best.c);
  }
  return out;
}

/** The indices of write-reload's big writes: write k at floor(k × total / writes), spread evenly over the storm. */
export function writeIndices(total: number, writes: number): number[] {
  const n = Math.min(writes, total);
  return Array.from({ length: n }, (_, k) => Math.floor((k * total) / n));
}

/** An A record's address for record n (10.0.0.0/8: never a fixture's documentation range). */
export function recordIp(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** bindcar's create-zone body: a primary zone, its SOA and one NS (127.0.0.1), `records` A records, with the update key when given. */
export function zoneBody(zone: string, records: number, updateKey?: string): Record<string, unknown> {
  return {
    zoneName: zone,
    zoneType: 'primary',
    zoneConfig: {
      ttl: 300,
      soa: { primaryNs: `ns1.${zone}.`, adminEmail: `admin.${zone}.` },
      nameServers: [`ns1.${zone}.`],
      nameServerIps: { [`ns1.${zone}.`]: '127.0.0.1' },
      records: Array.from({ length: records }, (_, i) => ({ name: `r${i}`, type: 'A', value: recordIp(i), ttl: 300 })),
    },
    ...(updateKey === undefined ? {} : { updateKeyName: updateKey }),
  };
}

/** The last index before `n` whose cycle command is record-add; null when there is none yet. */
function previousAdd(cycle: readonly RndcCommand[], n: number): number | null {
  for (let m = n - 1; m >= 0 && m >= n - cycle.length; m--) if (cycle[m % cycle.length] === 'record-add') return m;
  return null;
}

/** Request `n` of the storm (pure). */
export function requestAt(d: BindRndcPlanData, n: number): RndcRequestSpec {
  const client = n % d.clients;
  const storm = (i: number): string => d.stormZones[i % d.stormZones.length] ?? '';
  if (d.mode === 'reload') return { index: n, command: 'reload', zone: storm(n), client };
  if (d.mode === 'write-reload') {
    let k = -1;
    for (let i = 0; i < d.writeAt.length && (d.writeAt[i] ?? Infinity) <= n; i++) k = i;
    const zone = k >= 0 ? (d.writeZones[k] ?? storm(0)) : storm(0);
    if (k >= 0 && d.writeAt[k] === n) return { index: n, command: 'zone-create', zone, client, body: zoneBody(zone, d.records) };
    return { index: n, command: 'reload', zone, client };
  }
  const command = d.cycle[n % d.cycle.length] ?? 'status';
  const recordZone = (i: number): string => d.recordZones[i % Math.max(1, d.recordZones.length)] ?? '';
  switch (command) {
    case 'zones':
    case 'server':
      return { index: n, command, zone: null, client };
    case 'record-add':
      return { index: n, command, zone: recordZone(n), client, body: { name: `lt-${n}`, type: 'A', value: recordIp(n), ttl: 60 } };
    case 'record-remove': {
      // The record the latest add before it wrote (in the add's zone): a remove of one never added is answered 200 too.
      const m = previousAdd(d.cycle, n);
      return { index: n, command, zone: recordZone(m ?? n), client, body: { name: `lt-${m ?? n}`, type: 'A' } };
    }
    default:
      return { index: n, command, zone: storm(n), client };
  }
}

/** The bind rndc plan. */
export function planBindRndc(input: PlanInput): ScenarioPlan<BindRndcPlanData> {
  const { config, runId } = input;
  const r = config.scenarios.rndc;
  if (!(r.rate > 0)) throw new UsageError('--rate: bind rndc needs a rate above 0/s');
  const total = Math.ceil((r.rate * r.duration) / 1000 - 1e-9);
  const cycle = r.mode === 'mixed' ? commandCycle(r.mix) : [];
  const writesRecords = cycle.some((c) => c === 'record-add' || c === 'record-remove');
  const stormZones = Array.from({ length: r.zones }, (_, i) => `s${i}.${runId}.test`);
  const recordZones = writesRecords ? Array.from({ length: r.zones }, (_, i) => `d${i}.${runId}.test`) : [];
  const writeAt = r.mode === 'write-reload' ? writeIndices(total, r.writes) : [];
  const writeZones = writeAt.map((_, k) => `w${k}.${runId}.test`);
  const where = r.bindcarUrl ?? "the sandbox's bindcar twin";
  const token = r.tokenFile !== undefined ? `the token in ${r.tokenFile}` : r.bindcarUrl !== undefined ? 'the token in $BINDCAR_TOKEN' : "the sandbox's token";
  const clientsText = `${r.clients} client${r.clients === 1 ? '' : 's'} (on loopback each from its own address, 127.0.0.2…127.0.0.${r.clients + 1}; bindcar limits per client IP)`;
  const storm =
    r.mode === 'reload'
      ? `POST reload of ${r.zones === 1 ? 'one zone' : `${r.zones} zones round-robin`}`
      : r.mode === 'mixed'
        ? `mixed commands ${formatMix(r.mix, rndcCommands)} (one route each)`
        : `${writeAt.length} big zone writes (the create route, ${r.records} A records each), spread evenly, each followed by reloads of it`;
  const describe = [
    `1. against ${where} with ${token} (never printed): GET /api/v1/health, then GET /api/v1/zones (a 401/403 there ends the run before anything is created)`,
    `2. create ${stormZones.length} small zone${stormZones.length === 1 ? '' : 's'} without dynamic updates (${stormZones[0] ?? ''}…)${recordZones.length > 0 ? ` and ${recordZones.length} with the update key for record writes (${recordZones[0] ?? ''}…)` : ''} through bindcar, each journalled before its create`,
    `3. storm: ${storm}, ${formatRate(r.rate)} for ${Math.round(r.duration / 1000)} s (${total} requests), open loop from ${clientsText}; at most ${r.maxInFlight} in flight, a request due with none free is dropped and counted, never queued; a request unanswered after ${Math.round(r.requestTimeout / 1000)} s is a timeout`,
    '4. per route: latency from the intended start and service time from the send (HDR histograms), status codes, 429s from bindcar\'s limiter counted apart from errors, connection errors and timeouts apart',
    `5. delete every zone the run created through bindcar (also on Ctrl-C or an error); \`bindy-loadtest cleanup --run-id ${runId}\` deletes what a killed run left`,
  ];
  const data: BindRndcPlanData = {
    mode: r.mode,
    rate: r.rate,
    durationMs: r.duration,
    total,
    clients: r.clients,
    maxInFlight: r.maxInFlight,
    requestTimeoutMs: r.requestTimeout,
    stormZones,
    recordZones,
    writeZones,
    records: r.records,
    cycle,
    writeAt,
    ...(r.bindcarUrl === undefined ? {} : { bindcarUrl: r.bindcarUrl }),
    ...(r.tokenFile === undefined ? {} : { tokenFile: r.tokenFile }),
    ...(r.updateKey === undefined ? {} : { updateKey: r.updateKey }),
  };
  return {
    scenario: 'bind-rndc',
    runId,
    namespace: config.namespace,
    // Unused: bind rndc writes nothing to Kubernetes (a sandbox target still checks its namespace and cluster).
    setup: { namespace: config.namespace, cluster: generateCluster(fixtureOptionsFromConfig(config, { runId, zones: 1, recordsPerZone: 1, kinds: { ARecord: 1 } })) },
    kinds: [],
    total,
    describe,
    objects: () => [],
    engine: { concurrency: r.maxInFlight, timeoutMs: 60_000 },
    data,
  };
}

