/** @module Number formatting for the HTML report: latencies, counts and values with units. */

/** Three significant digits, without a trailing exponent or zeros. */
function short(v: number): string {
  return String(Number(v.toPrecision(3)));
}

/** A latency in µs as µs, ms or s with 3 significant digits; `—` when not measured. */
export function formatMicros(us: number | null): string {
  if (us === null) return '—';
  if (us < 1000) return `${short(us)} µs`;
  if (us < 1_000_000) return `${short(us / 1000)} ms`;
  return `${short(us / 1_000_000)} s`;
}

/** A plain number: integers as they are, others to 3 significant digits (≥ 100 rounded); `—` for null. */
export function formatNumber(v: number | null): string {
  if (v === null) return '—';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? String(Math.round(v)) : short(v);
}

/** A value with its unit: µs as a latency, bytes as MB (10^6), ms as ms or s, anything else `n unit`. */
export function formatWithUnit(v: number | null, unit: string | undefined): string {
  if (v === null) return '—';
  switch (unit) {
    case 'us':
      return formatMicros(v);
    case 'ms':
      return v < 1000 ? `${formatNumber(v)} ms` : `${short(v / 1000)} s`;
    case 'bytes':
      return `${short(v / 1e6)} MB`;
    case undefined:
    case '':
      return formatNumber(v);
    default:
      return `${formatNumber(v)} ${unit}`;
  }
}
