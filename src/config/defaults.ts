/** @module Every default value of the configuration, in one place (docs/configuration.md explains each). */
import { deepFreeze } from './freeze.js';
import type { ChaosExperiment, Config } from './types.js';
import { bindyKinds } from '../model/kinds.js';

/** The mix of record kinds used unless told otherwise: mostly A, as in real zones, plus the other common kinds. */
const defaultKinds = { ARecord: 0.7, AAAARecord: 0.1, CNAMERecord: 0.1, TXTRecord: 0.1 } as const;

/** The configuration with no profile, no file and no flags: a small, fast run against the sandbox. */
export const defaultConfig: Config = deepFreeze({
  namespace: 'bindy-loadtest',
  target: 'sandbox',
  output: './results',
  seed: 1,
  shards: 1,
  shardRunner: 'auto',
  suite: ['burst'],
  fixtures: {
    zones: 10,
    recordsPerZone: 10,
    kinds: defaultKinds,
    ttl: { min: 60, max: 3600 },
    zoneNamePattern: 'zone-{}.{run}.example.com',
    recordNamePattern: 'host-{}',
    nxdomainShare: 0.1,
    clusterName: 'loadtest',
  },
  scenarios: {
    burst: { kind: 'burst', records: 100, zones: 10, mixed: false, kinds: defaultKinds, concurrency: 20, timeout: 300_000, dnsProbe: 'auto' },
    sustained: {
      kind: 'sustained',
      rate: 10,
      duration: 300_000,
      rampUp: 30_000,
      operations: { create: 0.6, update: 0.3, delete: 0.1 },
      kinds: defaultKinds,
      zones: 10,
      workingSet: 0,
      churn: false,
      concurrency: 100,
      timeout: 120_000,
      quietWindow: 60_000,
    },
    chaos: { kind: 'chaos', duration: 300_000, rate: 2, experiments: [], convergeTimeout: 120_000, dnsLoad: 'auto', queryRate: 100 },
    e2e: {
      kind: 'e2e',
      duration: 300_000,
      zones: 5,
      recordsPerZone: { min: 10, max: 30 },
      kinds: defaultKinds,
      churn: 2,
      operations: { create: 0.3, update: 0.4, delete: 0.3 },
      dnsLoad: 'auto',
      queryRate: 200,
      spikeEvery: 60_000,
      spikeProbability: 0.25,
      spikeMultiplier: 5,
      spikeDuration: 15_000,
      interval: 60_000,
      experiments: [],
      convergeTimeout: 120_000,
      concurrency: 100,
      timeout: 120_000,
      quietWindow: 60_000,
    },
    discovery: { kind: 'discovery', services: 100, ingresses: 0, ingressRules: 2, flips: 20, zones: 2, concurrency: 20, timeout: 120_000, scoutCluster: 'default', annotationPrefix: 'bindy.firestoned.io/' },
    backpressure: {
      kind: 'backpressure',
      mode: 'step',
      rate: 10,
      duration: 300_000,
      pressureAt: 60_000,
      pressureDuration: 120_000,
      recoveryTimeout: 120_000,
      sidecarDelay: 2000,
      throttleShares: 1,
      // A fifth of bindy's default limit (500m; TARGET.md), one worker on the twin.
      limitCpu: 0.1,
      limitWorkers: 1,
      allowClusterChanges: false,
      startRate: 10,
      stepRate: 10,
      maxRate: 200,
      stepDuration: 60_000,
    },
    bind: { kind: 'bind', qps: 1000, duration: 60_000, clients: 4, zones: 5, records: 500, kinds: defaultKinds, maxOutstanding: 100, queryTimeout: 5000, timeout: 300_000 },
    transfer: { kind: 'transfer', zones: 2, records: 20, rate: 5, duration: 20_000, changeTimeout: 30_000, timeout: 120_000 },
  },
  // 500 queries/s is a few per cent of what one named answers on loopback, so probing never becomes the load.
  probe: { rate: 500, inFlight: 64, timeout: 60_000, maxInterval: 1000 },
  criteria: {
    createToReadyP99: 30_000,
    updateToReadyP99: 30_000,
    deleteToGoneP99: 30_000,
    reconcileP99: 10_000,
    e2ePropagationP99: 30_000,
    dnsQueryP99: 100,
    maxDnsQueryLoss: 0.01,
    minSustainedOpsPerSec: 10,
    maxErrorRate: 0.01,
    maxRetryRate: 0.05,
    maxMemoryMB: 512,
    maxCpuCores: 0.5,
    maxQueueDepth: 1000,
    maxMemoryGrowthMBPerHour: 100,
  },
  // 10 minutes: shorter phases are dominated by the process's warm-up (heap growth, JIT), not a leak.
  judge: { memoryGrowthMinimum: { duration: 600_000, samples: 10 } },
  sandbox: {
    secondaries: 0,
    operator: { workers: 4, reconcileDelay: { kind: 'fixed', ms: 0 }, reconcileDelayKinds: bindyKinds, errorRate: 0, republishOnZoneRecreate: false },
    apiserver: { requestLatency: 0, eventTtl: 3_600_000 },
    sidecar: { rateLimit: { kind: 'token-bucket', rps: 1, burst: 10 } },
  },
  report: { formats: ['json', 'markdown', 'html'], progressInterval: 5000 },
});

/** Params each chaos experiment gets when its entry leaves them out, in the file's value syntax. */
export const experimentParamDefaults: Readonly<Record<ChaosExperiment['kind'], Readonly<Record<string, string | number>>>> = deepFreeze({
  'operator-kill': { signal: 'SIGKILL' },
  'bind9-crash': { signal: 'SIGKILL', zoneData: 'keep' },
  'sidecar-down': { signal: 'SIGKILL' },
  'sidecar-delay': { delay: '2s' },
  'sidecar-errors': { errorRate: '50%', status: 503 },
  'network-delay': { link: 'operator-apiserver', latency: '500ms', jitter: '0s' },
  'packet-loss': { link: 'operator-bind', loss: '20%' },
  'partition': { link: 'operator-sidecar' },
  'apiserver-throttle': { shares: 1 },
});
