/** @module How a cleanup shows itself on stderr: what it found, progress while it waits and what holds it, and a closing note. */
import { performance } from 'node:perf_hooks';
import type { CleanupEvent, CleanupReport } from '../scenarios/cleanup.js';
import { formatHolder } from '../scenarios/cleanup-holders.js';

/** Prints cleanup progress: what was found, at most one progress line a second, what holds it while nothing moves, then the outcome. */
export function cleanupPrinter(write: (t: string) => void): (e: CleanupEvent) => void {
  let last = 0;
  let shownHolders = '';
  return (e) => {
    if (e.type === 'found') write(`cleanup: ${e.objects} objects labelled ${e.selector} in ${e.namespaces.map((n) => n ?? '(all namespaces)').join(', ')}\n`);
    else if (e.type === 'delete-failed') write(`cleanup: deleting ${e.kind} in ${e.namespace} failed: HTTP ${e.status}: ${e.message}\n`);
    else if (e.type === 'progress' && performance.now() - last >= 1000) {
      last = performance.now();
      write(`cleanup: ${e.gone} gone, ${e.remaining} waiting for their finalizers\n`);
    } else if (e.type === 'waiting') {
      const head = `cleanup: waiting ${Math.round(e.elapsedMs / 1000)} s: ${e.gone} gone, ${e.remaining} still there`;
      // The holders and the hint in full when they change; a short line while they stay the same.
      const key = `${e.holders.map((h) => h.key).join(',')}|${e.hint}`;
      if (key === shownHolders) return write(`${head}, held as above\n`);
      shownHolders = key;
      const shown = e.holders.map((h) => `\n  ${formatHolder(h)}`).join('');
      write(`${head}, held by:${shown}${e.remaining > e.holders.length ? '\n  …' : ''}\n  (${e.hint})\n`);
    } else if (e.type === 'done') write(`cleanup: ${e.outcome}, ${e.remaining} left\n`);
    else if (e.type === 'events' && e.found > 0) {
      write(`cleanup: ${e.deleted} of ${e.found} Events about the run's objects deleted${e.failures.length === 0 ? '' : `; failed: ${e.failures.join('; ')}`}\n`);
    }
  };
}

/** What the note says of the Events about the run's objects. */
function eventsPart(report: CleanupReport): string {
  if (report.eventsError !== undefined) return `; the Events about them were not removed (${report.eventsError}); a cluster drops them after its --event-ttl (1 h by default)`;
  const e = report.events;
  // None found: nothing to say (an operator that wrote none, or their TTL took them).
  if (e === null || e.found === 0) return '';
  // A list resumed past an expired continue token read part of the Events from a newer snapshot.
  const resumed = e.resumedAfterExpiry === 0 ? '' : ` (the Events list outlived the server's compaction window and went on from a newer snapshot ${e.resumedAfterExpiry} times: an Event written meanwhile may be left)`;
  if (e.deleted === e.found) return `; ${e.deleted} Events about them deleted${resumed}`;
  return `; ${e.deleted} of ${e.found} Events about them deleted (${e.failures.join('; ') || 'interrupted'})${resumed}`;
}

/**
 * The result's note on a run's cleanup (and, when it did not finish, what is left and how to
 * remove it). `sandboxStops`: the objects live in a sandbox the run started and stops next.
 */
export function cleanupNote(report: CleanupReport, runId: string, sandboxStops = false): string {
  if (report.outcome === 'clean') return `cleanup: ${report.found} objects labelled with the run id deleted and seen gone${eventsPart(report)}`;
  const shown = report.remaining.slice(0, 10).join(', ');
  if (sandboxStops) {
    return (
      `cleanup ${report.outcome === 'aborted' ? 'interrupted' : 'timed out'}: ${report.remaining.length} objects were still there (deletion was requested): ${shown}` +
      `${report.remaining.length > 10 ? ', …' : ''}; they go with the sandbox this run started, which it stops now`
    );
  }
  return (
    `cleanup ${report.outcome === 'aborted' ? 'interrupted' : 'timed out'}: ${report.remaining.length} objects still there (deletion was requested): ${shown}` +
    `${report.remaining.length > 10 ? ', …' : ''}${report.hint === null ? '' : ` (${report.hint})`}; remove them with: bindy-loadtest cleanup --run-id ${runId}${eventsPart(report)}`
  );
}
