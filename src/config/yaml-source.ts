/** @module A configuration file: read, parsed with line numbers kept, so every issue names file and line. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ConfigError } from '../errors.js';
import type { Path } from './validate.js';

/** A parsed YAML file and a way to find the line of any key or value in it. */
export interface YamlSource {
  /** The path as the user gave it (used in messages). */
  file: string;
  /** The document as plain data (null for an empty file). */
  raw: unknown;
  /** 1-based line of the key (`at: 'key'`) or value at `path`, or of its nearest existing ancestor. */
  lineOf: (path: Path, at: 'key' | 'value') => number | undefined;
}

function nodeStart(node: unknown): number | undefined {
  return node !== null && typeof node === 'object' && 'range' in node && Array.isArray(node.range) && typeof node.range[0] === 'number' ? node.range[0] : undefined;
}

function locate(doc: Document, lines: LineCounter, path: Path, at: 'key' | 'value'): number | undefined {
  let node: unknown = doc.contents;
  let best = nodeStart(node);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value === seg : p.key === seg));
      if (pair === undefined) break;
      const keyStart = nodeStart(pair.key);
      const valueStart = nodeStart(pair.value);
      const last = i === path.length - 1;
      best = last && at === 'key' ? (keyStart ?? best) : (valueStart ?? keyStart ?? best);
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item: unknown = node.items[seg];
      best = nodeStart(item) ?? best;
      node = item;
    } else {
      break;
    }
  }
  return best === undefined ? undefined : lines.linePos(best).line;
}

/** Parses YAML text; syntax errors are thrown together as one ConfigError with their lines. */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lines = new LineCounter();
  // prettyErrors off: the message stays one line; we add file and line ourselves.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false }) as Document<Node, true>;
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({
        source: file,
        line: lines.linePos(e.pos[0]).line,
        message: `YAML syntax error: ${e.message.split('\n')[0] ?? e.code}`,
      })),
    );
  }
  return { file, raw: doc.toJS() as unknown, lineOf: (path, at) => locate(doc, lines, path, at) };
}

function readProblem(err: unknown): string {
  const code = err instanceof Error && 'code' in err ? err.code : undefined;
  if (code === 'ENOENT') return 'cannot read the configuration file: no such file';
  if (code === 'EISDIR') return 'is a directory, expected a YAML configuration file';
  if (code === 'EACCES') return 'cannot read the configuration file: permission denied';
  return `cannot read the configuration file: ${err instanceof Error ? err.message : String(err)}`;
}

/** Reads and parses a configuration file (`file` relative to `cwd`); a missing or unreadable file is a one-line ConfigError. */
export async function readYamlSource(file: string, cwd: string): Promise<YamlSource> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch (err) {
    throw new ConfigError([{ source: file, message: readProblem(err) }], { cause: err });
  }
  return parseYamlSource(text, file);
}
