/** @module The run journal: a JSON-lines file naming every object before it is created, so a killed run can be cleaned up. */
import { closeSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { KubeObject } from './kube-client.js';

/** One line of a journal: an object this run was about to create. */
export interface JournalEntry {
  runId: string;
  namespace: string | null;
  kind: string;
  name: string;
}

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
  #fd: number | null;

  constructor(dir: string, runId: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.runId = runId;
    this.path = join(dir, journalFileName(runId));
    this.#fd = openSync(this.path, 'a', 0o600);
  }

  /** Appends the entry for `obj` (synchronously: it must be on disk before the create is sent). */
  append(obj: KubeObject): void {
    if (this.#fd === null) throw new UsageError(`journal ${this.path} is closed`);
    const entry: JournalEntry = { runId: this.runId, namespace: obj.metadata.namespace ?? null, kind: obj.kind, name: obj.metadata.name ?? '' };
    writeSync(this.#fd, `${JSON.stringify(entry)}\n`);
  }

  /** Closes the file (idempotent). */
  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }
}

function isEntry(v: unknown): v is JournalEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return typeof e.runId === 'string' && typeof e.kind === 'string' && typeof e.name === 'string' && (e.namespace === null || typeof e.namespace === 'string');
}

/** A journal found on disk: its run id, namespaces and entries. A torn last line (killed mid-write) is skipped. */
export interface JournalFile {
  path: string;
  runId: string;
  namespaces: string[];
  entries: JournalEntry[];
  /** Lines that were not valid entries (e.g. a torn last line). */
  skippedLines: number;
}

/** Parses a journal's text (pure). */
export function parseJournal(path: string, text: string): JournalFile {
  const entries: JournalEntry[] = [];
  let skippedLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const v: unknown = JSON.parse(line);
      if (isEntry(v)) entries.push(v);
      else skippedLines++;
    } catch {
      skippedLines++;
    }
  }
  const runId = entries[0]?.runId ?? /run-(.+)\.jsonl$/.exec(path)?.[1] ?? '';
  const namespaces = [...new Set(entries.map((e) => e.namespace).filter((n): n is string => n !== null))].sort();
  return { path, runId, namespaces, entries, skippedLines };
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

/** Removes a journal once everything it names is gone. */
export function removeJournal(path: string): void {
  rmSync(path, { force: true });
}
