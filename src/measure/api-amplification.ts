/** @module The result's `apiAmplification` section: Kubernetes API requests during the run, per verb and resource, from two scrapes of `apiserver_request_total`; pure. */
import type { ApiAmplification } from '../report/result/types.js';
import { labelKey } from './bucket-quantile.js';
import type { MetricSample } from './bucket-quantile.js';

/** The API server's request counter (kube-apiserver; the sandbox twin uses the same name and labels). */
export const apiRequestCounter = 'apiserver_request_total';

/** The start time of the process that served a scrape (client_golang's process collector; kube-apiserver exposes it). */
export const processStartMetric = 'process_start_time_seconds';

/** The API group of bindy's custom resources. */
export const bindyApiGroup = 'bindy.firestoned.io';

/** One row with its share per created object. */
export interface AmplificationRow {
  verb: string;
  /** `plural[.group][/subresource]`, e.g. `arecords.bindy.firestoned.io/status`, `events`, `leases.coordination.k8s.io`. */
  resource: string;
  count: number;
  /** count / objects created; null when the run created nothing. */
  perObject: number | null;
}

/** The section plus the rows a reader looks at first. */
export interface AmplificationResult {
  section: ApiAmplification;
  /** Rows for bindy's resources, events and leases (the operator's own footprint), in section order. */
  highlights: AmplificationRow[];
  /** Total requests in the window. */
  total: number;
  /** True when the counter went down (the API server restarted): the later values were taken as the increase. */
  reset: boolean;
  /** Requests per response code over the window (every client, every resource), e.g. `{ "200": 812, "409": 2, "429": 40 }`. */
  codes: Record<string, number>;
}

/** `plural[.group][/subresource]` from the counter's labels. */
function resourceName(l: Readonly<Record<string, string>>): string {
  const group = l.group ?? '';
  const sub = l.subresource ?? '';
  return `${l.resource ?? ''}${group === '' ? '' : `.${group}`}${sub === '' ? '' : `/${sub}`}`;
}

/** Sort rank: bindy's resources first, then events and leases, then everything else. */
function rank(resource: string): number {
  const plain = resource.split('/')[0] ?? '';
  if (plain.endsWith(`.${bindyApiGroup}`)) return 0;
  if (plain === 'events' || plain.startsWith('events.') || plain.startsWith('leases.')) return 1;
  return 2;
}

/**
 * The requests to the Kubernetes API between two scrapes of {@link apiRequestCounter}, summed over
 * response codes, scopes and components per verb and resource, and their total per created object.
 * Series with no `resource` label (non-resource paths such as `/metrics`, `/healthz`) are left out.
 * A series absent from the first scrape counts from 0; a series that went down was reset and its
 * later value is all increase. The counter covers every client of the API server (this tool, bindy,
 * other controllers), which `method` says.
 */
export function apiAmplification(
  before: readonly MetricSample[],
  after: readonly MetricSample[],
  objectsCreated: number,
  source: string,
): AmplificationResult {
  const method = (reset: boolean): string =>
    `increase of ${apiRequestCounter} between a scrape of ${source} at the start and one at the end of the run, ` +
    'summed over response codes per verb and resource (plural.group/subresource); it counts every client of the API server, not only bindy' +
    (reset ? '; the counter was reset during the run (API server restart), so requests before the restart are not counted' : '');
  return amplificationOf(before, after, objectsCreated, apiRequestCounter, (l) => ({ verb: l.verb ?? '', resource: resourceName(l), code: l.code ?? 'unknown' }), method);
}

/** bindy's own request counter (its v0.8 line; the 0.8 operator twin has it too): `{resource, verb, status}`. */
export const bindyApiRequestCounter = 'bindy_firestoned_io_kube_api_requests_total';

/**
 * bindy's own requests to the Kubernetes API between two scrapes of its metrics (bindy ≥ 0.8's
 * {@link bindyApiRequestCounter}), per verb and resource, and per created object; null when the
 * operator does not expose the counter (bindy 0.6). Unlike {@link apiAmplification} it counts no
 * other client (not this tool's creates and watches): the operator's footprint alone.
 */
export function operatorApiRequests(before: readonly MetricSample[], after: readonly MetricSample[], objectsCreated: number, source: string): AmplificationResult | null {
  if (!after.some((s) => s.name === bindyApiRequestCounter)) return null;
  const method = (reset: boolean): string =>
    `increase of bindy's own ${bindyApiRequestCounter} between a scrape of ${source} at the start and one at the end of the run, per verb and resource: ` +
    "the operator's requests only" +
    (reset ? '; the counter was reset during the run (operator restart), so requests before the restart are not counted' : '');
  // bindy's resources are its own group's: written as the API server's counter names them.
  const resource = (r: string): string => {
    const [plural = '', sub] = r.split('/');
    const group = plural === 'events' ? '' : `.${bindyApiGroup}`;
    return `${plural}${group}${sub === undefined ? '' : `/${sub}`}`;
  };
  return amplificationOf(before, after, objectsCreated, bindyApiRequestCounter, (l) => ({ verb: l.verb ?? '', resource: resource(l.resource ?? ''), code: l.status ?? 'unknown' }), method);
}

/** The increase of one request counter between two scrapes, per verb and resource (pure; see {@link apiAmplification}). */
function amplificationOf(
  before: readonly MetricSample[],
  after: readonly MetricSample[],
  objectsCreated: number,
  counter: string,
  read: (labels: Readonly<Record<string, string>>) => { verb: string; resource: string; code: string },
  methodText: (reset: boolean) => string,
): AmplificationResult {
  const first = new Map<string, number>();
  for (const s of before) if (s.name === counter) first.set(labelKey(s.labels), s.value);
  const rows = new Map<string, AmplificationRow>();
  let reset = false;
  const codes: Record<string, number> = {};
  for (const s of after) {
    if (s.name !== counter || (s.labels.resource ?? '') === '') continue;
    const b = first.get(labelKey(s.labels)) ?? 0;
    const increase = s.value < b ? s.value : s.value - b;
    reset ||= s.value < b;
    if (increase === 0) continue;
    const l = read(s.labels);
    codes[l.code] = (codes[l.code] ?? 0) + increase;
    const verb = l.verb.toUpperCase() || 'UNKNOWN';
    const resource = l.resource;
    const key = `${verb} ${resource}`;
    const row = rows.get(key) ?? { verb, resource, count: 0, perObject: null };
    row.count += increase;
    rows.set(key, row);
  }
  const sorted = [...rows.values()].sort((a, b) => rank(a.resource) - rank(b.resource) || b.count - a.count || a.resource.localeCompare(b.resource) || a.verb.localeCompare(b.verb));
  for (const r of sorted) r.perObject = objectsCreated > 0 ? r.count / objectsCreated : null;
  const total = sorted.reduce((a, r) => a + r.count, 0);
  const method = methodText(reset);
  return {
    section: {
      requests: sorted.map(({ verb, resource, count }) => ({ verb, resource, count })),
      objectsCreated,
      requestsPerObject: objectsCreated > 0 ? total / objectsCreated : null,
      method,
    },
    highlights: sorted.filter((r) => rank(r.resource) < 2),
    total,
    reset,
    codes,
  };
}

/**
 * Why two scrapes of the API server's /metrics cannot be subtracted, or null when they can: their
 * `process_start_time_seconds` differ, so another process answered the second one (a restart, or
 * another replica behind the `kubernetes` Service; each replica counts only its own requests).
 * Null as well when either scrape lacks the metric (nothing to tell by).
 */
export function apiServerProcessChange(before: readonly MetricSample[], after: readonly MetricSample[]): string | null {
  const start = (xs: readonly MetricSample[]): number | undefined => xs.find((x) => x.name === processStartMetric && Object.keys(x.labels).length === 0)?.value;
  const a = start(before);
  const b = start(after);
  if (a === undefined || b === undefined || a === b) return null;
  return `the two scrapes came from different API server processes (${processStartMetric} ${a} then ${b}: a restart, or another replica behind the Service, and each replica counts only its own requests)`;
}
