/** @module The sustained plan (pure): the schedule, the operation mix, the zones and the record stream, from the configuration. */
import { formatDuration, formatMix, formatRate } from '../config/values.js';
import { UsageError } from '../errors.js';
import { ArrivalSchedule, rampThenConstant, type RateSegment } from '../drive/arrival-schedule.js';
import type { MixPolicy } from '../drive/working-set.js';
import { generateCluster, generateZone, generateZoneRecords } from '../model/fixtures/generate.js';
import type { FixtureOptions } from '../model/fixtures/options.js';
import type { DnsZoneObject, RecordObject } from '../model/fixtures/objects.js';
import { recordKinds } from '../model/kinds.js';
import type { BindyKind, RecordKind } from '../model/kinds.js';
import { operationTypes } from '../model/operation.js';
import type { KubeObject } from '../observe/kube-client.js';
import { fixtureOptionsFromConfig } from './fixture-options.js';
import type { PlanInput, ScenarioPlan } from './scenario.js';

/** What only the sustained drive reads. */
export interface SustainedPlanData {
  schedule: ArrivalSchedule;
  policy: MixPolicy;
  fixtures: FixtureOptions;
  zones: DnsZoneObject[];
  recordKinds: RecordKind[];
  /** Records created before the schedule (not measured). */
  prefill: number;
  ratePerSec: number;
  rampUpMs: number;
  durationMs: number;
  maxInFlight: number;
  timeoutMs: number;
  quietWindowMs: number;
}

/** Records zone by zone round-robin, without end within the run (each zone's generator is sized for it). */
export function* recordStream(o: FixtureOptions): Generator<RecordObject> {
  const gens: Generator<RecordObject>[] = [];
  for (let z = 0; z < o.zones; z++) gens.push(generateZoneRecords(o, z));
  for (let k = 0; ; k++) {
    const next = gens[k % o.zones]?.next();
    if (next === undefined || next.done === true) return;
    yield next.value;
  }
}

/** A rate profile other than the sustained section's ramp-then-constant (backpressure's steps), with one line saying what it is. */
export interface RateProfile {
  segments: readonly RateSegment[];
  text: string;
}

/** The sustained scenario's plan; `profile` replaces the section's rate, ramp-up and duration (its other keys still apply). */
export function planSustained(input: PlanInput, profile?: RateProfile): ScenarioPlan<SustainedPlanData> {
  const { config, runId } = input;
  const s = config.scenarios.sustained;
  if (s.duration <= 0) throw new UsageError('scenarios.sustained.duration: must be above 0 (e.g. --duration 2m)');
  if (s.rate <= 0) throw new UsageError('scenarios.sustained.rate: must be above 0/s (e.g. --rate 20/s)');
  if (s.timeout <= 0) throw new UsageError('scenarios.sustained.timeout: must be above 0 (e.g. --timeout 2m)');
  if (s.churn && s.workingSet < 1) throw new UsageError('--churn keeps the working set at its size: give --working-set N (N ≥ 1)');
  const schedule = new ArrivalSchedule(profile?.segments ?? rampThenConstant(s.rate, s.duration, s.rampUp));
  const kinds: Partial<Record<RecordKind, number>> = { ...s.kinds };
  // Every create, plus the working set, gets its own name: size each zone's stream for all of them.
  const creates = s.workingSet + schedule.total;
  const fixtures = fixtureOptionsFromConfig(config, { runId, zones: s.zones, recordsPerZone: Math.ceil(creates / s.zones) + 1, kinds });
  const zones = Array.from({ length: s.zones }, (_, i) => generateZone(fixtures, i));
  const cluster = generateCluster(fixtures);
  const used = recordKinds.filter((k) => (fixtures.kinds[k] ?? 0) > 0);
  const policy: MixPolicy = s.churn ? { kind: 'churn', size: s.workingSet } : { kind: 'weighted', weights: { ...s.operations } };
  const mix = s.churn ? `churn: create+delete pairs keeping ${s.workingSet} records` : `mix ${formatMix(s.operations, operationTypes)}`;
  const describe = [
    `1. namespace ${config.namespace} and Bind9Cluster ${cluster.metadata.name}: as for burst (created where allowed, not measured)`,
    `2. setup, not measured: ${s.zones} DNSZones, then ${s.workingSet} records (kinds ${used.join(', ')}), each waited Ready (up to ${formatDuration(s.timeout)})`,
    `3. measured: ${profile?.text ?? `${formatRate(s.rate)} for ${formatDuration(s.duration)} (linear ramp-up over ${formatDuration(s.rampUp)})`}: ${schedule.total} operations on an open-loop schedule, ${mix};`,
    `   at most ${s.concurrency} in flight (an operation due when all are busy is dropped and counted); update = server-side apply of a new spec.ttl; delete = one of this run's settled records`,
    `4. wait up to ${formatDuration(s.timeout)} for every accepted operation to take effect (Ready at its generation, or gone)`,
    s.quietWindow > 0 ? `5. quiet window: ${formatDuration(s.quietWindow)} at rest, counting the operator's reconciles and the API writes` : '5. no quiet window (quietWindow 0s)',
    `6. cleanup: delete everything labelled loadtest.bindy.firestoned.io/run-id=${runId} and wait until it is gone (unless --keep)`,
  ];
  const streamKinds: BindyKind[] = ['DNSZone', ...used];
  return {
    scenario: 'sustained',
    runId,
    namespace: config.namespace,
    setup: { namespace: config.namespace, cluster },
    kinds: streamKinds,
    total: schedule.total,
    describe,
    objects: (): Iterable<KubeObject> => zones,
    engine: { concurrency: s.concurrency, timeoutMs: s.timeout },
    data: {
      schedule,
      policy,
      fixtures,
      zones,
      recordKinds: used,
      prefill: s.workingSet,
      ratePerSec: s.rate,
      rampUpMs: s.rampUp,
      durationMs: s.duration,
      maxInFlight: s.concurrency,
      timeoutMs: s.timeout,
      quietWindowMs: s.quietWindow,
    },
  };
}
