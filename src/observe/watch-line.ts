/**
 * @module One line of a watch stream → its event, without the `records` arrays (pure).
 *
 * bindy's DNSZone status lists every record of the zone (`status.records[]`), and every record
 * reconcile stamps it, so a 5,000-record burst over 10 zones streams ~7,000 DNSZone events of up to
 * 90 KB each: 660 MB of JSON that the watch tracker would parse only to read the conditions. Cutting
 * the arrays out of the bytes before parsing keeps the tool's heap (and peak RSS) flat. The tracker
 * reads metadata, `status.conditions` and `status.observedGeneration` only, never a `records` member.
 */

/** A parsed watch event: `type` (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR) and its object. */
export interface WatchLineEvent {
  type: string;
  object: unknown;
}

const recordsKey = Buffer.from('"records":[');
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

/**
 * The line's bytes with every `"records":[…]` member removed (and the comma that separated it).
 * A raw `"records":[` can only be a key: inside a JSON string a quote is always escaped.
 */
export function withoutRecords(line: Buffer): Buffer {
  let from = 0;
  const parts: Buffer[] = [];
  for (let at = line.indexOf(recordsKey, from); at >= 0; at = line.indexOf(recordsKey, from)) {
    if (at > 0 && line[at - 1] === backslash) {
      parts.push(line.subarray(from, at + recordsKey.length));
      from = at + recordsKey.length;
      continue;
    }
    const end = arrayEnd(line, at + recordsKey.length - 1);
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

function isEvent(v: unknown): v is WatchLineEvent {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string' && 'object' in v;
}

function parse(bytes: Buffer): WatchLineEvent | null {
  try {
    const v: unknown = JSON.parse(bytes.toString('utf8'));
    return isEvent(v) ? v : null;
  } catch {
    return null;
  }
}

/** Parses one watch line (records arrays left out; the whole line if the cut one does not parse); null when it is not a watch event. */
export function parseWatchLine(line: Buffer): WatchLineEvent | null {
  const cut = withoutRecords(line);
  return parse(cut) ?? (cut === line ? null : parse(line));
}
