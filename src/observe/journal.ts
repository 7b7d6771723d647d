/**
 * @module The run journal: a JSON-lines file naming everything a run must undo before it exists
 * (each object before its create, the sandbox the run starts as each process spawns), so a killed
 * run can be cleaned up. Entries are typed (`object`, `sandbox`, `fault`, `change`, `bindcar-zone`); lines of a type this
 * version does not know (later `change`) are counted, never dropped silently.
 */
import { closeSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { KubeObject } from './kube-client.js';
import { parseRevertDescriptor, type RevertDescriptor } from '../faults/fault.js';
import { parseChangeDescriptor, type ChangeDescriptor } from '../faults/limits/change.js';

/** An object this run was about to create (lines written before typed entries have no `type` and are this). */
export interface ObjectEntry {
  type: 'object';
  runId: string;
  namespace: string | null;
  kind: string;
  name: string;
}

/** One process of a sandbox a run started. */
export interface SandboxProcess {
  name: string;
  pid: number;
}

/**
 * The sandbox this run started and owns. Written again whenever a process joins it (each line the
 * whole picture so far) and once more with `stopped: true` when the run stopped it.
 */
export interface SandboxEntry {
  type: 'sandbox';
  runId: string;
  /** The sandbox home (`BINDY_LOADTEST_SANDBOX_HOME`) holding its state file. */
  home: string;
  /** The sandbox's own folder (logs, zone files, kubeconfig). */
  dir: string;
  /** The run's process: while it lives, the sandbox is its to stop. */
  ownerPid: number;
  processes: SandboxProcess[];
  stopped: boolean;
}

/**
 * A fault of this run: `applying` is written before the fault takes effect, with how to revert it
 * without the run's memory; `reverted` once it is gone (proven or not, the run tried).
 */
export interface FaultEntry {
  type: 'fault';
  runId: string;
  /** The fault's key within the run (e.g. `exp-0`), shared by its two lines. */
  key: string;
  state: 'applying' | 'reverted';
  /** The run's process: while it lives, reverting is its job. */
  ownerPid: number;
  /** Present on `applying`. */
  descriptor?: RevertDescriptor;
}

/** A fault a journal says was applied and never reverted. */
export interface PendingFault {
  key: string;
  ownerPid: number;
  descriptor: RevertDescriptor;
}

/**
 * A change to something the run did not create (the operator's limits): `applying` is written
 * before anything changes, with how to restore it; `restored` once it is proven restored.
 */
export interface ChangeEntry {
  type: 'change';
  runId: string;
  key: string;
  state: 'applying' | 'restored';
  ownerPid: number;
  /** Present on `applying`. */
  descriptor?: ChangeDescriptor;
}

/** A change a journal says was made and never restored. */
export interface PendingChange {
  key: string;
  ownerPid: number;
  descriptor: ChangeDescriptor;
}

/** Where the token of a journalled bindcar is read again by `cleanup`: a file, or an environment variable (never the token itself). */
export type BindcarTokenSource = { file: string } | { env: string };

/**
 * A zone this run creates through bindcar's REST API (`bind rndc`): `creating` is written before
 * the create is sent, `deleted` once bindcar deleted it (or said it was not there).
 */
export interface BindcarZoneEntry {
  type: 'bindcar-zone';
  runId: string;
  /** bindcar's base URL. */
  url: string;
  zone: string;
  state: 'creating' | 'deleted';
  /** The run's process: while it lives, deleting is its job. */
  ownerPid: number;
  /** Present on `creating`. */
  token?: BindcarTokenSource;
  /** On `creating`, when bindcar was reached through a port-forward the run opened to this pod: a cleanup deletes the zone there through pods/exec (the forward's URL dies with the run). */
  pod?: PodZoneSite;
}

/** A BIND9 pod a run loaded zones into (a cluster's primary, reached through the API server): where, and named's directory in its container. */
export interface PodZoneSite {
  /** The API server's URL (a cleanup refuses a journal of another cluster). */
  server: string;
  namespace: string;
  pod: string;
  /** The pod's uid: a pod of the same name made later took no zone of this run. */
  podUid: string;
  /** The container that has named and rndc (bindy's `bind9`). */
  container: string;
  /** named's directory there, where the zone files are `<zone>.zone`. */
  zoneDir: string;
}

/** A bindcar zone a journal says was (about to be) created and never deleted. */
export interface PendingBindcarZone {
  url: string;
  zone: string;
  ownerPid: number;
  token: BindcarTokenSource;
  /** Where the zone is when bindcar was reached through the run's own port-forward (see {@link BindcarZoneEntry.pod}). */
  pod?: PodZoneSite;
}

/** One line of a journal. */
export type JournalEntry = ObjectEntry | SandboxEntry | FaultEntry | ChangeEntry | BindcarZoneEntry;

/** File name of the journal of `runId` inside a journal directory. */
export function journalFileName(runId: string): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(runId)) throw new UsageError(`run id ${JSON.stringify(runId)} is not a DNS label (a-z, 0-9, -)`);
  return `run-${runId}.jsonl`;
}

/**
 * An append-only journal. Each entry is written with one `write(2)` before the create is sent, so
 * it is in the kernel's page cache when the request leaves: a SIGKILL (which does not lose the
 * page cache) loses nothing, and at worst the journal names an object whose create never arrived.
 * A power loss can lose the tail; the label-based cleanup still finds those objects.
 */
export class Journal {
  /** Path of the journal file. */
  readonly path: string;
  readonly runId: string;
  readonly #dir: string;
  #fd: number | null = null;
  #closed = false;

  /** Names the journal; the file (and its folder) is made with the first entry, so a run that stops before it leaves nothing. */
  constructor(dir: string, runId: string) {
    this.runId = runId;
    this.#dir = dir;
    this.path = join(dir, journalFileName(runId));
  }

  /** Appends the entry for `obj` (synchronously: it must be on disk before the create is sent). */
  append(obj: KubeObject): void {
    this.#write({ type: 'object', runId: this.runId, namespace: obj.metadata.namespace ?? null, kind: obj.kind, name: obj.metadata.name ?? '' });
  }

  /** Records the sandbox this run owns, as it is now (synchronously, like {@link append}). */
  appendSandbox(s: Omit<SandboxEntry, 'type' | 'runId'>): void {
    this.#write({ type: 'sandbox', runId: this.runId, ...s });
  }

  /** Records a fault before it takes effect (synchronously), with its revert descriptor. */
  appendFaultApplying(key: string, descriptor: RevertDescriptor): void {
    this.#write({ type: 'fault', runId: this.runId, key, state: 'applying', ownerPid: process.pid, descriptor });
  }

  /** Records that the fault `key` was reverted. */
  appendFaultReverted(key: string): void {
    this.#write({ type: 'fault', runId: this.runId, key, state: 'reverted', ownerPid: process.pid });
  }

  /** Records a change before it is made (synchronously), with how to restore it. */
  appendChangeApplying(key: string, descriptor: ChangeDescriptor): void {
    this.#write({ type: 'change', runId: this.runId, key, state: 'applying', ownerPid: process.pid, descriptor });
  }

  /** Records that the change `key` is restored. */
  appendChangeRestored(key: string): void {
    this.#write({ type: 'change', runId: this.runId, key, state: 'restored', ownerPid: process.pid });
  }

  /** Records a bindcar zone before its create is sent (synchronously), with where its token is read again. */
  appendBindcarZoneCreating(url: string, zone: string, token: BindcarTokenSource, pod?: PodZoneSite): void {
    this.#write({ type: 'bindcar-zone', runId: this.runId, url, zone, state: 'creating', ownerPid: process.pid, token, ...(pod === undefined ? {} : { pod }) });
  }

  /** Records that the bindcar zone is gone. */
  appendBindcarZoneDeleted(url: string, zone: string): void {
    this.#write({ type: 'bindcar-zone', runId: this.runId, url, zone, state: 'deleted', ownerPid: process.pid });
  }

  #write(entry: JournalEntry): void {
    if (this.#closed) throw new UsageError(`journal ${this.path} is closed`);
    if (this.#fd === null) {
      try {
        mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
        this.#fd = openSync(this.path, 'a', 0o600);
      } catch (err) {
        throw new UsageError(`cannot write the run journal ${this.path}: ${(err as Error).message}`, { hint: 'choose another --output folder' });
      }
    }
    writeSync(this.#fd, `${JSON.stringify(entry)}\n`);
  }

  /** Closes the file (idempotent). */
  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
    this.#closed = true;
  }
}

function isObjectEntry(e: Record<string, unknown>): boolean {
  return typeof e.runId === 'string' && typeof e.kind === 'string' && typeof e.name === 'string' && (e.namespace === null || typeof e.namespace === 'string');
}

function isSandboxEntry(e: Record<string, unknown>): boolean {
  return (
    typeof e.runId === 'string' &&
    typeof e.home === 'string' &&
    typeof e.dir === 'string' &&
    typeof e.ownerPid === 'number' &&
    typeof e.stopped === 'boolean' &&
    Array.isArray(e.processes) &&
    e.processes.every((p: unknown) => typeof p === 'object' && p !== null && typeof (p as SandboxProcess).name === 'string' && typeof (p as SandboxProcess).pid === 'number')
  );
}

function faultEntryOf(e: Record<string, unknown>): FaultEntry | 'invalid' {
  if (typeof e.runId !== 'string' || typeof e.key !== 'string' || typeof e.ownerPid !== 'number' || (e.state !== 'applying' && e.state !== 'reverted')) return 'invalid';
  const state: FaultEntry['state'] = e.state;
  const base = { type: 'fault' as const, runId: e.runId, key: e.key, state, ownerPid: e.ownerPid };
  if (state === 'reverted') return base;
  try {
    return { ...base, descriptor: parseRevertDescriptor(e.descriptor) };
  } catch {
    return 'invalid';
  }
}

function changeEntryOf(e: Record<string, unknown>): ChangeEntry | 'invalid' {
  if (typeof e.runId !== 'string' || typeof e.key !== 'string' || typeof e.ownerPid !== 'number' || (e.state !== 'applying' && e.state !== 'restored')) return 'invalid';
  const state: ChangeEntry['state'] = e.state;
  const base = { type: 'change' as const, runId: e.runId, key: e.key, state, ownerPid: e.ownerPid };
  if (state === 'restored') return base;
  try {
    return { ...base, descriptor: parseChangeDescriptor(e.descriptor) };
  } catch {
    return 'invalid';
  }
}

function tokenSourceOf(v: unknown): BindcarTokenSource | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const t = v as Record<string, unknown>;
  if (typeof t.file === 'string') return { file: t.file };
  if (typeof t.env === 'string') return { env: t.env };
  return undefined;
}

/** A journalled pod site, or undefined when the value is not one. */
function podZoneSiteOf(v: unknown): PodZoneSite | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const p = v as Record<string, unknown>;
  const keys = ['server', 'namespace', 'pod', 'podUid', 'container', 'zoneDir'] as const;
  if (!keys.every((k) => typeof p[k] === 'string' && p[k] !== '')) return undefined;
  return { server: p.server as string, namespace: p.namespace as string, pod: p.pod as string, podUid: p.podUid as string, container: p.container as string, zoneDir: p.zoneDir as string };
}

function bindcarZoneEntryOf(e: Record<string, unknown>): BindcarZoneEntry | 'invalid' {
  if (typeof e.runId !== 'string' || typeof e.url !== 'string' || typeof e.zone !== 'string' || typeof e.ownerPid !== 'number' || (e.state !== 'creating' && e.state !== 'deleted')) return 'invalid';
  const base = { type: 'bindcar-zone' as const, runId: e.runId, url: e.url, zone: e.zone, ownerPid: e.ownerPid };
  if (e.state === 'deleted') return { ...base, state: 'deleted' };
  const token = tokenSourceOf(e.token);
  if (token === undefined) return 'invalid';
  if (e.pod === undefined) return { ...base, state: 'creating', token };
  const pod = podZoneSiteOf(e.pod);
  return pod === undefined ? 'invalid' : { ...base, state: 'creating', token, pod };
}

/** One parsed line: an entry, a type this version does not know, or not an entry at all. */
export function parseJournalLine(line: string): JournalEntry | 'unknown-type' | 'invalid' {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return 'invalid';
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'invalid';
  const e = v as Record<string, unknown>;
  const type = e.type ?? 'object'; // lines from before typed entries name objects
  if (type === 'object') {
    if (!isObjectEntry(e)) return 'invalid';
    return { type: 'object', runId: e.runId as string, namespace: e.namespace as string | null, kind: e.kind as string, name: e.name as string };
  }
  if (type === 'sandbox') return isSandboxEntry(e) ? (e as unknown as SandboxEntry) : 'invalid';
  if (type === 'fault') return faultEntryOf(e);
  if (type === 'change') return changeEntryOf(e);
  if (type === 'bindcar-zone') return bindcarZoneEntryOf(e);
  return typeof type === 'string' ? 'unknown-type' : 'invalid';
}

/** A journal found on disk: its run id, namespaces and entries. A torn last line (killed mid-write) is skipped. */
export interface JournalFile {
  path: string;
  runId: string;
  namespaces: string[];
  /** The objects the run was about to create. */
  objects: ObjectEntry[];
  /** The sandbox the run started, as last journalled; null when it used one it did not start (or a cluster). */
  sandbox: SandboxEntry | null;
  /** Faults applied and not (yet) reverted, in the order they were applied. */
  faults: PendingFault[];
  /** Changes made and not (yet) restored, in the order they were made. */
  changes: PendingChange[];
  /** Zones created through bindcar and not (yet) deleted, in the order they were created. */
  bindcarZones: PendingBindcarZone[];
  /** Lines of an entry type this version does not know (written by a newer version). */
  unknownLines: number;
  /** Lines that were not valid entries (e.g. a torn last line). */
  skippedLines: number;
}

/** Parses a journal's text (pure). */
export function parseJournal(path: string, text: string): JournalFile {
  const objects: ObjectEntry[] = [];
  let sandbox: SandboxEntry | null = null;
  const faults = new Map<string, PendingFault>();
  const changes = new Map<string, PendingChange>();
  const zones = new Map<string, PendingBindcarZone>();
  let runId: string | undefined;
  let unknownLines = 0;
  let skippedLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const e = parseJournalLine(line);
    if (e === 'invalid') skippedLines++;
    else if (e === 'unknown-type') unknownLines++;
    else {
      runId ??= e.runId;
      if (e.type === 'object') objects.push(e);
      else if (e.type === 'sandbox') sandbox = e;
      else if (e.type === 'bindcar-zone') {
        const key = `${e.url} ${e.zone}`;
        if (e.state === 'deleted') zones.delete(key);
        else if (e.token !== undefined) zones.set(key, { url: e.url, zone: e.zone, ownerPid: e.ownerPid, token: e.token, ...(e.pod === undefined ? {} : { pod: e.pod }) });
      }
      else if (e.type === 'change') {
        if (e.state === 'restored') changes.delete(e.key);
        else if (e.descriptor !== undefined) changes.set(e.key, { key: e.key, ownerPid: e.ownerPid, descriptor: e.descriptor });
      } else if (e.state === 'reverted') faults.delete(e.key);
      else if (e.descriptor !== undefined) faults.set(e.key, { key: e.key, ownerPid: e.ownerPid, descriptor: e.descriptor });
    }
  }
  runId ??= /run-(.+)\.jsonl$/.exec(path)?.[1] ?? '';
  const namespaces = [...new Set(objects.map((e) => e.namespace).filter((n): n is string => n !== null))].sort();
  return { path, runId, namespaces, objects, sandbox, faults: [...faults.values()], changes: [...changes.values()], bindcarZones: [...zones.values()], unknownLines, skippedLines };
}

/** Every journal in `dir` (none when the directory does not exist). */
export function readJournals(dir: string): JournalFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /^run-.+\.jsonl$/.test(n))
    .sort()
    .map((n) => parseJournal(join(dir, n), readFileSync(join(dir, n), 'utf8')));
}

/**
 * True when nothing a journal names is left to undo: no change left unrestored (a change can
 * outlive any sandbox: a cluster's Deployment, a control group), and the sandbox the run started
 * is stopped (its objects and faults lived in its processes and went with it), or the run started
 * none, created nothing and has no fault left in force.
 */
export function isSettled(j: JournalFile): boolean {
  if (j.unknownLines > 0 || j.changes.length > 0) return false;
  // A fault of a sandbox the run started went with it; any other one must be reverted first.
  if (j.faults.length > 0 && !(j.sandbox?.stopped === true)) return false;
  // Zones made through bindcar live in its named: gone with a sandbox the run stopped, else deleted one by one.
  if (j.bindcarZones.length > 0 && !(j.sandbox?.stopped === true)) return false;
  return j.sandbox !== null ? j.sandbox.stopped : j.objects.length === 0;
}

/** Removes the journal at `path` when {@link isSettled} (a missing file is fine). */
export function removeJournalIfSettled(path: string): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return;
  }
  if (isSettled(parseJournal(path, text))) removeJournal(path);
}

/** Removes a journal once everything it names is gone. */
export function removeJournal(path: string): void {
  rmSync(path, { force: true });
}
