/**
 * @module The named profiles, written in the file's own syntax and validated like a file. Criteria
 * start from the targets bindy's maintainers set for a load test (reconcile p99 10/5/3 s, create→DNS
 * p99 30/15/10 s, errors 1/0.5/0.1 %, memory growth 100/50/20 MiB/h, sustained 10/50/100 ops/s for
 * quick/standard/extended). A scenario's own headline latencies (create→Ready, update→Ready,
 * delete→gone) take the create→DNS limits: bindy writes Ready right after its DNS update succeeds, so
 * the two differ by about one status write; docs/configuration.md gives the reasons for every other value.
 */
import { deepFreeze } from './freeze.js';
import type { ProfileName } from './types.js';

/** A profile: a partial configuration in the file's syntax. */
export type ProfileValues = Readonly<Record<string, unknown>>;

/** The memory and CPU limits of bindy's own Deployment (512Mi, 500m): above them it is OOM-killed or throttled. */
const resourceLimits = { maxMemoryMB: '512Mi', maxCpuCores: 0.5 } as const;

/** Every named profile. */
export const profiles: Readonly<Record<ProfileName, ProfileValues>> = deepFreeze({
  quick: {
    suite: ['burst', 'sustained'],
    fixtures: { zones: 10, recordsPerZone: 10 },
    scenarios: {
      burst: { records: 100, zones: 10, concurrency: 20, timeout: '2m' },
      sustained: { rate: '10/s', duration: '3m', rampUp: '30s', zones: 10 },
      chaos: { duration: '5m', rate: '5/s', experiments: [{ kind: 'operator-kill', at: '1m', duration: '30s' }] },
      e2e: { duration: '5m', zones: 5, recordsPerZone: '10..30', churn: '120/m', queryRate: '200/s', experiments: [{ kind: 'operator-kill', at: '2m', duration: '20s' }] },
      backpressure: { startRate: '5/s', stepRate: '10/s', maxRate: '100/s', stepDuration: '30s' },
      bind: { qps: '1000/s', duration: '30s', clients: 2 },
    },
    criteria: {
      createToReadyP99: '30s',
      updateToReadyP99: '30s',
      deleteToGoneP99: '30s',
      reconcileP99: '10s',
      e2ePropagationP99: '30s',
      dnsQueryP99: '100ms',
      maxDnsQueryLoss: '1%',
      minDnsThroughputQps: '1000/s',
      minSustainedOpsPerSec: '10/s',
      maxErrorRate: '1%',
      maxRetryRate: '5%',
      maxQueueDepth: 500,
      maxMemoryGrowthMBPerHour: 100,
      ...resourceLimits,
    },
  },
  standard: {
    suite: ['burst', 'sustained'],
    fixtures: { zones: 50, recordsPerZone: 100 },
    scenarios: {
      burst: { records: 500, zones: 50, concurrency: 50, timeout: '5m' },
      // The timeout bounds the setup too: 50 zones took 177 s on the default sandbox (bindcar's limiter).
      sustained: { rate: '50/s', duration: '20m', rampUp: '2m', zones: 50, timeout: '5m' },
      chaos: { duration: '15m', rate: '20/s', experiments: [{ kind: 'operator-kill', at: '3m', duration: '30s' }, { kind: 'sidecar-delay', at: '8m', duration: '3m' }] },
      e2e: { duration: '30m', zones: 20, recordsPerZone: '20..100', churn: '600/m', queryRate: '1000/s', experiments: [{ kind: 'operator-kill', at: '10m', duration: '30s' }, { kind: 'bind9-crash', at: '20m', duration: '30s' }] },
      backpressure: { startRate: '10/s', stepRate: '20/s', maxRate: '500/s', stepDuration: '1m' },
      bind: { qps: '5000/s', duration: '2m', clients: 4 },
    },
    criteria: {
      createToReadyP99: '15s',
      updateToReadyP99: '15s',
      deleteToGoneP99: '15s',
      reconcileP99: '5s',
      e2ePropagationP99: '15s',
      dnsQueryP99: '50ms',
      maxDnsQueryLoss: '0.5%',
      minDnsThroughputQps: '5000/s',
      minSustainedOpsPerSec: '50/s',
      maxErrorRate: '0.5%',
      maxRetryRate: '2%',
      maxQueueDepth: 1500,
      maxMemoryGrowthMBPerHour: 50,
      ...resourceLimits,
    },
  },
  extended: {
    suite: ['burst', 'sustained'],
    fixtures: { zones: 100, recordsPerZone: 1000 },
    scenarios: {
      burst: { records: 5000, zones: 100, concurrency: 100, timeout: '15m' },
      sustained: { rate: '100/s', duration: '90m', rampUp: '5m', zones: 100, timeout: '10m' },
      chaos: { duration: '20m', rate: '50/s', experiments: [{ kind: 'operator-kill', at: '5m', duration: '30s' }, { kind: 'bind9-crash', at: '12m', duration: '30s' }] },
      e2e: { duration: '2h', zones: 50, recordsPerZone: '50..200', churn: '1200/m', queryRate: '2000/s', experiments: [{ kind: 'operator-kill', at: '20m', duration: '30s' }, { kind: 'bind9-crash', at: '50m', duration: '30s' }, { kind: 'sidecar-delay', at: '80m', duration: '5m', params: { delay: '2s' } }] },
      backpressure: { startRate: '20/s', stepRate: '20/s', maxRate: '1000/s', stepDuration: '2m' },
      bind: { qps: '10000/s', duration: '5m', clients: 8 },
    },
    criteria: {
      createToReadyP99: '10s',
      updateToReadyP99: '10s',
      deleteToGoneP99: '10s',
      reconcileP99: '3s',
      e2ePropagationP99: '10s',
      dnsQueryP99: '20ms',
      maxDnsQueryLoss: '0.1%',
      minDnsThroughputQps: '10000/s',
      minSustainedOpsPerSec: '100/s',
      maxErrorRate: '0.1%',
      maxRetryRate: '1%',
      maxQueueDepth: 6000,
      maxMemoryGrowthMBPerHour: 20,
      ...resourceLimits,
    },
  },
  chaos: {
    suite: ['burst', 'chaos'],
    fixtures: { zones: 50, recordsPerZone: 100 },
    scenarios: {
      burst: { records: 1000, zones: 50, concurrency: 50, timeout: '10m' },
      sustained: { rate: '20/s', duration: '10m', rampUp: '1m', zones: 50, timeout: '5m' },
      chaos: {
        duration: '55m',
        rate: '20/s',
        // bindy's chaos suite checks a quiet window after every step: up to 9 × 90 s more.
        quietWindowEach: '60s',
        experiments: [
          { kind: 'operator-kill', at: '5m', duration: '30s' },
          { kind: 'sidecar-delay', at: '10m', duration: '5m', params: { delay: '2s' } },
          { kind: 'sidecar-errors', at: '17m', duration: '5m', params: { errorRate: '20%', status: 503 } },
          { kind: 'network-delay', at: '24m', duration: '5m', params: { link: 'operator-apiserver', latency: '200ms', jitter: '50ms' } },
          { kind: 'packet-loss', at: '31m', duration: '5m', params: { link: 'operator-bind', loss: '10%' } },
          { kind: 'partition', at: '38m', duration: '2m', params: { link: 'operator-sidecar' } },
          { kind: 'apiserver-throttle', at: '42m', duration: '5m', params: { shares: 1 } },
          { kind: 'bind9-crash', at: '49m', duration: '30s' },
          { kind: 'sidecar-down', at: '52m', duration: '30s' },
        ],
      },
      e2e: { duration: '55m', zones: 50, recordsPerZone: '20..100', churn: '600/m', queryRate: '1000/s', experiments: [{ kind: 'operator-kill', at: '10m', duration: '30s' }, { kind: 'sidecar-delay', at: '25m', duration: '5m', params: { delay: '2s' } }, { kind: 'bind9-crash', at: '40m', duration: '30s' }] },
      backpressure: { startRate: '10/s', stepRate: '20/s', maxRate: '300/s', stepDuration: '1m' },
      bind: { qps: '2000/s', duration: '2m', clients: 4 },
    },
    criteria: {
      createToReadyP99: '3m',
      updateToReadyP99: '3m',
      deleteToGoneP99: '3m',
      reconcileP99: '30s',
      e2ePropagationP99: '3m',
      dnsQueryP99: '200ms',
      maxDnsQueryLoss: '5%',
      minDnsThroughputQps: '2000/s',
      minSustainedOpsPerSec: '10/s',
      maxErrorRate: '5%',
      maxRetryRate: '20%',
      maxQueueDepth: 5000,
      maxMemoryGrowthMBPerHour: 100,
      ...resourceLimits,
    },
  },
  // One hour that looks like production (docs/e2e.md): a population, churn, DNS queries, spikes and
  // three faults at once. Its latency criteria are quick's (30 s): a fault in the run costs the
  // operations around it their p99; the faults' own invariants judge the recovery.
  production: {
    suite: ['e2e'],
    fixtures: { zones: 50, recordsPerZone: 100 },
    scenarios: {
      e2e: {
        duration: '1h',
        zones: 50,
        recordsPerZone: '50..200',
        churn: '600/m',
        operations: '30,40,30',
        queryRate: '1000/s',
        spikeEvery: '5m',
        spikeProbability: '20%',
        spikeMultiplier: 5,
        spikeDuration: '30s',
        interval: '1m',
        concurrency: 200,
        timeout: '5m',
        experiments: [
          { kind: 'operator-kill', at: '15m', duration: '30s' },
          { kind: 'bind9-crash', at: '30m', duration: '30s' },
          { kind: 'sidecar-delay', at: '45m', duration: '3m', params: { delay: '2s' } },
        ],
      },
    },
    criteria: {
      createToReadyP99: '30s',
      updateToReadyP99: '30s',
      deleteToGoneP99: '30s',
      reconcileP99: '10s',
      e2ePropagationP99: '30s',
      dnsQueryP99: '100ms',
      maxDnsQueryLoss: '1%',
      minDnsThroughputQps: '1000/s',
      minSustainedOpsPerSec: '10/s',
      maxErrorRate: '1%',
      maxRetryRate: '5%',
      maxQueueDepth: 2000,
      maxMemoryGrowthMBPerHour: 50,
      ...resourceLimits,
    },
  },
});
