/** @module `bindy-loadtest backpressure`: the knee of the offered rate, or one pressure bindy must survive, with checks and the recovery time. */
import type { Command } from 'commander';
import { backpressureModes } from '../../config/index.js';
import { scenarios } from '../../scenarios/index.js';
import type { CommandModule } from '../command-module.js';
import { configFlags, resolveCliConfig, type ConfigFlag } from '../config-flags.js';
import { addRunOptions, runConfigFlags, runWithOptions, type RunFlags } from '../run-options.js';

const flags: readonly ConfigFlag[] = [
  { flag: '--mode', key: 'scenarios.backpressure.mode' },
  { flag: '--start-rate', key: 'scenarios.backpressure.startRate' },
  { flag: '--step-rate', key: 'scenarios.backpressure.stepRate' },
  { flag: '--max-rate', key: 'scenarios.backpressure.maxRate' },
  { flag: '--step-duration', key: 'scenarios.backpressure.stepDuration' },
  { flag: '--rate', key: 'scenarios.backpressure.rate' },
  { flag: '--duration', key: 'scenarios.backpressure.duration' },
  { flag: '--pressure-at', key: 'scenarios.backpressure.pressureAt' },
  { flag: '--pressure-duration', key: 'scenarios.backpressure.pressureDuration' },
  { flag: '--recovery-timeout', key: 'scenarios.backpressure.recoveryTimeout' },
  { flag: '--sidecar-delay', key: 'scenarios.backpressure.sidecarDelay' },
  { flag: '--throttle-shares', key: 'scenarios.backpressure.throttleShares' },
  { flag: '--limit-cpu', key: 'scenarios.backpressure.limitCpu' },
  { flag: '--limit-memory', key: 'scenarios.backpressure.limitMemory' },
  { flag: '--limit-workers', key: 'scenarios.backpressure.limitWorkers' },
  { flag: '--allow-cluster-changes', key: 'scenarios.backpressure.allowClusterChanges' },
  { flag: '--zones', key: 'scenarios.sustained.zones' },
  { flag: '--kinds', key: 'scenarios.sustained.kinds' },
  { flag: '--working-set', key: 'scenarios.sustained.workingSet' },
  { flag: '--mix', key: 'scenarios.sustained.operations' },
  { flag: '--concurrency', key: 'scenarios.sustained.concurrency' },
  { flag: '--timeout', key: 'scenarios.sustained.timeout' },
  ...runConfigFlags,
];

const help = `
Modes (--mode):
  step          raise the offered rate from --start-rate by --step-rate up to --max-rate, each step
                --step-duration long; each step's client-side backlog is judged on its last two
                thirds (slope with a 95 % interval: growing = the interval above 0 and a growth of at
                least max(5, one second of the rate)); the schedule stops at the first growing step.
                The knee = the highest rate whose backlog stayed flat: a capacity figure, as fine as
                the step size, with the operator's reconciles/s at the first growing step (its
                ceiling once saturated).
  slow-sidecar  background load at --rate for --duration; from --pressure-at for --pressure-duration
                every bindcar answer to the operator is delayed by --sidecar-delay (sandbox: the fault
                proxy on the operator-sidecar link)
  api-throttle  the same load; during the pressure the API server answers only bindy with 429: a
                FlowSchema puts every request of the operator's ServiceAccount in a
                PriorityLevelConfiguration with --throttle-shares nominal shares and limitResponse
                Reject (a real server's defaults sum to 245 shares of 600 seats: 1 share ≈ 3 seats).
                On a cluster this changes its API Priority and Fairness: --allow-cluster-changes.
  operator-limits  the same load; during the pressure the operator runs with lower limits: CPU
                --limit-cpu (default 100m, a fifth of bindy's 500m), memory --limit-memory (default
                unchanged). Cluster: bindy's Deployment's container limits are patched (requests
                lowered to them where above) and rolled out, then patched back and rolled out again
                (--allow-cluster-changes). Sandbox: the operator twin is restarted with
                --limit-workers workers (default 1) inside control groups with that CPU quota (and
                memory limit), as a kubelet would run it; needs root and a writable cgroup hierarchy.
                The restarts this takes are the tool's and not counted as crashes; a restart while
                limited (an OOM kill) is. The Lease hand-over of each restart (up to 15 s) is part of
                the window, as on a rollout.

Checks of the pressure modes (each pass/fail with its evidence):
  pressure lifted; no operator crash or restart; backoff, not a hot loop (the operator's
  reconciles/s under pressure at most 3× its rate in the minute before); no conflicting writes
  (409s); backlog under pressure ≤ criteria.maxQueueDepth; recovered after the lift within
  --recovery-timeout (every object written before it Ready); api-throttle: the pressure took
  effect (429s were answered). The recovery time is a figure of its own. operator-limits on the
  sandbox also says how often the CPU quota held the twin back (cgroup cpu.stat).

The load is the sustained engine's (--mix, --kinds, --zones, --working-set, --concurrency,
--timeout); the pressure is journalled before it is applied and lifted on error and Ctrl-C
(\`cleanup --run-id ID\` lifts one a killed run left).

Examples:
  $ bindy-loadtest backpressure --mode step --start-rate 5/s --step-rate 5/s --max-rate 60/s --step-duration 1m
  $ bindy-loadtest backpressure --mode slow-sidecar --sidecar-delay 2s --rate 5/s --duration 4m
  $ bindy-loadtest backpressure --mode api-throttle --rate 20/s --duration 3m --pressure-at 30s --pressure-duration 1m
  $ bindy-loadtest backpressure --mode operator-limits --limit-cpu 50m --rate 10/s --duration 4m
  $ bindy-loadtest --target cluster backpressure --mode operator-limits --limit-cpu 100m --limit-memory 128Mi --allow-cluster-changes

Exit codes: 0 every check held (step: a knee or a flat run was judged); 1 a check or criterion
            failed; 2 bad flags, or a mode this target cannot run (said before any load); 3 target
            not ready; 130 interrupted (the pressure lifted first).
`;

/** The `backpressure` command. */
export const backpressureCommand: CommandModule = {
  register(program, ctx) {
    const cmd = program
      .command('backpressure')
      .description('pressure bindy must survive: the knee of the offered rate (step), a slow bindcar, an API that throttles only bindy, lower CPU/memory limits; checks and recovery time')
      .option('--mode <mode>', `${backpressureModes.join(', ')} (scenarios.backpressure.mode; default step)`)
      .option('--start-rate <rate>', 'step: first rate, e.g. 5/s (scenarios.backpressure.startRate)')
      .option('--step-rate <rate>', 'step: added per step (scenarios.backpressure.stepRate)')
      .option('--max-rate <rate>', 'step: last rate at most (scenarios.backpressure.maxRate)')
      .option('--step-duration <duration>', 'step: length of each step, e.g. 1m (scenarios.backpressure.stepDuration)')
      .option('--rate <rate>', 'pressure modes: offered operations per second (scenarios.backpressure.rate)')
      .option('--duration <duration>', 'pressure modes: total load (scenarios.backpressure.duration)')
      .option('--pressure-at <duration>', 'pressure modes: when the pressure starts (scenarios.backpressure.pressureAt)')
      .option('--pressure-duration <duration>', 'pressure modes: how long it lasts (scenarios.backpressure.pressureDuration)')
      .option('--recovery-timeout <duration>', 'bound on the recovery after the lift (scenarios.backpressure.recoveryTimeout)')
      .option('--sidecar-delay <duration>', 'slow-sidecar: added to every bindcar answer (scenarios.backpressure.sidecarDelay)')
      .option('--throttle-shares <n>', "api-throttle: nominalConcurrencyShares of bindy's priority level (scenarios.backpressure.throttleShares)")
      .option('--limit-cpu <cpu>', "operator-limits: the operator's CPU limit under pressure, e.g. 100m (scenarios.backpressure.limitCpu)")
      .option('--limit-memory <size>', "operator-limits: its memory limit under pressure, e.g. 128Mi (scenarios.backpressure.limitMemory)")
      .option('--limit-workers <n>', "operator-limits on the sandbox: the twin's concurrent reconciles under pressure (scenarios.backpressure.limitWorkers)")
      .option('--allow-cluster-changes', "on a cluster, allow api-throttle to add (and remove) APF objects and operator-limits to patch (and restore) bindy's Deployment (scenarios.backpressure.allowClusterChanges)")
      .option('--zones <n>', 'DNSZones the records are spread over (scenarios.sustained.zones)')
      .option('--kinds <mix>', 'record-kind mix of the creates (scenarios.sustained.kinds)')
      .option('--working-set <n>', 'records created and Ready before the load (scenarios.sustained.workingSet)')
      .option('--mix <weights>', 'create,update,delete weights of the load (scenarios.sustained.operations)')
      .option('--concurrency <n>', 'writes in flight at most; one due when all are busy is dropped (scenarios.sustained.concurrency)')
      .option('--timeout <duration>', 'bound on the setup waits and on the wait for outstanding operations (scenarios.sustained.timeout)');
    addRunOptions(cmd, 'backpressure')
      .addHelpText('after', help)
      .action(async (o: RunFlags, c: Command) => {
        const resolved = await resolveCliConfig(ctx, configFlags(o, flags));
        await runWithOptions(ctx, scenarios.backpressure, resolved, o, c);
      });
  },
};
