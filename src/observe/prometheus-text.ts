/**
 * @module Parser of the Prometheus text exposition format 0.0.4 into samples with their HELP/TYPE.
 * Written here because npm has no maintained, typed parser for it (parse-prometheus-text-format is
 * untyped, last changed years ago and folds samples into families, losing timestamps we keep).
 */

/** The metric types a `# TYPE` line may declare. */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/** One sample line. */
export interface Sample {
  /** Series name as written, e.g. `x_bucket`. */
  name: string;
  labels: Record<string, string>;
  /** The value; `+Inf`, `-Inf` and `NaN` are kept as such. */
  value: number;
  /** Timestamp in ms since the Unix epoch, when the line had one. */
  timestampMs?: number;
  /** The metric family: `x` for `x_bucket`/`x_sum`/`x_count` of a histogram or summary `x`, else `name`. */
  family: string;
}

/** HELP and TYPE of one metric family. */
export interface FamilyMetadata {
  help?: string;
  type?: MetricType;
}

/** A line that could not be parsed (the rest of the text is still parsed). */
export interface ParseProblem {
  /** 1-based line number. */
  line: number;
  message: string;
}

/** Everything one scrape said. */
export interface Exposition {
  samples: Sample[];
  /** Family name → HELP/TYPE. */
  families: Record<string, FamilyMetadata>;
  /** Lines that were skipped because they were malformed; callers count and report them. */
  problems: ParseProblem[];
}

const metricTypes: readonly string[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];
function isMetricType(t: string): t is MetricType {
  return metricTypes.includes(t);
}
const metricNameRe = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const labelNameRe = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** Thrown inside the line parser; becomes a {@link ParseProblem}. */
class LineError extends Error {}

/** A cursor over one line. */
class Cursor {
  pos = 0;
  constructor(readonly text: string) {}
  skipBlanks(): void {
    while (this.text[this.pos] === ' ' || this.text[this.pos] === '\t') this.pos++;
  }
  match(re: RegExp): string | undefined {
    const m = re.exec(this.text.slice(this.pos));
    if (m === null) return undefined;
    this.pos += m[0].length;
    return m[0];
  }
  expect(ch: string, what: string): void {
    if (this.text[this.pos] !== ch) throw new LineError(`expected ${what} at column ${this.pos + 1}`);
    this.pos++;
  }
  get done(): boolean {
    return this.pos >= this.text.length;
  }
  /** The next run of non-blank characters. */
  token(): string {
    const start = this.pos;
    while (!this.done && this.text[this.pos] !== ' ' && this.text[this.pos] !== '\t') this.pos++;
    return this.text.slice(start, this.pos);
  }
}

/** Parses a sample value as Go's ParseFloat would for the format: numbers, `+Inf`, `-Inf`, `Inf`, `NaN`. */
function parseValue(tok: string): number {
  switch (tok) {
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
    case 'NaN':
      return NaN;
  }
  // Number() accepts "", hex and "Infinity": only plain decimal and exponent forms are the format's.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(tok)) throw new LineError(`invalid value "${tok}"`);
  return Number(tok);
}

/** Reads a double-quoted label value, undoing the escapes `\\`, `\"` and `\n`. */
function readLabelValue(c: Cursor): string {
  c.expect('"', 'a double-quoted label value');
  let out = '';
  for (;;) {
    const ch = c.text[c.pos];
    if (ch === undefined) throw new LineError('unterminated label value');
    c.pos++;
    if (ch === '"') return out;
    if (ch === '\\') {
      const next = c.text[c.pos];
      c.pos++;
      if (next === 'n') out += '\n';
      else if (next === '\\' || next === '"') out += next;
      else throw new LineError(`invalid escape "\\${next ?? ''}" in label value`);
    } else out += ch;
  }
}

function parseLabels(c: Cursor): Record<string, string> {
  const labels: Record<string, string> = {};
  c.expect('{', '"{"');
  for (;;) {
    c.skipBlanks();
    if (c.text[c.pos] === '}') {
      c.pos++;
      return labels;
    }
    const name = c.match(labelNameRe);
    if (name === undefined) throw new LineError(`invalid label name at column ${c.pos + 1}`);
    if (Object.hasOwn(labels, name)) throw new LineError(`duplicate label "${name}"`);
    c.skipBlanks();
    c.expect('=', '"=" after the label name');
    c.skipBlanks();
    labels[name] = readLabelValue(c);
    c.skipBlanks();
    if (c.text[c.pos] === ',') c.pos++;
    else if (c.text[c.pos] !== '}') throw new LineError(`expected "," or "}" at column ${c.pos + 1}`);
  }
}

function parseSampleLine(line: string): Omit<Sample, 'family'> {
  const c = new Cursor(line);
  c.skipBlanks();
  const name = c.match(metricNameRe);
  if (name === undefined) throw new LineError('invalid metric name');
  c.skipBlanks();
  const labels = c.text[c.pos] === '{' ? parseLabels(c) : {};
  c.skipBlanks();
  const valueTok = c.token();
  if (valueTok === '') throw new LineError('missing value');
  const value = parseValue(valueTok);
  c.skipBlanks();
  const sample: Omit<Sample, 'family'> = { name, labels, value };
  if (!c.done) {
    const ts = c.token();
    if (!/^-?\d+$/.test(ts)) throw new LineError(`invalid timestamp "${ts}"`);
    sample.timestampMs = Number(ts);
    c.skipBlanks();
    if (!c.done) throw new LineError(`unexpected text after the timestamp at column ${c.pos + 1}`);
  }
  return sample;
}

/** Undoes the HELP escapes `\\` and `\n` (a lone backslash stays). */
function unescapeHelp(text: string): string {
  return text.replace(/\\(\\|n)/g, (_m, ch: string) => (ch === 'n' ? '\n' : '\\'));
}

const suffixes = ['_bucket', '_sum', '_count'] as const;

/** The family a series belongs to, given the TYPE lines seen. */
function familyOf(name: string, families: Record<string, FamilyMetadata>): string {
  if (families[name] !== undefined) return name;
  for (const s of suffixes) {
    if (!name.endsWith(s)) continue;
    const base = name.slice(0, -s.length);
    const type = families[base]?.type;
    if (type === 'histogram' || (type === 'summary' && s !== '_bucket')) return base;
  }
  return name;
}

/** Parses one scrape in text format 0.0.4; malformed lines are skipped and listed in `problems`. */
export function parsePrometheusText(text: string): Exposition {
  const families: Record<string, FamilyMetadata> = {};
  const raw: Omit<Sample, 'family'>[] = [];
  const problems: ParseProblem[] = [];
  const lines = text.split('\n');
  lines.forEach((rawLine, i) => {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '') return;
    try {
      const trimmed = line.trimStart();
      if (trimmed.startsWith('#')) {
        const m = /^#[ \t]+(HELP|TYPE)[ \t]+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:[ \t]+(.*))?$/.exec(trimmed);
        if (m === null) return; // any other comment
        const [, keyword, name = '', rest = ''] = m;
        const meta = (families[name] ??= {});
        if (keyword === 'HELP') {
          meta.help = unescapeHelp(rest);
        } else {
          const type = rest.trim();
          if (!isMetricType(type)) throw new LineError(`unknown metric type "${type}"`);
          meta.type = type;
        }
        return;
      }
      raw.push(parseSampleLine(line));
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
      problems.push({ line: i + 1, message: e.message });
    }
  });
  const samples = raw.map((s) => ({ ...s, family: familyOf(s.name, families) }));
  return { samples, families, problems };
}
