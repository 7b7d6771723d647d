/**
 * @module The chaos plan (pure): the background load (the sustained engine's schedule at the chaos
 * rate, over the sustained section's zones, kinds, mix and working set) and each experiment turned
 * into one fault of one mechanism on one target, checked before any load: a fault this target
 * cannot apply, or two that overlap on one target, is a usage error (exit 2) naming them.
 */
import { formatDuration, formatRate } from '../config/values.js';
import type { ChaosExperiment, Config } from '../config/index.js';
import { UsageError } from '../errors.js';
import { describeFault, type FaultSite, type FaultSpec } from '../faults/fault.js';
import { backgroundDnsLine, planBackgroundDns, type BackgroundDnsPlan } from './background-dns-plan.js';
import type { PlanInput, ScenarioPlan } from './scenario.js';
import { planSustained, type SustainedPlanData } from './sustained-plan.js';

/** DNS gap bound on a server the fault did not touch (bindy's suite: 2 s). */
export const gapBoundUntouchedMs = 2_000;
/** DNS gap bound on a server the fault touched (bindy's suite: 120 s). */
export const gapBoundTouchedMs = 120_000;

/** One experiment as a fault: what it applies to which link or part, and when (the target picks the mechanism: one plan for both targets). */
export interface PlannedFault {
  /** `exp-<index>`: the journal's key and the report's. */
  key: string;
  experiment: ChaosExperiment['kind'];
  atMs: number;
  durationMs: number;
  /** A link (network faults) or a part (process faults); the target maps it to its mechanism. */
  site: FaultSite;
  /** The link or part, by the names both targets know (operator-bind, named…). */
  target: string;
  spec: FaultSpec;
  /** The fault acts on what answers DNS queries (named itself, or the clients' link to it): the looser gap bound applies. */
  touchesServing: boolean;
  /** The servers it touches, by name (`primary-0`, `secondary-<i>`); absent: every server (when it touches serving). */
  touchedServers?: readonly string[];
  /** One line, e.g. `network-delay: latency 500 ms upstream on link operator-bind, at 30s for 30s`. */
  text: string;
}

/** What only the chaos drive reads. */
export interface ChaosPlanData {
  load: SustainedPlanData;
  faults: PlannedFault[];
  convergeBoundMs: number;
  gapBounds: { untouchedMs: number; touchedMs: number };
  /** Background DNS queries for the whole load (dnsperf), or off. */
  dnsLoad: BackgroundDnsPlan;
  /** Reconciles counted at rest after the end state, ms (0: none). */
  quietWindowMs: number;
  /** After each experiment converged: the load held and reconciles counted at rest, ms (0: none). */
  quietWindowEachMs: number;
}

/**
 * The fault an experiment stands for, on the sandbox (pure); a UsageError for one the sandbox has
 * no mechanism for yet. `loadKinds`: the kinds the background load creates (what a quota counts).
 */
export function faultOfExperiment(e: ChaosExperiment, index: number, where = 'scenarios.chaos.experiments', loadKinds: readonly string[] = []): PlannedFault {
  const base = { key: `exp-${index}`, experiment: e.kind, atMs: e.at, durationMs: e.duration };
  const make = (site: FaultSite, target: string, spec: FaultSpec, touchesServing: boolean): PlannedFault => ({
    ...base,
    site,
    target,
    spec,
    touchesServing,
    // A part of one server's named touches that server only: the others keep answering, under the tight bound.
    ...(touchesServing && site === 'part' ? { touchedServers: [serverOfPart(target)] } : {}),
    text: `${e.kind}: ${describeFault(spec)} on ${site} ${target}, at ${formatDuration(e.at)} for ${formatDuration(e.duration)}`,
  });
  switch (e.kind) {
    case 'operator-kill':
      return make('part', 'operator', { kind: 'kill', signal: e.params.signal }, false);
    case 'bind9-crash':
      return make('part', partOfServer('named', e.params.server), { kind: 'kill', signal: e.params.signal, ...(e.params.zoneData === 'lose' ? { loseData: true } : {}) }, true);
    case 'sidecar-down':
      return make('part', partOfServer('sidecar', e.params.server), { kind: 'kill', signal: e.params.signal }, false);
    case 'sidecar-delay':
      // Added to every bindcar response: latency on the way back from bindcar to the operator.
      return make('link', 'operator-sidecar', { kind: 'latency', ms: e.params.delay, direction: 'downstream' }, false);
    case 'network-delay':
    case 'packet-loss':
    case 'partition':
    case 'bandwidth':
      if (e.params.link === 'sidecar-bind') {
        // bindcar talks to named by rndc and from its own files: no proxy sits there on the sandbox.
        throw new UsageError(`${where}[${index}]: ${e.kind} on link sidecar-bind has no mechanism on the sandbox yet (its links: operator-apiserver, operator-sidecar, operator-bind, client-bind)`);
      }
      // A rate of 0 would be a partition by another name: the size syntax allows 0, the fault does not.
      if (e.kind === 'bandwidth' && e.params.rate < 1) throw new UsageError(`${where}[${index}]: bandwidth rate must be more than 0 bytes per second (nothing at all is a partition)`);
      return networkFault(e, make);
    case 'sidecar-errors':
      // bindcar's own answers: a share of its API requests fail with that status, named untouched.
      return make('part', 'sidecar', { kind: 'http-errors', share: e.params.errorRate, status: e.params.status }, false);
    case 'apiserver-throttle':
      // The operator's own requests squeezed by API Priority and Fairness (backpressure's api-throttle objects).
      return make('part', 'apiserver', { kind: 'throttle', shares: e.params.shares }, false);
    case 'cpu-throttle':
    case 'memory-pressure':
    case 'fd-exhaustion': {
      const p = e.params;
      if (p.part === 'operator' && p.server !== 'primary') throw new UsageError(`${where}[${index}]: ${e.kind} of the operator takes no server (server=${p.server} names a BIND9 server's named or sidecar)`);
      const part = p.part === 'operator' ? 'operator' : partOfServer(p.part, p.server);
      const spec: FaultSpec = e.kind === 'cpu-throttle' ? { kind: 'cpu-limit', cores: e.params.cpu } : e.kind === 'memory-pressure' ? { kind: 'memory-limit', mib: e.params.limit } : { kind: 'fd-limit', spare: e.params.spare };
      return make('part', part, spec, p.part === 'named');
    }
    case 'disk-full':
      // named keeps answering from memory while its disk is full: the tight DNS gap bound holds.
      return make('part', partOfServer('named', e.params.server), { kind: 'disk-full', ...(e.params.free === 0 ? {} : { freeBytes: e.params.free }) }, false);
    case 'zone-corruption':
      // named restarts and a torn zone answers SERVFAIL until it is mended: the loose bound applies.
      return make('part', partOfServer('named', e.params.server), { kind: 'zone-corruption', ...(e.params.zones === 1 ? {} : { zones: e.params.zones }) }, true);
    case 'split-brain':
      return make('part', 'operator', { kind: 'replica', leaderElection: e.params.leaderElection === 'on' }, false);
    case 'too-many-objects':
      // The kinds come from the load (planChaos fills them in): what its creates make.
      if (loadKinds.length === 0) throw new UsageError(`${where}[${index}]: too-many-objects needs a background load that creates records (its quota counts their kinds)`);
      return make('part', 'apiserver', { kind: 'quota', kinds: loadKinds, headroom: e.params.headroom }, false);
  }
}

/** The part of `server` (`primary` or `secondary-<i>`): `named`, `named-secondary-0`… as the sandbox names them (pure). */
export function partOfServer(part: 'named' | 'sidecar', server: string | undefined): string {
  return server === undefined || server === 'primary' ? part : `${part}-${server}`;
}

/** The DNS server a part of BIND9 belongs to, by the name the audit and the gap prober use (pure). */
export function serverOfPart(part: string): string {
  const m = /-(secondary-\d+)$/.exec(part);
  return m?.[1] ?? 'primary-0';
}

/** The fault of a network experiment on its link (faults on `client-bind` touch what answers queries). */
function networkFault(
  e: Extract<ChaosExperiment, { kind: 'network-delay' | 'packet-loss' | 'partition' | 'bandwidth' }>,
  make: (site: FaultSite, target: string, spec: FaultSpec, touchesServing: boolean) => PlannedFault,
): PlannedFault {
  const touches = e.params.link === 'client-bind';
  switch (e.kind) {
    case 'network-delay':
      return make('link', e.params.link, { kind: 'latency', ms: e.params.latency, ...(e.params.jitter > 0 ? { jitterMs: e.params.jitter } : {}), direction: 'upstream' }, touches);
    case 'packet-loss':
      return make('link', e.params.link, { kind: 'loss', share: e.params.loss, direction: 'both' }, touches);
    case 'partition':
      return make('link', e.params.link, { kind: 'partition' }, touches);
    case 'bandwidth':
      return make('link', e.params.link, { kind: 'bandwidth', bytesPerSecond: e.params.rate, direction: 'both' }, touches);
  }
}

/** Experiment kinds the sandbox can run today. */
export const sandboxExperiments: readonly ChaosExperiment['kind'][] = ['operator-kill', 'bind9-crash', 'sidecar-down', 'sidecar-delay', 'sidecar-errors', 'network-delay', 'packet-loss', 'partition', 'bandwidth', 'apiserver-throttle', 'cpu-throttle', 'memory-pressure', 'fd-exhaustion', 'disk-full', 'zone-corruption', 'too-many-objects', 'split-brain'];

/** Refuses two faults on one target whose windows overlap (their reverts would undo each other). */
export function checkOverlaps(faults: readonly PlannedFault[], where = 'scenarios.chaos.experiments'): void {
  const sorted = [...faults].sort((a, b) => a.atMs - b.atMs);
  for (let i = 0; i < sorted.length; i++) {
    for (let k = i + 1; k < sorted.length; k++) {
      const a = sorted[i];
      const b = sorted[k];
      if (a === undefined || b === undefined) continue;
      const sameTarget = a.site === b.site && a.target === b.target;
      if (sameTarget && b.atMs < a.atMs + a.durationMs) {
        throw new UsageError(`${where}: ${a.key} (${a.text}) and ${b.key} (${b.text}) overlap on ${a.target}; one fault per target at a time`);
      }
    }
  }
}

/** The chaos scenario's plan. */
export function planChaos(input: PlanInput): ScenarioPlan<ChaosPlanData> {
  const c = input.config.scenarios.chaos;
  if (c.experiments.length === 0) {
    throw new UsageError('scenarios.chaos.experiments: none given: name one with --scenario (e.g. chaos --scenario operator-kill) or list them in the config file');
  }
  // The background load is the sustained engine at the chaos rate, for the chaos duration, no ramp.
  const config: Config = {
    ...input.config,
    scenarios: { ...input.config.scenarios, sustained: { ...input.config.scenarios.sustained, rate: c.rate, duration: c.duration, rampUp: 0, quietWindow: 0 } },
  };
  const load = planSustained({ ...input, config });
  const data = load.data;
  if (data === undefined) throw new Error('the sustained plan carries no schedule');
  const faults = c.experiments.map((e, i) => faultOfExperiment(e, i, undefined, data.recordKinds));
  const dnsLoad = planBackgroundDns(input.config, 'chaos');
  checkOverlaps(faults);
  const describe = [
    ...load.describe.slice(0, 2),
    `3. background load: ${formatRate(c.rate)} for ${formatDuration(c.duration)} on an open-loop schedule (the sustained engine; its mix, kinds and working set)`,
    ...faults.map((f, i) => `${i === 0 ? '4.' : '  '} ${f.key} ${f.text}: steady state checked before; sampled during; reverted and proven reverted; then converged within ${formatDuration(c.convergeTimeout)}?`),
    `5. invariants per experiment: convergence ≤ ${formatDuration(c.convergeTimeout)} after the revert; DNS gap ≤ ${formatDuration(gapBoundUntouchedMs)} on a server the fault did not touch (≤ ${formatDuration(gapBoundTouchedMs)} on one it did); the fault proven gone`,
    ...(c.quietWindowEach > 0
      ? [`   after each convergence: the background load held (its schedule resumes where it stopped, so later experiments move later by the hold) and the operator's reconciles counted at rest for ${formatDuration(c.quietWindowEach)}, judged per bindy line`]
      : []),
    backgroundDnsLine(dnsLoad, 'background DNS queries'),
    `6. at the end: every record Ready and served as desired by every DNS server (the desired-vs-served audit); Ready statuses DNS contradicts counted apart`,
    `7. cleanup: every fault still in force reverted first (journalled before it was applied), then everything labelled loadtest.bindy.firestoned.io/run-id=${input.runId} deleted (unless --keep)`,
  ];
  return {
    ...load,
    scenario: 'chaos',
    describe,
    data: { load: data, faults, convergeBoundMs: c.convergeTimeout, gapBounds: { untouchedMs: gapBoundUntouchedMs, touchedMs: gapBoundTouchedMs }, dnsLoad, quietWindowMs: c.quietWindow, quietWindowEachMs: c.quietWindowEach },
  };
}
