/**
 * @module What every scenario built on the sustained engine shares: the session's options from the
 * plan, the measurement of its result, and the run observers started just before the measured
 * schedule and stopped (in reverse, once) after it (StartedObservers).
 */
import { measureSustained, type SustainedMeasurement } from '../drive/sustained-measure.js';
import type { SustainedSessionOptions, SustainedSessionResult } from '../drive/sustained-session.js';
import type { RecordObject } from '../model/fixtures/objects.js';
import { recordStream, type SustainedPlanData } from './sustained-plan.js';
import type { DriveContext } from './scenario.js';

/** The session's options from the plan's data; `records` wraps the record stream (default: the stream itself). */
export function sustainedSessionOptions(
  ctx: DriveContext,
  plan: { runId: string; namespace: string },
  d: SustainedPlanData,
  hooks: Pick<SustainedSessionOptions, 'beforeMeasured' | 'onEvent' | 'onSample' | 'onOperation' | 'pause'> & { records?: (source: () => Iterator<RecordObject>) => () => Iterator<RecordObject> },
): SustainedSessionOptions {
  const source = (): Iterator<RecordObject> => recordStream(d.fixtures);
  return {
    client: ctx.client,
    runId: plan.runId,
    namespace: plan.namespace,
    recordKinds: d.recordKinds,
    zones: d.zones,
    records: hooks.records === undefined ? source : hooks.records(source),
    schedule: d.schedule,
    rampUpMs: d.rampUpMs,
    policy: d.policy,
    prefill: d.prefill,
    maxInFlight: d.maxInFlight,
    timeoutMs: d.timeoutMs,
    ttl: { min: d.fixtures.ttl.min, max: d.fixtures.ttl.max },
    seed: d.fixtures.seed,
    maxRetries: 3,
    journal: ctx.journal,
    stopStarting: ctx.stopStarting,
    hardStop: ctx.hardStop,
    ...(hooks.beforeMeasured === undefined ? {} : { beforeMeasured: hooks.beforeMeasured }),
    onEvent: hooks.onEvent ?? ctx.onEvent,
    ...(hooks.onSample === undefined ? {} : { onSample: hooks.onSample }),
    ...(hooks.onOperation === undefined ? {} : { onOperation: hooks.onOperation }),
    ...(hooks.pause === undefined ? {} : { pause: hooks.pause }),
    ...(ctx.runObjectUids === undefined ? {} : { seenUids: ctx.runObjectUids }),
  };
}

/** The figures of a finished session, against the plan's rate, ramp-up, duration and timeout. */
export function measureSession(d: SustainedPlanData, s: SustainedSessionResult): SustainedMeasurement {
  return measureSustained({
    ledger: s.ledger,
    engine: s.engine,
    ratePerSec: d.ratePerSec,
    rampUpMs: d.rampUpMs,
    // A held schedule ran that much longer (chaos's quiet windows).
    durationMs: d.durationMs + s.heldMs,
    settled: s.settled,
    timeoutMs: d.timeoutMs,
    tracker: s.tracker,
    toolPeakRssBytes: process.resourceUsage().maxRSS * 1024,
  });
}

