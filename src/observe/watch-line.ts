/**
 * @module One line of a watch stream (or a list page) → its value, without the arrays this tool
 * never reads (pure): `records` and `managedFields`.
 *
 * bindy's DNSZone status lists every record of the zone (`status.records[]`), and every record
 * reconcile stamps it, so a 5,000-record burst over 10 zones streams ~7,000 DNSZone events of up to
 * 90 KB each: 660 MB of JSON that the watch tracker would parse only to read the conditions. Every
 * object also carries `metadata.managedFields` (field ownership of each writer, about half of a
 * record's JSON). Cutting both arrays out of the bytes before parsing keeps the tool's heap (and
 * peak RSS) flat. The tracker and cleanup read metadata (name, uid, generation, deletion, labels),
 * `status.conditions` and `status.observedGeneration` only.
 */

/** A parsed watch event: `type` (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR) and its object. */
export interface WatchLineEvent {
  type: string;
  object: unknown;
}

/** The keys whose array values are cut: a raw `"key":[` can only be a key (inside a JSON string a quote is always escaped). */
const unreadKeys = [Buffer.from('"records":['), Buffer.from('"managedFields":[')];
const quote = 0x22;
const backslash = 0x5c;
const openBracket = 0x5b;
const closeBracket = 0x5d;
const openBrace = 0x7b;
const closeBrace = 0x7d;
const comma = 0x2c;

/** Index of the `]` closing the array whose `[` is at `open`, honouring strings and escapes; -1 when it never closes. */
export function arrayEnd(buf: Buffer, open: number): number {
  let depth = 0;
  let inString = false;
  for (let i = open; i < buf.length; i++) {
    const c = buf[i];
    if (inString) {
      if (c === backslash) i++;
      else if (c === quote) inString = false;
      continue;
    }
    if (c === quote) inString = true;
    else if (c === openBracket || c === openBrace) depth++;
    else if (c === closeBracket || c === closeBrace) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** The line's bytes with every `"key":[…]` member removed (and the comma that separated it). */
function withoutArray(line: Buffer, key: Buffer): Buffer {
  let from = 0;
  const parts: Buffer[] = [];
  for (let at = line.indexOf(key, from); at >= 0; at = line.indexOf(key, from)) {
    if (at > 0 && line[at - 1] === backslash) {
      parts.push(line.subarray(from, at + key.length));
      from = at + key.length;
      continue;
    }
    const end = arrayEnd(line, at + key.length - 1);
    if (end < 0) break;
    let cutStart = at;
    let cutEnd = end + 1;
    if (line[cutEnd] === comma) cutEnd++;
    else {
      // The last member of its object: drop the comma before it instead (if there is one).
      let j = at - 1;
      while (j >= from && (line[j] === 0x20 || line[j] === 0x0a || line[j] === 0x0d || line[j] === 0x09)) j--;
      if (j >= from && line[j] === comma) cutStart = j;
    }
    parts.push(line.subarray(from, cutStart));
    from = cutEnd;
  }
  if (parts.length === 0) return line;
  parts.push(line.subarray(from));
  return Buffer.concat(parts);
}

/** The bytes without any `records` or `managedFields` array member; the same Buffer when there is none. */
export function withoutUnreadArrays(line: Buffer): Buffer {
  let out = line;
  for (const key of unreadKeys) out = withoutArray(out, key);
  return out;
}

function isEvent(v: unknown): v is WatchLineEvent {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string' && 'object' in v;
}

function parse(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Parses JSON bytes with the unread arrays left out (the whole bytes if the cut ones do not parse); undefined when neither parses. */
export function parseWithoutUnreadArrays(bytes: Buffer): unknown {
  const cut = withoutUnreadArrays(bytes);
  const v = parse(cut);
  return v !== undefined || cut === bytes ? v : parse(bytes);
}

/** Parses one watch line (see parseWithoutUnreadArrays); null when it is not a watch event. */
export function parseWatchLine(line: Buffer): WatchLineEvent | null {
  const v = parseWithoutUnreadArrays(line);
  return isEvent(v) ? v : null;
}
