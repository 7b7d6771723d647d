/**
 * @module A shard pod's report ConfigMap (pure): what the shard patches into it (ready, progress,
 * its exit, its whole result gzipped into binaryData) and how the coordinator reads it back into
 * the messages a local shard sends over IPC. A ConfigMap holds at most 1 MiB of data and
 * binaryData together; a result that would not fit is refused by the shard with its size, never
 * truncated.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { KubeObject } from '../observe/kube-client.js';
import type { ShardExit } from './shard-launcher.js';

/** kube-apiserver's limit on a ConfigMap's data and binaryData together, bytes (corev1.MaxSecretSize). */
export const configMapMaxBytes = 1024 * 1024;
/** Kept free for the other keys (ready, progress, exit) beside the result. */
const otherKeysBytes = 4096;

/** Report keys. */
export const reportKeys = { ready: 'ready', progress: 'progress', status: 'status', exit: 'exit', result: 'result.json.gz' } as const;

/** A shard's cumulative counts. */
export interface ShardCounts {
  created: number;
  ready: number;
  failed: number;
}

/** What a report ConfigMap says so far. */
export interface ShardReport {
  ready: boolean;
  progress: ShardCounts | null;
  /** The shard's latest line for the person running it (a DNS engine's last second), once it said one. */
  status: string | null;
  /** The result document (JSON text), once sent. */
  resultText: string | null;
  /** How the shard ended, once it did (written after its result). */
  exit: ShardExit | null;
  /** It stopped on a signal Kubernetes sent its pod (the Job failed or ran out of time, a node drained), not on the coordinator's stop. */
  terminated: boolean;
}

/** The patch that says the shard is at the gate with its watches up. */
export function readyPatch(): Record<string, unknown> {
  return { data: { [reportKeys.ready]: 'true' } };
}

/** The patch that carries the shard's counts. */
export function progressPatch(c: ShardCounts): Record<string, unknown> {
  return { data: { [reportKeys.progress]: JSON.stringify(c) } };
}

/** The patch that carries the shard's latest line for the person running it. */
export function statusPatch(text: string): Record<string, unknown> {
  return { data: { [reportKeys.status]: text } };
}

/** The patch that says how the shard ended: its exit code, its one-line error, and whether Kubernetes terminated its pod. */
export function exitPatch(code: number, error: string | null, terminated = false): Record<string, unknown> {
  return { data: { [reportKeys.exit]: JSON.stringify({ code, error, ...(terminated ? { terminated } : {}) }) } };
}

/**
 * The patch that carries the result: gzip, then base64 (binaryData's encoding on the wire); the
 * limit counts the decoded bytes. Throws naming both sizes when it would not fit.
 */
export function resultPatch(text: string): Record<string, unknown> {
  const gz = gzipSync(Buffer.from(text, 'utf8'), { level: 9 });
  const budget = configMapMaxBytes - otherKeysBytes;
  if (gz.length > budget) throw new Error(`the shard's result is ${gz.length} bytes gzipped (${Buffer.byteLength(text)} as JSON); a ConfigMap holds at most ${budget} beside its other keys: use more shards`);
  return { binaryData: { [reportKeys.result]: gz.toString('base64') } };
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function json(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function recordOf(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Reads a report ConfigMap; keys that are absent or malformed read as not said yet (an unreadable result is an error the caller names). */
export function readReport(cm: KubeObject): ShardReport {
  const data: Record<string, unknown> = cm.data ?? {};
  const binary: Record<string, unknown> = cm.binaryData ?? {};
  const p = recordOf(json(data[reportKeys.progress]));
  const progress = isCount(p['created']) && isCount(p['ready']) && isCount(p['failed']) ? { created: p['created'], ready: p['ready'], failed: p['failed'] } : null;
  const e = recordOf(json(data[reportKeys.exit]));
  const exit = typeof e['code'] === 'number' && Number.isInteger(e['code']) ? { code: e['code'], signal: null, error: typeof e['error'] === 'string' ? e['error'] : null } : null;
  const raw = binary[reportKeys.result];
  const resultText = typeof raw === 'string' ? gunzipSync(Buffer.from(raw, 'base64')).toString('utf8') : null;
  const said = data[reportKeys.status];
  const status = typeof said === 'string' ? said : null;
  return { ready: data[reportKeys.ready] === 'true', progress, status, resultText, exit, terminated: exit !== null && e['terminated'] === true };
}
