/**
 * @module The messages between a sharded run's coordinator and its shard processes (pure): the
 * shard's spec, the common start (`go`), progress counts and the shard's result document. Both
 * ends are this same program; a message of another shape is refused, never guessed at.
 */
import type { Config } from '../config/index.js';
import type { DnsperfLoad, ResperfLoad } from '../drive/dnsperf/index.js';
import type { QuerySpec } from '../model/fixtures/queries.js';

/**
 * What a pod of an in-cluster DNS engine Job runs instead of a burst slice: dnsperf (or resperf)
 * against `server`, a name the pod resolves (a Service next to BIND9), over the run's own queries
 * (with what each expects) or the text of a user's query file.
 */
export interface DnsEngineWork {
  type: 'dns-engine';
  engine: 'dnsperf' | 'resperf';
  server: { host: string; port: number };
  dnsperf: DnsperfLoad;
  resperf: ResperfLoad;
  queries: { generated: QuerySpec[]; what: string } | { fileText: string; file: string };
}

/** What a shard process is told to run. */
export interface ShardSpec {
  /** The coordinator's version: a shard of another version refuses to run. */
  toolVersion: string;
  runId: string;
  index: number;
  count: number;
  /** `--mixed`. */
  interleave: boolean;
  /** The coordinator's effective configuration, whole (the shard takes its slice from it). */
  config: Config;
  /** The run journal's folder: the shard appends each object to the run's journal before its create. */
  journalDir: string;
  /** The coordinator's working folder: relative paths of the configuration (a kubeconfig) are read from there. */
  cwd: string;
  /** Absent: a slice of the burst; else what the pod runs instead. */
  work?: DnsEngineWork;
}

/** Coordinator → shard. */
export type CoordinatorMessage = { type: 'spec'; spec: ShardSpec } | { type: 'go' };

/** Shard → coordinator: ready at the gate (watches up), cumulative progress, a line for the person running it (a DNS engine's latest second), its result document (JSON text). */
export type ShardMessage = { type: 'ready' } | { type: 'progress'; created: number; ready: number; failed: number } | { type: 'status'; text: string } | { type: 'result'; text: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/** A shard's message, or null when `v` is not one. */
export function parseShardMessage(v: unknown): ShardMessage | null {
  if (!isRecord(v)) return null;
  if (v.type === 'ready') return { type: 'ready' };
  if (v.type === 'progress' && isCount(v.created) && isCount(v.ready) && isCount(v.failed)) return { type: 'progress', created: v.created, ready: v.ready, failed: v.failed };
  if (v.type === 'status' && typeof v.text === 'string') return { type: 'status', text: v.text };
  if (v.type === 'result' && typeof v.text === 'string') return { type: 'result', text: v.text };
  return null;
}

function isLoad(v: unknown, keys: readonly string[]): boolean {
  return isRecord(v) && keys.every((k) => typeof v[k] === 'number' && Number.isFinite(v[k]));
}

/** The work of a DNS engine pod, or null when `v` is not one (its numbers are the coordinator's validated configuration). */
function workOf(v: unknown): DnsEngineWork | null {
  if (!isRecord(v) || v.type !== 'dns-engine' || (v.engine !== 'dnsperf' && v.engine !== 'resperf')) return null;
  const server = v.server;
  if (!isRecord(server) || typeof server.host !== 'string' || !isCount(server.port)) return null;
  if (!isLoad(v.dnsperf, ['qps', 'durationMs', 'clients', 'maxOutstanding', 'timeoutMs']) || !isLoad(v.resperf, ['maxQps', 'rampMs', 'maxLoss', 'clients', 'maxOutstanding', 'timeoutMs'])) return null;
  const q = v.queries;
  if (!isRecord(q)) return null;
  const isQuery = (x: unknown): x is QuerySpec => isRecord(x) && typeof x.name === 'string' && typeof x.type === 'string' && (x.expect === 'data' || x.expect === 'nxdomain');
  const queries = Array.isArray(q.generated) && typeof q.what === 'string' ? (q.generated.every(isQuery) ? { generated: q.generated, what: q.what } : null) : typeof q.fileText === 'string' && typeof q.file === 'string' ? { fileText: q.fileText, file: q.file } : null;
  if (queries === null) return null;
  return { type: 'dns-engine', engine: v.engine, server: { host: server.host, port: server.port }, dnsperf: v.dnsperf as DnsperfLoad, resperf: v.resperf as ResperfLoad, queries };
}

function specOf(v: unknown): ShardSpec | null {
  if (!isRecord(v)) return null;
  const { toolVersion, runId, index, count, interleave, config, journalDir, cwd } = v;
  if (typeof toolVersion !== 'string' || typeof runId !== 'string' || typeof journalDir !== 'string' || typeof cwd !== 'string' || typeof interleave !== 'boolean') return null;
  if (!isCount(index) || !isCount(count) || index >= count) return null;
  if (!isRecord(config) || !isRecord(config.scenarios) || typeof config.namespace !== 'string') return null;
  const work = v.work === undefined ? undefined : workOf(v.work);
  if (work === null) return null;
  // The configuration was validated by the coordinator, which is this program at the same version (checked by the caller).
  return { toolVersion, runId, index, count, interleave, config: config as unknown as Config, journalDir, cwd, ...(work === undefined ? {} : { work }) };
}

/** A coordinator's message, or null when `v` is not one. */
export function parseCoordinatorMessage(v: unknown): CoordinatorMessage | null {
  if (!isRecord(v)) return null;
  if (v.type === 'go') return { type: 'go' };
  if (v.type === 'spec') {
    const spec = specOf(v.spec);
    return spec === null ? null : { type: 'spec', spec };
  }
  return null;
}
