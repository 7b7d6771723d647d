/**
 * @module Removes the Events about a run's objects. The operator reports on its reconciles with
 * core/v1 Events; a real API server keeps each for its --event-ttl (1 h by default), so a run of
 * thousands of objects would leave thousands behind. Events carry no run label: they are matched
 * by `involvedObject.uid`, the same way on the sandbox and on a cluster, so an Event about any
 * other object (one of the same name included) is never touched.
 */
import type { KubeClient, KubeObject } from '../observe/kube-client.js';
import { eventKind } from '../model/object-kinds.js';

/** What became of the Events about the run's objects. */
export interface EventsCleanup {
  /** Events found whose involvedObject is one of the run's objects. */
  found: number;
  /** Of those, deleted now (or already gone: their TTL or the namespace took them). */
  deleted: number;
  /** The first failures, `namespace/name: HTTP status message`. */
  failures: string[];
  /** Times a list went on after its continue token expired (see KubeClient.listPages): an Event written meanwhile may be missed. */
  resumedAfterExpiry: number;
}

/** At most this many deletes in flight: cleanup must not become a load of its own. */
const inFlight = 8;

/** The Events in `events` whose involvedObject UID is one of `uids`, as namespace and name. */
export function eventsAbout(events: readonly KubeObject[], uids: ReadonlySet<string>): { namespace: string; name: string }[] {
  const out: { namespace: string; name: string }[] = [];
  for (const e of events) {
    const involved = e.involvedObject;
    const uid = typeof involved === 'object' && involved !== null && 'uid' in involved ? involved.uid : undefined;
    if (typeof uid !== 'string' || !uids.has(uid)) continue;
    if (e.metadata.namespace === undefined || e.metadata.name === undefined) continue;
    out.push({ namespace: e.metadata.namespace, name: e.metadata.name });
  }
  return out;
}

/**
 * Deletes every Event in `scopes` (a namespace each; null = all namespaces) about an object whose
 * UID is in `uids`: a paged LIST per scope, each page's matches deleted (a few at a time) before the
 * next page is read, so memory stays one page however many Events the operator wrote (an hour's run:
 * ~90,000). Deleting while paging makes the list outlive the server's compaction window: the 410
 * on the continue token is followed by the fresh token it carries (an Event created meanwhile may be
 * missed; none is touched twice). A failed list is thrown; a failed delete is counted and named
 * (404 counts as deleted).
 */
export async function removeRunEvents(client: KubeClient, scopes: readonly (string | null)[], uids: ReadonlySet<string>, signal?: AbortSignal): Promise<EventsCleanup> {
  const report: EventsCleanup = { found: 0, deleted: 0, failures: [], resumedAfterExpiry: 0 };
  if (uids.size === 0) return report;
  const deleteAll = async (due: { namespace: string; name: string }[]): Promise<void> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < due.length && signal?.aborted !== true) {
        const e = due[next++];
        if (e === undefined) break;
        const r = await client.delete(eventKind, e.namespace, e.name);
        if (r.ok || r.error.status === 404) report.deleted++;
        else if (report.failures.length < 5) report.failures.push(`${e.namespace}/${e.name}: HTTP ${r.error.status} ${r.error.message}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(inFlight, due.length) }, worker));
  };
  for (const scope of scopes) {
    if (signal?.aborted === true) break;
    const listed = await client.listPages(
      eventKind,
      scope,
      '',
      async (page) => {
        const due = eventsAbout(page, uids);
        report.found += due.length;
        await deleteAll(due);
      },
      { resumeExpired: true },
    );
    if (!listed.ok) throw new Error(`listing Events${scope === null ? '' : ` in ${scope}`}: HTTP ${listed.error.status}: ${listed.error.message}`);
    report.resumedAfterExpiry += listed.value.resumedAfterExpiry;
  }
  return report;
}
