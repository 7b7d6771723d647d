/**
 * @module The one unit per quantity that every report (console, Markdown, HTML) shows (pure):
 * latencies and durations in ms (µs only below 1 ms), memory in MB (10^6 bytes), rates per second.
 * The result stores other units (µs, s, bytes, MiB); they are converted here, once.
 */

/** The convention, stated once at the top of the Markdown and HTML reports. */
export const unitsConvention =
  'Units: latencies in ms (µs below 1 ms); memory in MB (10^6 bytes; the memory limits configured in MiB are converted, 1 MiB = 1.048576 MB); CPU in cores; rates per second.';

/** Three significant digits below 1000 (no trailing zeros), whole numbers with thousands separators above. */
function short(v: number): string {
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return String(Number(v.toPrecision(3)));
}

/** A plain number: integers as they are, others to 3 significant digits (≥ 100 rounded); `—` for null. */
export function formatNumber(v: number | null): string {
  if (v === null) return '—';
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? String(Math.round(v)) : String(Number(v.toPrecision(3)));
}

/** A latency in µs, shown in ms (µs only below 1 ms); `—` when not measured. */
export function formatLatencyUs(us: number | null): string {
  if (us === null) return '—';
  return Math.abs(us) < 1000 ? `${short(us)} µs` : `${short(us / 1000)} ms`;
}

/** A value in the report's unit for its quantity, and that unit (`''` for a plain count). */
export interface DisplayValue {
  value: string;
  unit: string;
}

/** Memory units the result may hold, as a factor to MB (10^6 bytes). */
const toMB: Readonly<Record<string, number>> = { bytes: 1e-6, MB: 1, MiB: 1.048576, GiB: 1073.741824 };

/** `v` in `unit` converted to the report's unit for that quantity: µs, ms and s as a latency; bytes, MiB as MB; MiB/h as MB/h. */
export function displayValue(v: number | null, unit: string | undefined): DisplayValue {
  const u = unit ?? '';
  if (u === 'us' || u === 'ms' || u === 's') {
    if (v === null) return { value: '—', unit: 'ms' };
    const text = formatLatencyUs(u === 'us' ? v : u === 'ms' ? v * 1000 : v * 1e6);
    const [value = text, shown = 'ms'] = text.split(' ');
    return { value, unit: shown };
  }
  const mb = toMB[u];
  if (mb !== undefined) return { value: v === null ? '—' : short(v * mb), unit: 'MB' };
  if (u === 'MiB/h') return { value: v === null ? '—' : short(v * 1.048576), unit: 'MB/h' };
  return { value: formatNumber(v), unit: u };
}

/** A value with its unit, converted as {@link displayValue} does: `12.3 ms`, `540 MB`, `3 objects`, `5/s`; `—` when null. */
export function formatWithUnit(v: number | null, unit: string | undefined): string {
  if (v === null) return '—';
  const d = displayValue(v, unit);
  if (d.unit === '1/s') return `${d.value}/s`;
  return d.unit === '' ? d.value : `${d.value} ${d.unit}`;
}

/** A row's labels as `k=v, k=v`; `all` for the row that adds every label set together. */
export function labelsText(labels: Record<string, string> | undefined): string {
  if (labels === undefined || Object.keys(labels).length === 0) return 'all';
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(', ');
}

/** An operator figure: counts are plain numbers, rates per second, the rest in the report's unit for the metric's unit. */
export function operatorValue(key: string, v: number | null, unit: string | undefined): string {
  if (key === 'count' || key.endsWith('_count')) return formatNumber(v);
  if (key === 'rate' || key.endsWith('_rate')) return v === null ? '—' : `${formatNumber(v)}/s`;
  return formatWithUnit(v, unit);
}

/** For a limit configured in MiB and shown in MB, the configured figure, so it can be found in the config. */
export function configuredIn(limit: number, unit: string | undefined): string {
  return unit === 'MiB' || unit === 'MiB/h' ? ` (configured ${formatNumber(limit)} ${unit})` : '';
}
