/**
 * @module The e2e plan (pure): a population (zones, records per zone drawn from a range), then, all
 * at once for the run's duration, churn on the sustained engine's open-loop schedule with random
 * spikes drawn from the seed (so `--dry-run` shows them and a rerun repeats them), background DNS
 * queries, and the chaos experiments' faults. Bad input is a usage error naming the key.
 */
import { formatDuration, formatMix, formatRange, formatRate } from '../config/values.js';
import type { Config } from '../config/index.js';
import { UsageError } from '../errors.js';
import type { RateSegment } from '../drive/arrival-schedule.js';
import { generateZoneRecords } from '../model/fixtures/generate.js';
import type { FixtureOptions } from '../model/fixtures/options.js';
import type { RecordObject } from '../model/fixtures/objects.js';
import { createRng, deriveSeed } from '../model/index.js';
import { operationTypes } from '../model/operation.js';
import { checkOverlaps, faultOfExperiment, gapBoundTouchedMs, gapBoundUntouchedMs, type ChaosPlanData } from './chaos-plan.js';
import { describeDnsProbe, dnsProbePlan, type DnsProbePlan } from './dns-probe-plan.js';
import { backgroundDnsLine, planBackgroundDns } from './background-dns-plan.js';
import type { PlanInput, ScenarioPlan } from './scenario.js';
import { planSustained } from './sustained-plan.js';

/**
 * Records one DNSZone may end a run with. bindy lists every record of a zone in that DNSZone's
 * `status.records` (TARGET.md), one object etcd must hold within its 1.5 MiB request limit: at
 * about 150 bytes per entry, 10,000 records. A population plus churn that could grow a zone past it
 * is refused before anything is created.
 */
export const maxRecordsPerZone = 10_000;

/** One spike: the churn at `ratePerSec` from `fromMs` to `toMs` (ms from the churn's start). */
export interface SpikeWindow {
  fromMs: number;
  toMs: number;
  ratePerSec: number;
}

/** What only the e2e drive reads: the chaos drive's data (load, faults, DNS load) and the e2e's own. */
export interface E2ePlanData extends ChaosPlanData {
  /** Records each zone starts with, in zone order. */
  population: number[];
  spikes: SpikeWindow[];
  churnPerSec: number;
  intervalMs: number;
  quietWindowMs: number;
  /** How the changed records are probed (null: not probed). */
  dnsProbe: DnsProbePlan | null;
}

/** Records per zone, each drawn from the range with its own seeded stream (pure, deterministic). */
export function drawPopulation(zones: number, range: { min: number; max: number }, seed: number): number[] {
  const rng = createRng(deriveSeed(seed, 0xe2e, 1));
  return Array.from({ length: zones }, () => rng.int(range.min, range.max));
}

/**
 * Spike windows: one draw per `everyMs` interval of the churn; a spike starts at a seeded offset
 * within its interval and lasts `durationMs` (cut at the run's end). Pure, deterministic.
 */
export function drawSpikes(o: { durationMs: number; everyMs: number; probability: number; spikeMs: number; ratePerSec: number; seed: number }): SpikeWindow[] {
  if (o.probability <= 0) return [];
  const rng = createRng(deriveSeed(o.seed, 0xe2e, 2));
  const out: SpikeWindow[] = [];
  for (let start = 0; start < o.durationMs; start += o.everyMs) {
    const hit = rng.next() < o.probability;
    const offset = rng.next() * Math.max(0, o.everyMs - o.spikeMs);
    if (!hit) continue;
    // Whole seconds: the plan lists them, and a spike is seconds long.
    const fromMs = Math.round((start + offset) / 1000) * 1000;
    const toMs = Math.min(o.durationMs, fromMs + o.spikeMs);
    if (toMs > fromMs) out.push({ fromMs, toMs, ratePerSec: o.ratePerSec });
  }
  return out;
}

/** The churn's rate profile: `baseRate` everywhere but in the spikes (sorted, not overlapping). */
export function churnSegments(durationMs: number, baseRate: number, spikes: readonly SpikeWindow[]): RateSegment[] {
  const out: RateSegment[] = [];
  let t = 0;
  for (const s of spikes) {
    if (s.fromMs > t) out.push({ durationMs: s.fromMs - t, fromPerSec: baseRate, toPerSec: baseRate });
    out.push({ durationMs: s.toMs - s.fromMs, fromPerSec: s.ratePerSec, toPerSec: s.ratePerSec });
    t = s.toMs;
  }
  if (durationMs > t) out.push({ durationMs: durationMs - t, fromPerSec: baseRate, toPerSec: baseRate });
  return out;
}

/**
 * The run's records: first the population (zone by zone round-robin, each zone until it has its
 * count), then the churn's creates round-robin over every zone, without end within the run.
 */
export function* populationStream(o: FixtureOptions, population: readonly number[]): Generator<RecordObject> {
  const gens = population.map((_, z) => generateZoneRecords(o, z));
  const left = [...population];
  let remaining = left.reduce((a, b) => a + b, 0);
  for (let k = 0; remaining > 0; k = (k + 1) % gens.length) {
    if ((left[k] ?? 0) <= 0) continue;
    const next = gens[k]?.next();
    if (next === undefined || next.done === true) return;
    left[k] = (left[k] ?? 0) - 1;
    remaining--;
    yield next.value;
  }
  for (let k = 0; ; k = (k + 1) % gens.length) {
    const next = gens[k]?.next();
    if (next === undefined || next.done === true) return;
    yield next.value;
  }
}

/** The e2e scenario's plan. */
export function planE2e(input: PlanInput): ScenarioPlan<E2ePlanData> {
  const e = input.config.scenarios.e2e;
  if (e.spikeMultiplier <= 0) throw new UsageError(`scenarios.e2e.spikeMultiplier: must be above 0, got ${e.spikeMultiplier}`);
  const population = drawPopulation(e.zones, e.recordsPerZone, input.config.seed);
  const populationTotal = population.reduce((a, b) => a + b, 0);
  const spikes = drawSpikes({ durationMs: e.duration, everyMs: e.spikeEvery, probability: e.spikeProbability, spikeMs: e.spikeDuration, ratePerSec: e.churn * e.spikeMultiplier, seed: input.config.seed });
  const segments = churnSegments(e.duration, e.churn, spikes);
  // A zone's records at most: its population plus every create of the churn landing on it.
  const expectedOps = segments.reduce((a, s) => a + (s.durationMs / 1000) * s.fromPerSec, 0);
  const createsPerZone = Math.ceil((expectedOps * (e.operations.create ?? 0)) / e.zones);
  const largest = Math.max(...population) + createsPerZone;
  if (largest > maxRecordsPerZone) {
    throw new UsageError(
      `scenarios.e2e.churn: ${formatRate(e.churn)} for ${formatDuration(e.duration)} (${Math.round((e.operations.create ?? 0) * 100)} % creates, spikes included) could grow a zone to ${largest.toLocaleString('en-US')} records, above the ${maxRecordsPerZone.toLocaleString('en-US')} one DNSZone's status can list; lower the churn, the creates' weight or recordsPerZone, or add zones`,
    );
  }
  // The churn is the sustained engine over the e2e's zones and kinds; the population is its working
  // set, sized for the largest zone so no zone's record stream runs out.
  const config: Config = {
    ...input.config,
    scenarios: {
      ...input.config.scenarios,
      sustained: {
        ...input.config.scenarios.sustained,
        rate: e.churn,
        duration: e.duration,
        rampUp: 0,
        operations: e.operations,
        kinds: e.kinds,
        zones: e.zones,
        workingSet: Math.max(...population) * e.zones,
        churn: false,
        concurrency: e.concurrency,
        timeout: e.timeout,
        quietWindow: 0,
      },
    },
  };
  const spikeText = spikes.length === 0 ? 'no spikes' : `${spikes.length} spike${spikes.length === 1 ? '' : 's'} to ${formatRate(e.churn * e.spikeMultiplier)}`;
  const load = planSustained({ ...input, config }, { segments, text: `churn ${formatRate(e.churn)} for ${formatDuration(e.duration)} with ${spikeText}` });
  const d = load.data;
  if (d === undefined) throw new Error('the sustained plan carries no schedule');
  const where = 'scenarios.e2e.experiments';
  const faults = e.experiments.map((x, i) => faultOfExperiment(x, i, where, d.recordKinds));
  const dnsLoad = planBackgroundDns(input.config, 'e2e');
  checkOverlaps(faults, where);
  // Always on: answered-by-DNS is what e2e measures (on a cluster through port-forwards, or probe.servers).
  const dnsProbe = dnsProbePlan(input.config, 'on');
  const used = d.recordKinds;
  const describe = [
    load.describe[0] ?? '',
    `2. setup, not measured: ${e.zones} DNSZones, then the population: ${populationTotal} records (${formatRange(e.recordsPerZone)} per zone, drawn per zone from seed ${input.config.seed}; kinds ${used.join(', ')}), each waited Ready (up to ${formatDuration(e.timeout)})`,
    `3. for ${formatDuration(e.duration)}, all at once:`,
    `   churn: ${formatRate(e.churn)} (mix ${formatMix(e.operations, operationTypes)}) on an open-loop schedule, ${d.schedule.total} operations, at most ${e.concurrency} in flight`,
    ...(spikes.length === 0
      ? [`   spikes: none drawn (${Math.round(e.spikeProbability * 100)} % per ${formatDuration(e.spikeEvery)})`]
      : [`   spikes (${Math.round(e.spikeProbability * 100)} % per ${formatDuration(e.spikeEvery)}, ×${e.spikeMultiplier} for ${formatDuration(e.spikeDuration)}): ${spikes.map((s) => `${formatDuration(s.fromMs)}–${formatDuration(s.toMs)}`).join(', ')}`]),
    backgroundDnsLine(dnsLoad, 'DNS queries'),
    ...(faults.length === 0 ? ['   faults: none'] : faults.map((f, i) => `${i === 0 ? '   faults: ' : '           '}${f.key} ${f.text}; converged within ${formatDuration(e.convergeTimeout)}?`)),
    `   every changed record: API accepted → Ready → answered by each DNS server (${describeDnsProbe(dnsProbe)})`,
    `4. wait up to ${formatDuration(e.timeout)} for every accepted operation to take effect and be answered; every figure summarised per ${formatDuration(e.interval)}`,
    e.quietWindow > 0 ? `5. quiet window: ${formatDuration(e.quietWindow)} at rest, counting the operator's reconciles and the API writes` : '5. no quiet window (quietWindow 0s)',
    `6. at the end: every record Ready and served as desired by every DNS server; then every fault still in force reverted and everything labelled loadtest.bindy.firestoned.io/run-id=${input.runId} deleted (unless --keep)`,
  ];
  return {
    ...load,
    scenario: 'e2e',
    describe,
    data: {
      load: { ...d, prefill: populationTotal },
      faults,
      convergeBoundMs: e.convergeTimeout,
      gapBounds: { untouchedMs: gapBoundUntouchedMs, touchedMs: gapBoundTouchedMs },
      dnsLoad,
      population,
      spikes,
      churnPerSec: e.churn,
      intervalMs: e.interval,
      quietWindowMs: e.quietWindow,
      // e2e's spikes are planned on the load's clock: its load is never held.
      quietWindowEachMs: 0,
      dnsProbe,
    },
  };
}
