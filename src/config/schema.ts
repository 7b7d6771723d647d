/** @module The configuration's specification tree (every key, its syntax and meaning) and the JSON Schema derived from it. */
import type { SchemaObject } from 'ajv';
import { bindyKinds, recordKinds } from '../model/kinds.js';
import { formatDuration } from './values.js';
import { experimentParamDefaults } from './defaults.js';
import * as f from './spec.js';
import { backpressureModes, limitedParts, twinBindyVersions, maxIngressRules, maxSandboxSecondaries, maxSourceClusters, networkLinks, staleCleanups, profileNames, reportFormats, rndcModes, shardRunners, suiteScenarios, targetKinds, type ChaosExperiment } from './types.js';

const signal = () => f.oneOf('signal sent to the process', ['SIGKILL', 'SIGTERM']);
const link = () => f.oneOf(`link the fault sits on: ${networkLinks.join(', ')}`, networkLinks);

/** Each chaos experiment kind: start, length and its own params. */
function experiment(params: Record<string, f.SpecNode>): f.Section {
  return f.section(
    {
      at: f.duration('start, after the chaos scenario starts'),
      duration: f.duration('how long the fault lasts (for a kill: until the restart)'),
      params: f.section(params),
    },
    { required: ['at', 'duration'] },
  );
}

/** Which BIND9 server's part a kill acts on. */
const server = () => f.bind9Server("the BIND9 server whose named or bindcar it acts on: primary, or secondary-<i> (the sandbox's sandbox.secondaries; on a cluster the Bind9Cluster's secondary instances, in name order); the operator has none");

/** Describes the experiments in one line, e.g. `operator-kill at 5m for 30s (signal=SIGKILL)`. */
function formatExperiments(value: unknown): string {
  const list = value as readonly ChaosExperiment[];
  if (list.length === 0) return '(none)';
  return list
    .map((e) => {
      const paramSpec = experimentSpecs[e.kind].fields.params;
      const params = Object.entries(e.params)
        .map(([k, p]) => {
          const spec = paramSpec?.node === 'section' ? paramSpec.fields[k] : undefined;
          return `${k}=${spec?.node === 'leaf' ? spec.format(p) : String(p)}`;
        })
        .join(' ');
      return `${e.kind} at ${formatDuration(e.at)} for ${formatDuration(e.duration)}${params === '' ? '' : ` (${params})`}`;
    })
    .join('; ');
}

/** The chaos experiment kinds and their params. */
export const experimentSpecs = {
  'operator-kill': experiment({ signal: signal() }),
  'bind9-crash': experiment({ signal: signal(), zoneData: f.oneOf('keep: named restarts with its zone directory; lose: without it (a pod with no volume), bindy #486', ['keep', 'lose'] as const), server: server() }),
  'sidecar-down': experiment({ signal: signal(), server: server() }),
  'sidecar-delay': experiment({ delay: f.duration('added to every bindcar response') }),
  'sidecar-errors': experiment({
    errorRate: f.percentage('share of bindcar requests that fail'),
    status: f.integerBetween('HTTP status of the failures (400–599)', 400, 599),
  }),
  'network-delay': experiment({ link: link(), latency: f.duration('added one-way latency'), jitter: f.duration('random extra latency, up to') }),
  'packet-loss': experiment({ link: link(), loss: f.percentage('share of packets dropped') }),
  'partition': experiment({ link: link() }),
  'bandwidth': experiment({ link: link(), rate: f.sizeBytes('bytes per second each way, shared by every connection of the link, e.g. 64Ki (more than 0)') }),
  'apiserver-throttle': experiment({
    shares: f.integerBetween("nominalConcurrencyShares of the priority level the operator's requests are put in (a real server's defaults sum to 245: 1 share ≈ 3 seats of 600)", 1, 1000),
  }),
  'cpu-throttle': experiment({
    part: f.oneOf(`part whose processes are capped: ${limitedParts.join(', ')}`, limitedParts),
    cpu: f.cpuCores('its CPU limit (a CFS quota per 100 ms period), e.g. 50m'),
    server: server(),
  }),
  'memory-pressure': experiment({
    part: f.oneOf(`part whose processes are capped: ${limitedParts.join(', ')}`, limitedParts),
    limit: f.sizeMiB('its memory limit for what it allocates from the fault on, e.g. 32Mi (beyond it the kernel reclaims, then OOM-kills)'),
    server: server(),
  }),
  'fd-exhaustion': experiment({
    part: f.oneOf(`part whose open files are capped: ${limitedParts.join(', ')}`, limitedParts),
    spare: f.integerBetween('file descriptors it may still open beyond those open when the fault starts (0: every new socket, file or pipe fails with EMFILE)', 0, 100000),
    server: server(),
  }),
  'disk-full': experiment({
    free: f.sizeBytes("space left free on named's data filesystem (its zone directory, which bindcar writes too), e.g. 0 or 64Ki: every write beyond fails with ENOSPC"),
    server: server(),
  }),
  'zone-corruption': experiment({
    zones: f.integerBetween("zone files torn (the first in name order), found at named's restart: those zones fail to load", 1, 10000),
    server: server(),
  }),
  'split-brain': experiment({
    leaderElection: f.oneOf('whether the second operator replica takes part in leader election: on = it must stand by while the first holds the Lease; off = both reconcile (split brain)', ['on', 'off'] as const),
  }),
  'too-many-objects': experiment({
    headroom: f.integerBetween('objects of each kind the load creates that the namespace may still gain when its ResourceQuota is set (0: at its limit, every create refused 403)', 0, 1000000),
  }),
} satisfies Record<ChaosExperiment['kind'], f.Section>;

const kinds = () => f.kindMix(`share of each record kind: ${recordKinds.length} kinds as A=70,AAAA=10 or ARecord=70`);

/** The whole configuration tree. */
export const configSpec: f.Section = f.section({
  profile: f.oneOf('named profile the values start from', profileNames),
  namespace: f.dnsLabel('namespace for every object the tool creates'),
  target: f.oneOf('where to run: the local sandbox twin or a real cluster', targetKinds),
  kubeconfig: f.text('kubeconfig file for target cluster'),
  context: f.text('kubeconfig context'),
  output: f.text('directory for results and reports'),
  prometheus: f.url('Prometheus server to query instead of scraping'),
  operatorMetrics: f.url("the operator's /metrics when it runs outside the cluster (bindy from a laptop, the twin against kind): no bindy Deployment is then required, and its metrics are scraped there"),
  seed: f.integer('seed for every generator', 0),
  runId: f.labelValue('run id (label value); generated when absent'),
  shards: f.integer('load-generating processes a burst is split over (1 = one process)', 1),
  shardRunner: f.oneOf('where the shards run: job = a Kubernetes Indexed Job, one pod per shard; local = processes of this machine; auto = job on a cluster, local on the sandbox', shardRunners),
  shardImage: f.text('container image of this tool (built from the repo\'s Dockerfile) that the shard pods run (job runner), and the in-cluster dnsperf/resperf pod of bind query/resperf on a cluster'),
  suite: f.listOf('scenarios a run of the whole profile runs, in order (scripts/run-profile.sh, the load-tests workflow)', suiteScenarios),
  fixtures: f.section({
    zones: f.integer('number of DNSZones', 1),
    recordsPerZone: f.integer('records per zone', 1),
    kinds: kinds(),
    ttl: f.range('record TTLs, in seconds', 0),
    zoneNamePattern: f.pattern('zone names; {} is the index, {run} six hex digits of the run id (each run its own zone names)'),
    recordNamePattern: f.pattern('record names; {} is the index'),
    nxdomainShare: f.percentage('share of DNS queries for names that do not exist'),
    clusterName: f.dnsLabel('Bind9Cluster the zones select'),
  }),
  scenarios: f.section({
    burst: f.section(
      {
        records: f.integer('records created in the burst', 1),
        zones: f.integer('zones the records are spread over', 1),
        mixed: f.boolean('zones and records interleaved in one stream (true) or every zone first'),
        kinds: kinds(),
        concurrency: f.integer('writes in flight at once', 1),
        qps: f.rate('upper bound on writes per second'),
        timeout: f.duration('wait for every record to become Ready'),
        dnsProbe: f.onOffAuto('ask DNS for every record until it answers the desired data: auto = on for the sandbox or when probe.servers is set'),
      },
      { constants: { kind: 'burst' } },
    ),
    sustained: f.section(
      {
        rate: f.rate('operations per second after the ramp-up'),
        duration: f.duration('total, including the ramp-up'),
        rampUp: f.duration('linear ramp from 0 to rate'),
        operations: f.operationMix('create,update,delete weights'),
        kinds: kinds(),
        zones: f.integer('zones the records are spread over', 1),
        workingSet: f.integer('records created and Ready before the schedule starts (not measured); with churn, the size kept', 0),
        churn: f.boolean('create+delete pairs that keep the working set at its size, instead of the operation mix'),
        concurrency: f.integer('writes in flight at once; an operation due when all are busy is dropped', 1),
        timeout: f.duration('wait for the zones, the working set, and the outstanding operations after the schedule'),
        quietWindow: f.duration('after the load: reconciles and API writes counted at rest over this window (0s = none)'),
        dnsProbe: f.onOffAuto('ask DNS for every changed record until it answers the new state: auto = on for the sandbox or when probe.servers is set'),
      },
      { constants: { kind: 'sustained' } },
    ),
    chaos: f.section(
      {
        duration: f.duration('total duration'),
        rate: f.rate('background operations per second'),
        experiments: f.variants('faults injected on a schedule', experimentSpecs, formatExperiments, experimentParamDefaults),
        convergeTimeout: f.duration('how long after each fault\'s revert the steady state may take to come back (bindy\'s suite: 2m)'),
        dnsLoad: f.onOffAuto('dnsperf queries every zone\'s SOA and NS and a missing name for the whole load, through the client link (on a cluster: from a pod next to BIND9, with shardImage): auto = on when the target names a DNS server or, on a cluster, when shardImage is set'),
        queryRate: f.rate('DNS queries per second of that background query load'),
        inClusterServer: f.hostPorts("on a cluster: the address the in-cluster dnsperf Job of those queries asks (default: the primary Bind9Instance's Service, port 53)"),
        quietWindow: f.duration("after the load and the end state: reconciles counted at rest over this window, judged per bindy line (0.8: at most 3 per 60 s, bindy's suite; 0.6.2: its 300 s requeues); 0s = none"),
        quietWindowEach: f.duration("after each experiment converged: the background load held (its schedule resumes where it stopped) and reconciles counted at rest over this window, judged as quietWindow (bindy's suite has one after every step); 0s = none"),
        allowClusterChanges: f.boolean("on a cluster: allow experiments that change what the run did not create (split-brain scales bindy's Deployment and, leaderElection=off, sets BINDY_ENABLE_LEADER_ELECTION=false; cpu-throttle and memory-pressure of the operator set its container's limit; journalled and undone); e2e's experiments obey it too"),
      },
      { constants: { kind: 'chaos' } },
    ),
    e2e: f.section(
      {
        duration: f.duration('length of the churn, the queries, the spikes and the faults (they all run at once)'),
        zones: f.integer('DNSZones of the population', 1),
        recordsPerZone: f.range('records each zone starts with, drawn per zone from this range (seeded)', 0),
        kinds: kinds(),
        churn: f.rate('record operations per second after the population is in place, e.g. 120/m'),
        operations: f.operationMix('create,update,delete weights of the churn'),
        dnsLoad: f.onOffAuto('dnsperf queries every zone\'s SOA and NS and a missing name for the whole run (on a cluster: from a pod next to BIND9, with shardImage): auto = on when the target names a DNS server or, on a cluster, when shardImage is set'),
        queryRate: f.rate('DNS queries per second of that background query load'),
        inClusterServer: f.hostPorts("on a cluster: the address the in-cluster dnsperf Job of those queries asks (default: the primary Bind9Instance's Service, port 53)"),
        spikeEvery: f.duration('spikes are drawn once per interval of this length'),
        spikeProbability: f.percentage('chance that an interval has a spike (0% = none)'),
        spikeMultiplier: f.number('a spike\'s churn rate is the churn times this', 1),
        spikeDuration: f.duration('length of one spike, at the start of its interval'),
        interval: f.duration('every figure is summarised per interval of this length (the worst one is the headline)'),
        experiments: f.variants('faults injected on a schedule during the run (as scenarios.chaos.experiments)', experimentSpecs, formatExperiments, experimentParamDefaults),
        convergeTimeout: f.duration('how long after each fault\'s revert the steady state may take to come back'),
        concurrency: f.integer('writes in flight at once; an operation due when all are busy is dropped', 1),
        timeout: f.duration('bound on the setup waits, and on the wait for outstanding operations and DNS answers after the churn'),
        quietWindow: f.duration('after everything settled: reconciles and API writes counted at rest over this window (0s = none)'),
      },
      { constants: { kind: 'e2e' } },
    ),
    discovery: f.section(
      {
        services: f.integer('annotated LoadBalancer Services created at once (scout publishes an ARecord for each)', 0),
        ingresses: f.integer('annotated Ingresses created beside them (scout publishes an ARecord per rule)', 0),
        clusters: f.integerBetween('clusters whose scouts publish into the zones, each with the same Services and Ingresses (same namespace and names): 1 = the target\'s own; 2+ = other clusters too (sandbox: each its own API server and scout twin), where bindy #474 shows', 1, 1 + maxSourceClusters),
        ingressRules: f.integerBetween('rules of each Ingress, one host each (scout: one ARecord per rule, named by its index)', 1, maxIngressRules),
        flips: f.integer('of the sources, those whose address is changed once they are answered (a LoadBalancer that moves)', 0),
        zones: f.integer('DNSZones the Services are spread over', 1),
        concurrency: f.integer('creates and deletes in flight at once', 1),
        timeout: f.duration('wait for each phase (every record answered; every record gone)'),
        scoutCluster: f.labelValue("scout's --cluster-name: part of every ARecord name it writes (scout-<cluster>-<ns>-<name>)"),
        annotationPrefix: f.text("prefix of the annotations scout reads (scout's own: bindy.firestoned.io/)"),
      },
      { constants: { kind: 'discovery' } },
    ),
    backpressure: f.section(
      {
        mode: f.oneOf('step: raise the rate until the backlog stops draining (the knee); slow-sidecar: bindcar answers slowly; api-throttle: the API server answers only bindy with 429; operator-limits: the operator CPU (and memory) limits lowered', backpressureModes),
        rate: f.rate('offered operations per second of the pressure modes (not step)'),
        duration: f.duration('total load of a pressure mode (not step)'),
        pressureAt: f.duration('start of the pressure, after the load starts'),
        pressureDuration: f.duration('how long the pressure lasts'),
        recoveryTimeout: f.duration('bound on the recovery after the pressure is lifted: every object written before it Ready'),
        sidecarDelay: f.duration('slow-sidecar: delay added to every bindcar answer to the operator'),
        limitCpu: f.cpuCores("operator-limits: the operator's CPU limit under pressure (cluster: the Deployment's container limit; sandbox: a cgroup CPU quota on the twin's process)"),
        limitMemory: f.sizeMiB("operator-limits: the operator's memory limit under pressure (cluster: the container limit; sandbox: a cgroup memory limit); absent: unchanged"),
        limitWorkers: f.integer('operator-limits on the sandbox: concurrent reconciles of the twin under pressure (bindy has no such knob on a cluster)', 1),
        throttleShares: f.integer("api-throttle: nominalConcurrencyShares of the priority level bindy's ServiceAccount is put in (a real server's defaults sum to 245: 1 share ≈ 3 seats of 600)", 0),
        allowClusterChanges: f.boolean('on a cluster: allow the run to change what it did not create (api-throttle adds a FlowSchema and a PriorityLevelConfiguration; operator-limits patches the bindy Deployment; both are journalled and undone)'),
        startRate: f.rate('first step'),
        stepRate: f.rate('added per step'),
        maxRate: f.rate('last step at most'),
        stepDuration: f.duration('length of each step'),
      },
      { constants: { kind: 'backpressure' } },
    ),
    bind: f.section(
      {
        qps: f.rate('DNS queries per second dnsperf sends'),
        duration: f.duration('how long dnsperf runs'),
        clients: f.integer('dnsperf clients', 1),
        zones: f.integer('DNSZones the run creates before querying', 1),
        records: f.integer('records the run creates (spread over the zones) and queries', 1),
        kinds: kinds(),
        maxOutstanding: f.integer('dnsperf: queries outstanding at most (-q)', 1),
        queryTimeout: f.duration('dnsperf: a query unanswered after this long is lost (-t)'),
        timeout: f.duration('wait for the created records to be Ready and answered before querying'),
        queryFile: f.text('dnsperf query file to use instead of the records the run creates (nothing is created)'),
        server: f.hostPorts('the DNS server dnsperf queries (default: the target\'s first BIND9 server, the primary)'),
        inClusterServer: f.hostPorts('on a cluster without server: the address the in-cluster dnsperf Job asks (default: the primary Bind9Instance\'s Service, port 53)'),
        maxQps: f.rate('bind resperf: the rate its ramp reaches at the end (resperf -m)'),
        ramp: f.duration('bind resperf: how long its ramp from 0 to maxQps takes (resperf -r)'),
        maxLoss: f.percentage('bind resperf: an interval losing more than this does not count for the maximum throughput (resperf -L)'),
      },
      { constants: { kind: 'bind' } },
    ),
    transfer: f.section(
      {
        zones: f.integer('DNSZones the run creates (served by the primary and every secondary)', 1),
        records: f.integer('ARecords the run creates (spread over the zones), then changes', 1),
        rate: f.rate('record changes per second, through the operator'),
        duration: f.duration('how long changes are started'),
        changeTimeout: f.duration('a change not answered by a server within this long of its intended start counts as never seen there'),
        timeout: f.duration('wait for the created records to be Ready and answered by every server before changing them'),
      },
      { constants: { kind: 'transfer' } },
    ),
    rndc: f.section(
      {
        mode: f.oneOf('reload: POST reload of the run\'s zones at the rate; mixed: weighted commands (--mix) from --clients addresses; write-reload: big zone writes (--writes zones of --records records through the create route), each followed by reloads', rndcModes),
        rate: f.rate('requests per second offered to bindcar, all clients together (open loop)'),
        duration: f.duration('how long requests are started'),
        clients: f.integerBetween('distinct clients; against a loopback bindcar each sends from its own address (127.0.0.2, .3, …), as bindcar limits per client IP', 1, 250),
        zones: f.integer('small zones the run creates through bindcar for the storm', 1),
        mix: f.rndcMix('mixed: weighted bindcar commands'),
        writes: f.integer('write-reload: big zones written through the create route', 1),
        records: f.integer('write-reload: records in each big zone', 1),
        maxInFlight: f.integer('requests in flight at most; one due with none free is dropped and counted', 1),
        requestTimeout: f.duration('a request unanswered this long counts as a timeout'),
        bindcarUrl: f.url('bindcar\'s base URL (default: the sandbox\'s bindcar twin)'),
        tokenFile: f.text('file holding bindcar\'s Bearer token (default: $BINDCAR_TOKEN; on the sandbox, its own token file)'),
        updateKey: f.text('bindcar\'s TSIG update key name, for the zones that take record-add/record-remove (default on the sandbox: its own)'),
      },
      { constants: { kind: 'rndc' } },
    ),
    zones: f.section(
      {
        zones: f.integer('zones created through bindcar, each with its records in the zone file bindcar writes', 1),
        recordsPerZone: f.integer('records in each zone', 1),
        kinds: kinds(),
        concurrency: f.integerBetween('zone creates in flight at once; against a loopback bindcar each from its own address (127.0.0.2, .3, …)', 1, 250),
        timeout: f.duration('wait until every zone is served (its last record answered with its data)'),
        bindcarUrl: f.url('bindcar\'s base URL (default: the sandbox\'s bindcar twin)'),
        tokenFile: f.text('file holding bindcar\'s Bearer token (default: $BINDCAR_TOKEN; on the sandbox, its own token file)'),
        dnssecPolicy: f.text('sign every zone with this dnssec-policy and inline signing (BIND\'s built-in: default); a zone counts as served once its answer carries an RRSIG'),
        zoneDir: f.text("on a cluster without bindcarUrl: named's directory in the primary pod's bind9 container, where a zone over bindcar's 2 MiB request limit is written (through pods/exec) before rndc addzone (default bindy's: /var/cache/bind)"),
      },
      { constants: { kind: 'zones' } },
    ),
  }),
  probe: f.section({
    servers: f.hostPorts('DNS servers the prober asks (default: the target\'s BIND9 servers)'),
    rate: f.rate('probe queries per second, all servers together'),
    inFlight: f.integer('probe queries in flight at once', 1),
    timeout: f.duration('after the wait for Ready: how long to wait for DNS to answer every Ready record'),
    maxInterval: f.duration('longest spacing of one record\'s probes (after 1 s of 100 ms spacing)'),
    transport: f.oneOf('how probe queries travel: udp (EDNS0, asked again over TCP when truncated) or tcp only, one pipelined connection per server (through a kubectl port-forward, which carries TCP only)', ['udp', 'tcp'] as const),
  }),
  criteria: f.section({
    createToReadyP99: f.duration('create → Ready p99 of the scenario\'s objects'),
    updateToReadyP99: f.duration('update → Ready p99'),
    deleteToGoneP99: f.duration('delete → gone p99'),
    reconcileP99: f.duration('operator reconcile latency p99'),
    e2ePropagationP99: f.duration('create → answered by BIND9, p99'),
    dnsQueryP99: f.duration('DNS query latency p99'),
    maxDnsQueryLoss: f.percentage('DNS queries lost (unanswered within the query timeout) / sent'),
    minDnsThroughputQps: f.rate("BIND9's maximum throughput within resperf's loss limit (bind resperf) that must be reached"),
    minSustainedOpsPerSec: f.rate('sustained operations per second that must be reached'),
    maxErrorRate: f.percentage('failed / all operations'),
    maxRetryRate: f.percentage('retried / all operations'),
    maxMemoryMB: f.sizeMiB('operator memory, MiB'),
    maxCpuCores: f.number('operator CPU, cores', 0),
    maxQueueDepth: f.integer('objects written but not yet Ready, at most', 0),
    maxMemoryGrowthMBPerHour: f.number('operator memory growth, MiB per hour', 0),
  }),
  judge: f.section({
    memoryGrowthMinimum: f.section({
      duration: f.duration('the least steady phase a memory-growth slope is fitted on'),
      samples: f.integer('the fewest RSS samples in it', 3),
    }),
  }),
  sandbox: f.section({
    secondaries: f.integerBetween('secondary BIND9 servers the sandbox runs (each a named and a bindcar twin; zones get them as bindy 0.6.2 configures secondaries); 0: none', 0, maxSandboxSecondaries),
    operator: f.section({
      workers: f.integer('concurrent reconciles', 1),
      reconcileDelay: f.distribution('added to every reconcile: 300ms or uniform(200ms,400ms)'),
      reconcileDelayKinds: f.listOf('kinds whose reconciles get reconcileDelay', bindyKinds),
      errorRate: f.percentage('share of reconciles that fail on purpose'),
      version: f.oneOf('the bindy release line the twin behaves as: 0.6 (bindy 0.6.2: timed requeues, every event reconciles) or 0.8 (reconciles on changes of generation, finalizers, labels, annotations or zoneRef only; no timed requeues; failures back off 2 s → 60 s; API client 20/s burst 30)', twinBindyVersions),
      republishOnZoneRecreate: f.boolean('publish a zone\'s records again when the zone had to be created again on a restarted named (bindy after #486); false: as 0.6.2, which serves the zone empty'),
      leak: f.leakRate('injected memory leak of the twin: 30Mi/m (real memory, capped at 1 GiB); absent: none'),
      crashAfter: f.integer('the twin exits non-zero, like a crash, after this many reconciles; absent: never', 1),
      capacity: f.rate('the twin reconciles at most this many objects per second (a known throughput ceiling); absent: no cap'),
      bindcarRetryBudget: f.duration('the twin gives up a failing bindcar call after this long: 10s (e.g. a zone deleted before it reached BIND9, whose freeze answers 500); absent: bindy\'s 120s'),
    }),
    apiserver: f.section({
      requestLatency: f.duration('added to every resource request after its API Priority and Fairness admission, standing for etcd (the twin answers in microseconds otherwise): 5ms'),
      eventTtl: f.duration('how long a core/v1 Event lives after its last write, as kube-apiserver\'s --event-ttl (then it is deleted; 0s: never): 1h'),
    }),
    sidecar: f.section({
      rateLimit: f.rateLimit("bindcar's limiter per client IP: release (the bindcar release's own: 0.7.3's 1/s burst 10 with bindy 0.6, 0.9.0's 10/s burst 50 with 0.8), off, or {rps, burst}"),
      token: f.text('static Bearer token (secret)', true),
    }),
    scout: f.section({
      staleCleanup: f.oneOf("what the scout twins' stale cleanup deletes after an Ingress reconcile: unscoped (released scout: any other cluster's records of the same namespace/name, bindy #474), zone (PR #497) or own-cluster", staleCleanups),
    }),
  }),
  report: f.section({
    formats: f.listOf('report formats', reportFormats),
    pushgateway: f.url('Prometheus Pushgateway to push the result to'),
    progressInterval: f.duration('how often a progress line is printed when stderr is not a terminal'),
  }),
});

/** The JSON Schema of a configuration file (also for editors). */
export const configJsonSchema: SchemaObject = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'bindy-loadtest configuration',
  ...f.jsonSchemaOf(configSpec),
};
