/**
 * @module `bindy-loadtest sandbox up|down|status|start <part>`: the local twin of a bindy
 * deployment on real BIND9. `start <part>` runs one part as its own process (the supervisor uses it,
 * and so can a user who wants, say, the operator twin against another API server).
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { TargetNotReadyError, UsageError } from '../../errors.js';
import type { CliContext, CommandModule } from '../command-module.js';
import { waitForStopSignal } from '../signals.js';
import { startNamed } from '../../targets/sandbox/bind9/named-process.js';
import type { NamedPorts } from '../../targets/sandbox/bind9/named-conf.js';
import { parseProxyArgs, runFaultProxy, type FaultProxyReadyLine } from '../../faults/proxy/run.js';
import type { SandboxState } from '../../targets/sandbox/supervisor/index.js';
import { secondaryPartNames, sourceClusterName, sourceClusterPartNames } from '../../targets/sandbox/supervisor/state.js';
import { maxSandboxSecondaries, maxSourceClusters } from '../../config/types.js';
import { startOperatorPart } from './sandbox-operator-part.js';
import { startScoutPart } from './sandbox-scout-part.js';
import { parseDuration, parseInteger, parseRate } from '../../config/values.js';
import { bindyLines, isBindyLine } from '../../model/kinds.js';
import { bindcarLines, isBindcarLine } from '../../targets/sandbox/sidecar/release-line.js';

const upHelp = `
Examples:
  $ bindy-loadtest sandbox up
      start named, the API server, the bindcar twin and the operator twin; Ctrl-C stops them all
  $ bindy-loadtest sandbox up --secondaries 1 --detach
      also a secondary: its own named and bindcar twin, a secondary instance in the Bind9Cluster,
      zones transferred to it as bindy configures them (NOTIFY + IXFR; sandbox.secondaries)
  $ bindy-loadtest sandbox up --source-clusters 1 --detach
      the scout twin (cluster default) and a second cluster: its own API server and a scout twin
      writing ARecords here as cluster default-2 (two clusters in one zone: bindy #474)
  $ bindy-loadtest sandbox up --detach --json
      start in the background and print {kubeconfig, dns, sidecar, metrics} as one JSON object
  $ export KUBECONFIG=$(bindy-loadtest sandbox up --detach --json | jq -r .kubeconfig)
  $ kubectl get dnszones,arecords -A
  $ bindy-loadtest sandbox up --faults --detach --json | jq .faultProxy
      with the fault proxy between the operator and the API server, the bindcar twin and named
      (links operator-apiserver, operator-sidecar, operator-bind), plus client-bind for your own
      DNS queries; prints the proxy's controlUrl and each link's listen port
  $ curl -X PUT -d '{"kind":"latency","ms":200}' <controlUrl>/links/operator-bind/fault
      200 ms more on each of the operator's DNS UPDATEs, until
      curl -X DELETE <controlUrl>/links/operator-bind/fault   (every fault kind: docs/faults.md)
  $ bindy-loadtest sandbox down
`;

/** The JSON `sandbox up --detach --json` prints (no secrets: the token is in a 0600 file). */
export function sandboxSummary(state: SandboxState): Record<string, unknown> {
  return {
    kubeconfig: state.kubeconfig,
    namespace: state.namespace,
    bind9Cluster: state.bind9Cluster ?? null,
    apiServer: state.apiServerUrl,
    dns: state.dns,
    sidecar: { url: state.sidecarUrl, tokenFile: state.sidecarTokenFile },
    tsig: { keyFile: state.updateKeyFile, keyName: state.updateKeyName },
    metrics: {
      ...Object.fromEntries(state.parts.filter((p) => p.metricsUrl !== undefined).map((p) => [p.name, p.metricsUrl])),
      bind9Statistics: state.bind9StatsUrl,
    },
    pids: Object.fromEntries(state.parts.map((p) => [p.name, p.pid])),
    secondaries: (state.secondaries ?? []).map((s) => ({ name: s.name, dns: s.dns, sidecar: s.sidecarUrl, bind9Statistics: s.bind9StatsUrl })),
    sourceClusters: (state.sourceClusters ?? []).map((c) => ({ name: c.name, kubeconfig: c.kubeconfig, apiServer: c.apiServerUrl })),
    ...(state.faultProxy === undefined ? {} : { faultProxy: state.faultProxy }),
    ...(state.namedDisk === undefined ? {} : { namedDisk: state.namedDisk }),
    dir: state.dir,
  };
}

function describe(state: SandboxState, startupMs: number): string {
  return [
    `sandbox up in ${(startupMs / 1000).toFixed(1)} s`,
    `  kubeconfig   ${state.kubeconfig}        (export KUBECONFIG=${state.kubeconfig})`,
    `  API server   ${state.apiServerUrl}`,
    ...(state.bind9Cluster === undefined
      ? []
      : [`  Bind9Cluster ${state.namespace}/${state.bind9Cluster} (one primary instance: the local named${(state.secondaries ?? []).length === 0 ? '' : `; ${(state.secondaries ?? []).length} secondary: ${(state.secondaries ?? []).map((s) => s.name).join(', ')}`})`]),
    `  DNS          ${state.dns.host} port ${state.dns.port}        (dig @${state.dns.host} -p ${state.dns.port} <name>)`,
    `  sidecar      ${state.sidecarUrl}   token in ${state.sidecarTokenFile}`,
    ...(state.secondaries ?? []).flatMap((s) => [
      `  ${s.name.padEnd(12)} DNS ${s.dns.host} port ${s.dns.port} (zones arrive by NOTIFY + transfer from the primary); sidecar ${s.sidecarUrl}`,
      `  metrics      ${`bind9 ${s.name}`.padEnd(10)} ${s.bind9StatsUrl}`,
    ]),
    ...state.parts.filter((p) => p.metricsUrl !== undefined).map((p) => `  metrics      ${p.name.padEnd(10)} ${p.metricsUrl ?? ''}`),
    `  metrics      ${'bind9'.padEnd(10)} ${state.bind9StatsUrl}`,
    ...state.parts.filter((p) => p.name === 'scout').map((p) => `  scout        cluster ${p.args?.[p.args.indexOf('--cluster-name') + 1] ?? '?'}: annotated LoadBalancer Services and Ingresses → ARecords in ${state.namespace}`),
    ...(state.sourceClusters ?? []).map((c) => `  source       cluster ${c.name}: its own API server ${c.apiServerUrl} (kubeconfig ${c.kubeconfig}); its scout writes ARecords into ${state.namespace} here`),
    ...(state.faultProxy === undefined
      ? []
      : [
          `  fault proxy  ${state.faultProxy.controlUrl}        (curl ${state.faultProxy.controlUrl}/links)`,
          ...state.faultProxy.links.map((l) => `  link         ${l.name.padEnd(18)} ${l.protocol} 127.0.0.1:${l.listen.port} → ${l.upstream.host}:${l.upstream.port}`),
        ]),
    ...(state.namedDisk === undefined ? [] : [`  named disk   tmpfs of ${Math.round(state.namedDisk.sizeBytes / 2 ** 20)} MiB on ${state.namedDisk.mount} (what a disk-full fault fills)`]),
    `  logs         ${state.dir}/*.log`,
    '',
  ].join('\n');
}

/** Writes the ready line a supervisor waits for; the part says nothing more on stdout. */
function announce(ctx: CliContext, line: object): void {
  ctx.io.stdout(`${JSON.stringify({ ready: true, pid: process.pid, ...line })}\n`);
  // The supervisor closes our stdout pipe after the ready line: a late write must not crash us.
  process.stdout.on('error', () => undefined);
}

function registerStart(sandbox: Command, ctx: CliContext): void {
  const start = sandbox.command('start').description('run one part of the sandbox as its own process (used by `sandbox up`)');
  // A secondary server's parts run the same commands under names of their own, so that a pid can be told apart by its command line.
  const secondaryParts = Array.from({ length: maxSandboxSecondaries }, (_, i) => secondaryPartNames(i));
  const sourceParts = Array.from({ length: maxSourceClusters }, (_, i) => sourceClusterPartNames(i));
  start
    .command('named')
    .aliases(secondaryParts.map((p) => p.named))
    .description('a real named on free loopback ports, with an rndc key and a TSIG update key')
    .option('--dir <dir>', 'working directory (default: a temp dir, removed at stop)')
    .option('--dns-port <port>', 'DNS port on 127.0.0.1 (default: a free one)')
    .option('--ports-json <json>', 'fixed ports, e.g. \'{"dns":5353,"rndc":9530,"stats":8053}\' (a restart in place; missing ones are picked free)')
    .option('--keep-keys', 'reuse the rndc and update keys already in --dir (a restart: its clients hold them)')
    .action(async (o: { dir?: string; dnsPort?: string; portsJson?: string; keepKeys?: boolean }) => {
      const ports = { ...(o.portsJson === undefined ? {} : portsJsonArg(o.portsJson)), ...(o.dnsPort === undefined ? {} : { dns: portArg('--dns-port', o.dnsPort) }) };
      if (o.keepKeys === true && o.dir === undefined) throw new UsageError('--keep-keys: needs --dir, the folder whose keys to keep');
      const named = await startNamed({
        ...(o.dir === undefined ? {} : { dir: o.dir }),
        ...(Object.keys(ports).length === 0 ? {} : { ports }),
        ...(o.keepKeys === true ? { reuseKeys: true } : {}),
      });
      announce(ctx, { pid: named.pid, dir: named.dir, ports: named.ports, rndcConfFile: named.rndcConfFile, updateKeyFile: named.updateKeyFile, updateKeyName: named.updateKey.name });
      await Promise.race([waitForStopSignal(), named.exited]);
      await named.stop();
    });
  start
    .command('apiserver')
    .aliases(sourceParts.map((p) => p.apiserver))
    .description('the Kubernetes API server twin (HTTPS on 127.0.0.1) serving bindy\'s kinds')
    .requiredOption('--kubeconfig-out <file>', 'where to write a kubeconfig for it (an admin user, in system:masters)')
    .option('--operator-kubeconfig-out <file>', 'where to write the operator\'s kubeconfig (its own token: ServiceAccount bindy-system/bindy)')
    .option('--port <port>', 'port (default: a free one)')
    .option('--request-latency <duration>', 'added to every resource request after its APF admission, standing for etcd, e.g. 5ms (sandbox.apiserver.requestLatency)')
    .option('--event-ttl <duration>', 'how long an Event lives after its last write, as kube-apiserver\'s --event-ttl; 0s: never (default 1h; sandbox.apiserver.eventTtl)')
    .option('--bindy-version <line>', `whose CRDs are installed: ${bindyLines.join(' or ')} (0.8 adds PTRRecord; default 0.6; follows sandbox.operator.version)`)
    .action(async (o: { kubeconfigOut: string; operatorKubeconfigOut?: string; port?: string; requestLatency?: string; eventTtl?: string; bindyVersion?: string }) => {
      if (o.bindyVersion !== undefined && !isBindyLine(o.bindyVersion)) throw new UsageError(`--bindy-version: ${JSON.stringify(o.bindyVersion)} is not a release line the twins model (${bindyLines.join(', ')})`);
      const namespace = ctx.globals().namespace ?? 'bindy-loadtest';
      let latencyMs = 0;
      if (o.requestLatency !== undefined) {
        const p = parseDuration(o.requestLatency);
        if (!p.ok) throw new UsageError(`--request-latency: ${p.message}`);
        latencyMs = p.value;
      }
      let eventTtlMs: number | undefined;
      if (o.eventTtl !== undefined) {
        const p = parseDuration(o.eventTtl);
        if (!p.ok) throw new UsageError(`--event-ttl: ${p.message}`);
        eventTtlMs = p.value;
      }
      // Loaded here, not at the top: the API server twin's code (~6 MB resident) stays out of every other command's process.
      const { runApiServer } = await import('../../targets/sandbox/apiserver/run.js');
      const api = await runApiServer({
        ...(latencyMs > 0 ? { faults: { latencyMs } } : {}),
        ...(eventTtlMs === undefined ? {} : { eventTtlMs }),
        ...(o.bindyVersion === undefined ? {} : { bindyLine: o.bindyVersion }),
        kubeconfigPath: o.kubeconfigOut,
        ...(o.operatorKubeconfigOut === undefined ? {} : { operatorKubeconfigPath: o.operatorKubeconfigOut }),
        namespace,
        ...(o.port === undefined ? {} : { port: portArg('--port', o.port) }),
      });
      let caFile: string | undefined;
      if (api.caCert !== undefined) {
        caFile = join(dirname(o.kubeconfigOut), 'apiserver-ca.crt');
        await writeFile(caFile, api.caCert, { mode: 0o644 });
      }
      announce(ctx, {
        url: api.url,
        kubeconfig: o.kubeconfigOut,
        ...(o.operatorKubeconfigOut === undefined ? {} : { operatorKubeconfig: o.operatorKubeconfigOut }),
        ...(caFile === undefined ? {} : { caFile }),
        metricsUrl: `${api.url}/metrics`,
      });
      await waitForStopSignal();
      await api.stop();
    });
  start
    .command('sidecar')
    .aliases(secondaryParts.map((p) => p.sidecar))
    .description('the bindcar twin, driving a running named with rndc and nsupdate (token from $BIND_API_TOKEN)')
    .requiredOption('--zone-dir <dir>', 'named\'s directory, where zone files go')
    .requiredOption('--rndc-conf <file>', 'rndc.conf of that named')
    .requiredOption('--dns-port <port>', 'named\'s DNS port')
    .requiredOption('--update-key-file <file>', 'BIND key file of the TSIG update key')
    .option('--port <port>', 'HTTP port (default: a free one)')
    .option('--bindcar-version <line>', 'the bindcar release to behave as: 0.7 (0.7.3: 1 request/s, burst 10 per client IP; 500 for most commands on a missing zone) or 0.9 (10/s, burst 50; 404 for a missing zone)', '0.7')
    .option('--rate-limit <rps,burst>', 'a limiter of its own per client IP instead of the release\'s, e.g. 10/s,50 (sandbox.sidecar.rateLimit)')
    .option('--no-rate-limit', 'turn bindcar\'s rate limiter off')
    .action(async (o: { zoneDir: string; rndcConf: string; dnsPort: string; updateKeyFile: string; port?: string; rateLimit?: string | false; bindcarVersion: string }) => {
      const token = ctx.io.env['BIND_API_TOKEN'];
      if (!isBindcarLine(o.bindcarVersion)) throw new UsageError(`--bindcar-version: expected ${bindcarLines.join(' or ')}, got '${o.bindcarVersion}'`);
      const quota = typeof o.rateLimit === 'string' ? parseQuotaArg(o.rateLimit) : undefined;
      const { runSidecar } = await import('../../targets/sandbox/sidecar/run.js');
      const sidecar = await runSidecar({
        port: o.port === undefined ? 0 : portArg('--port', o.port),
        zoneDir: o.zoneDir,
        rndcConfFile: o.rndcConf,
        dnsPort: portArg('--dns-port', o.dnsPort),
        updateKeyFile: o.updateKeyFile,
        ...(token === undefined || token === '' ? { disableAuth: true } : { token }),
        line: o.bindcarVersion,
        ...(o.rateLimit === false ? { rateLimit: { enabled: false } } : {}),
        ...(quota === undefined ? {} : { quota }),
      });
      announce(ctx, { url: sidecar.url, metricsUrl: `${sidecar.url}/metrics` });
      await waitForStopSignal();
      await sidecar.close();
    });
  start
    .command('faultproxy')
    .description('the fault proxy: TCP/UDP links with a control API that sets faults on them (docs/faults.md)')
    .option('--links-json <json>', 'links, e.g. \'[{"name":"dns","protocol":"udp","listenPort":0,"upstream":{"host":"127.0.0.1","port":5353}}]\'')
    .option('--link <spec...>', 'a link as NAME=tcp|udp:[LISTENPORT:]HOST:PORT (repeatable)')
    .option('--control-port <port>', 'control API port on 127.0.0.1 (default: a free one)')
    .action(async (o: { linksJson?: string; link?: string[]; controlPort?: string }) => {
      const args = parseProxyArgs([
        ...(o.link ?? []).flatMap((l) => ['--link', l]),
        ...(o.linksJson === undefined ? [] : ['--links-json', o.linksJson]),
        ...(o.controlPort === undefined ? [] : ['--control-port', o.controlPort]),
      ]);
      // runFaultProxy prints the ready line (with ready and pid) and serves until SIGINT/SIGTERM.
      await runFaultProxy(args, (line) => {
        const { ready: _r, pid: _p, ...rest } = JSON.parse(line) as FaultProxyReadyLine;
        announce(ctx, rest);
      });
    });
  startOperatorPart(start, ctx, announce);
  startScoutPart(start, ctx, announce);
}

/** Parses `--ports-json` of `sandbox start named`: some of dns, rndc, stats, each a port. */
export function portsJsonArg(raw: string): Partial<NamedPorts> {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new UsageError(`--ports-json: not JSON: ${raw.slice(0, 60)}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UsageError('--ports-json: expected an object like {"dns":5353,"rndc":9530,"stats":8053}');
  const out: { -readonly [K in keyof NamedPorts]?: number } = {};
  for (const [k, port] of Object.entries(v)) {
    if (k !== 'dns' && k !== 'rndc' && k !== 'stats') throw new UsageError(`--ports-json: unknown port "${k}" (dns, rndc, stats)`);
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--ports-json: ${k} must be a port 1..65535, got ${JSON.stringify(port)}`);
    out[k] = port;
  }
  return out;
}

/** Parses `--secondaries`. */
export function secondariesArg(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > maxSandboxSecondaries) throw new UsageError(`--secondaries: expected an integer 0..${maxSandboxSecondaries}, got '${raw}'`);
  return n;
}

/** Parses `--source-clusters`. */
export function sourceClustersArg(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > maxSourceClusters) throw new UsageError(`--source-clusters: expected an integer 0..${maxSourceClusters}, got '${raw}'`);
  return n;
}

/** Parses a port flag value. */
export function portArg(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${flag}: expected a port number 0..65535, got '${raw}'`);
  return n;
}

/** The `sandbox` command group. */
export const sandboxCommand: CommandModule = {
  register(program, ctx) {
    const sandbox = program.command('sandbox').description('a local twin of a bindy deployment on real BIND9 (the default target)');
    sandbox
      .command('up')
      .description('start the sandbox: named, API server, bindcar twin, operator twin; prints kubeconfig, DNS and sidecar addresses')
      .option('--detach', 'start in the background and return (stop with `sandbox down`)')
      .option('--no-operator', 'leave the operator twin out')
      .option('--no-rate-limit', 'turn the bindcar twin\'s rate limiter off')
      .option('--faults', 'put the fault proxy between the operator and the other parts (links listed at start, in state.json and `sandbox status --json`)')
      .option('--secondaries <n>', `secondary BIND9 servers, each its own named and bindcar twin, configured by the operator twin as bindy does (sandbox.secondaries; 0..${maxSandboxSecondaries})`)
      .option('--scout', 'also start the scout twin (bindy\'s service discovery: annotated LoadBalancer Services and Ingresses → ARecords)')
      .option('--scout-cluster <name>', 'cluster name of the scout twin (implies --scout; default `default`, as bindy bootstrap scout\'s)')
      .option('--source-clusters <n>', `other clusters publishing into the sandbox's zones, each its own API server twin and a scout twin writing under <scout-cluster>-2, -3… (implies --scout; 0..${maxSourceClusters}): two clusters' scouts in one zone (bindy #474)`)
      .addHelpText('after', upHelp)
      .action(async (o: { detach?: boolean; operator: boolean; rateLimit: boolean; faults?: boolean; secondaries?: string; scout?: boolean; scoutCluster?: string; sourceClusters?: string }) => {
        const sources = o.sourceClusters === undefined ? 0 : sourceClustersArg(o.sourceClusters);
        const { resolveCliConfig } = await import('../config-flags.js');
        const { config } = await resolveCliConfig(ctx);
        const { startSandbox, sandboxHome } = await import('../../targets/sandbox/supervisor/index.js');
        const { defaultNamedDiskBytes } = await import('../../targets/sandbox/supervisor/data-disk.js');
        const { apiServerArgsOf, operatorArgsOf, scoutArgsOf, sidecarArgsOf } = await import('../../targets/sandbox/supervisor/tunables.js');
        const scoutCluster = o.scout === true || o.scoutCluster !== undefined || sources > 0 ? (o.scoutCluster ?? 'default') : undefined;
        const json = ctx.globals().json === true;
        // One wait for Ctrl-C from the start: during start-up it stops the start (the parts are in
        // their own process groups and do not get it); afterwards it stops the foreground sandbox.
        const startStop = new AbortController();
        const listening = new AbortController();
        const stopSignal = waitForStopSignal(listening.signal).then((s) => {
          if (s !== 'abort') startStop.abort();
          return s;
        });
        let sb;
        try {
          sb = await startSandbox({
            signal: startStop.signal,
            namespace: config.namespace,
            clusterName: config.fixtures.clusterName,
            detached: o.detach === true,
            withoutOperator: !o.operator,
            operatorArgs: operatorArgsOf(config),
            apiServerArgs: apiServerArgsOf(config),
            sidecarArgs: sidecarArgsOf(config),
            sidecarRateLimitOff: !o.rateLimit,
            faultProxy: o.faults === true,
            // A sandbox for faults, started by hand, can also run disk-full (a tmpfs on named's directory, as root).
            ...(o.faults === true ? { namedDiskBytes: defaultNamedDiskBytes } : {}),
            secondaries: o.secondaries === undefined ? config.sandbox.secondaries : secondariesArg(o.secondaries),
            ...(scoutCluster === undefined ? {} : { scout: { clusterName: scoutCluster, args: scoutArgsOf(config) } }),
            ...(scoutCluster === undefined || sources === 0 ? {} : { sourceClusters: Array.from({ length: sources }, (_, i) => ({ clusterName: sourceClusterName(scoutCluster, i), args: scoutArgsOf(config) })) }),
            home: sandboxHome(ctx.io.env),
            onProgress: (l) => {
              if ((ctx.globals().verbose ?? 0) > 0) ctx.io.stderr(`${l}\n`);
            },
          });
        } catch (err) {
          listening.abort();
          throw err;
        }
        if (json) ctx.io.stdout(`${JSON.stringify({ ...sandboxSummary(sb.state), startupMs: Math.round(sb.startupMs) }, null, 2)}\n`);
        else ctx.io.stderr(describe(sb.state, sb.startupMs));
        if (o.detach === true) {
          listening.abort();
          return;
        }
        if (!json) ctx.io.stderr('running in the foreground: Ctrl-C stops every part\n');
        await stopSignal;
        ctx.io.stderr('sandbox: stopping…\n');
        await sb.stop();
        ctx.io.stderr('sandbox: stopped, temp files removed\n');
      });
    sandbox
      .command('down')
      .description('stop every part of the running sandbox and remove its temp files')
      .action(async () => {
        const { readState, sandboxHome, stopSandbox } = await import('../../targets/sandbox/supervisor/index.js');
        const home = sandboxHome(ctx.io.env);
        const state = await readState(home);
        if (state === undefined) {
          ctx.io.stderr('sandbox: none is up\n');
          return;
        }
        await stopSandbox(state, home);
        ctx.io.stderr(`sandbox: stopped ${state.parts.map((p) => p.name).join(', ')}; removed ${state.dir}\n`);
      });
    sandbox
      .command('status')
      .description('health of each part of the running sandbox (exit 3 if none is up or a part is unhealthy)')
      .action(async () => {
        const { readState, sandboxHealth, sandboxHome } = await import('../../targets/sandbox/supervisor/index.js');
        const state = await readState(sandboxHome(ctx.io.env));
        if (state === undefined) throw new TargetNotReadyError('no sandbox is up', { hint: 'start one with `bindy-loadtest sandbox up --detach`' });
        const health = await sandboxHealth(state);
        if (ctx.globals().json === true) ctx.io.stdout(`${JSON.stringify({ ...sandboxSummary(state), health }, null, 2)}\n`);
        else {
          for (const h of health) ctx.io.stdout(`${h.name.padEnd(19)} ${h.healthy ? 'healthy  ' : 'UNHEALTHY'} pid ${String(h.pid).padEnd(8)} ${h.detail}\n`);
        }
        const bad = health.filter((h) => !h.healthy);
        if (bad.length > 0) throw new TargetNotReadyError(`sandbox unhealthy: ${bad.map((h) => h.name).join(', ')}`, { hint: `see the logs in ${state.dir}` });
      });
    registerStart(sandbox, ctx);
  },
};

/** `--rate-limit RATE,BURST` (e.g. `10/s,50`) as a limiter quota: one cell every 1/RATE s, BURST banked. */
function parseQuotaArg(raw: string): { replenishMs: number; burst: number } {
  const [rateText, burstText, extra] = raw.split(',');
  const rate = parseRate(rateText);
  if (!rate.ok || extra !== undefined) throw new UsageError(`--rate-limit: expected RATE,BURST such as 10/s,50, got '${raw}'${rate.ok ? '' : ` (${rate.message})`}`);
  const burst = parseInteger(burstText ?? String(Math.max(1, Math.ceil(rate.value))), 1);
  if (!burst.ok) throw new UsageError(`--rate-limit: burst: ${burst.message}`);
  return { replenishMs: 1000 / rate.value, burst: burst.value };
}
