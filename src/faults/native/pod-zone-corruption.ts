/**
 * @module Zone corruption on a cluster (`pod-zonefile`), through pods/exec into a primary BIND9
 * pod's `bind9` container (bindcar's container has no shell): the way a crash in the middle of a
 * write leaves a zone file. For each of the run's zones (never another's) named writes its journal
 * into the file (`rndc sync -clean`), the run copies the file into a folder of its own beside it,
 * cuts it to its first half (mid-record), then stops named without saving (`rndc halt`: named is
 * the container's first process, so the kubelet restarts the container, whose emptyDir keeps the
 * files): named loads the torn files at its start, those zones fail to load and answer SERVFAIL.
 * The revert writes back each file that is still torn (one bindcar wrote again meanwhile, as bindy
 * re-creates a zone it finds missing, is left alone), reloads its zone and removes the copies; a
 * replaced pod took its files with it. The descriptor names the pod, the folder and the zones, so
 * `cleanup` mends them after the tool was killed. bindy's layout: named's directory and bindcar's
 * BIND_ZONE_DIR are /var/cache/bind, files `<zone>.zone`; `rndc` works in the container
 * (/etc/bind/rndc.conf).
 */
import { performance } from 'node:perf_hooks';
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { UsageError } from '../../errors.js';
import { runIdLabel } from '../../model/kinds.js';
import { KubeClient } from '../../observe/kube-client.js';
import { execFailedText, execInPod, samePod, type ExecResult } from '../../observe/pod-exec.js';
import type { AppliedFault, ApplyOptions, FaultMechanism, FaultSpec, PodZoneFileRevertDescriptor, RevertOutcome, RevertProof } from '../fault.js';
import { clusterSite, labelSelectorText, type ClusterSiteFacts } from '../chaos-mesh/sites.js';
import { podReady } from './pod-delete.js';
import { bindyZoneDir } from '../../targets/cluster/bindcar-forward.js';
import { secondaryZoneFilesReason } from '../secondary-zones.js';

/** Bound on one exec, ms. */
const execTimeoutMs = 30_000;

/** Bound on named's restart after the halt, ms (the kubelet's back-off starts at 10 s). */
const defaultRestartTimeoutMs = 120_000;

/**
 * The tear, run by `sh -c` with the zone directory, the copies' folder and the zones as
 * arguments (never spliced into the text): per zone its journal written into the file, a copy,
 * the cut at half its bytes; one line `zone bytes` each. Exit 3 when a zone has no file, 4 when named
 * did not write its journal out (`rndc sync` answers before the file is written: the journal's
 * removal says it is).
 */
export const tearScript = [
  'set -eu',
  'dir=$1; copies=$2; shift 2',
  'mkdir -p "$copies"',
  'for z in "$@"; do',
  '  f="$dir/$z.zone"',
  '  [ -f "$f" ] || { echo "no zone file $f" >&2; exit 3; }',
  '  rndc sync -clean "$z" >/dev/null',
  // named writes the file out after rndc answers, then removes the journal: wait for that (≤ 5 s).
  '  i=0; while [ -e "$f.jnl" ] && [ $i -lt 50 ]; do sleep 0.1 2>/dev/null || sleep 1; i=$((i + 1)); done',
  '  [ ! -e "$f.jnl" ] || { echo "named did not write the journal of $z into its file within 5 s" >&2; exit 4; }',
  '  cp "$f" "$copies/$z.zone"',
  '  size=$(wc -c < "$copies/$z.zone")',
  '  head -c $((size / 2)) "$copies/$z.zone" > "$f"',
  '  echo "$z $size"',
  'done',
].join('\n');

/**
 * The mend: per zone whose file is still the torn half of its copy, the copy written back and the
 * zone reloaded (`mended`); a file written since is left (`rewritten`); no copy (`gone`). Then the
 * copies' folder is removed. One line `zone verdict` each.
 */
export const mendScript = [
  'set -u',
  'dir=$1; copies=$2; shift 2',
  'for z in "$@"; do',
  '  f="$dir/$z.zone"; c="$copies/$z.zone"',
  '  if [ ! -f "$c" ]; then echo "$z gone"; continue; fi',
  '  size=$(wc -c < "$c")',
  '  torn=$(head -c $((size / 2)) "$c" | sha256sum)',
  '  now=$(sha256sum < "$f" 2>/dev/null || echo none)',
  '  if [ "$torn" = "$now" ]; then cp "$c" "$f" && { rndc reload "$z" >/dev/null 2>&1 || true; }; echo "$z mended"; else echo "$z rewritten"; fi',
  'done',
  'rm -rf "$copies"',
].join('\n');

/** The check: one line `zone torn` per file still the torn half of its copy. */
export const tornScript = [
  'set -u',
  'dir=$1; copies=$2; shift 2',
  'for z in "$@"; do',
  '  c="$copies/$z.zone"',
  '  [ -f "$c" ] || continue',
  '  size=$(wc -c < "$c")',
  '  [ "$(head -c $((size / 2)) "$c" | sha256sum)" = "$(sha256sum < "$dir/$z.zone" 2>/dev/null || echo none)" ] && echo "$z torn"',
  'done',
  'exit 0',
].join('\n');

/** The command that runs `script` on the descriptor's folders and zones. */
export function scriptCommand(script: string, d: Pick<PodZoneFileRevertDescriptor, 'zoneDir' | 'backupDir' | 'zones'>): string[] {
  return ['sh', '-c', script, 'sh', d.zoneDir, d.backupDir, ...d.zones];
}

/** The zones a script's lines name with `verdict` (pure). */
export function zonesSaid(stdout: string, verdict: string): string[] {
  return stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((w) => w.length === 2 && w[1] === verdict)
    .map((w) => w[0] ?? '');
}

/** The copies' folder of a run, beside the zone files (one path segment: a revert removes it). */
export function backupDirOf(zoneDir: string, runId: string): string {
  return `${zoneDir.replace(/\/+$/, '')}/.bindy-loadtest-${runId}`;
}

/** bind9's restart count in a pod's status (0 when not reported). */
function restartsOf(pod: V1Pod, container: string): number {
  return pod.status?.containerStatuses?.find((c) => c.name === container)?.restartCount ?? 0;
}

function failed(what: string, r: ExecResult): Error {
  return new Error(execFailedText(what, r));
}

/** The pod the descriptor names, or why its files are gone (deleted, or another pod of that name now). */
async function podOf(d: PodZoneFileRevertDescriptor, kubeConfig: KubeConfig): Promise<V1Pod | string> {
  const pod = await samePod(kubeConfig, d);
  if (pod === 'replaced') return `pod ${d.namespace}/${d.pod} was replaced: its emptyDir, torn files included, went with it`;
  if (pod === 'deleted') return `pod ${d.namespace}/${d.pod} is gone: its emptyDir, torn files included, went with it`;
  return pod;
}

/** Writes back every file still torn, reloads its zone and removes the copies (idempotent). */
export async function revertPodZoneCorruption(d: PodZoneFileRevertDescriptor, kubeConfig: KubeConfig): Promise<RevertOutcome> {
  const server = kubeConfig.getCurrentCluster()?.server ?? '';
  if (server !== d.server) return { reverted: false, already: false, detail: `the files were torn on ${d.server}; this kubeconfig points at ${server || '(none)'}` };
  try {
    const pod = await podOf(d, kubeConfig);
    if (typeof pod === 'string') return { reverted: true, already: true, detail: pod };
    const r = await execInPod(kubeConfig, { namespace: d.namespace, pod: d.pod, container: d.container, command: scriptCommand(mendScript, d), timeoutMs: execTimeoutMs });
    if (r.exitCode !== 0) return { reverted: false, already: false, detail: failed('the mend', r).message };
    const mended = zonesSaid(r.stdout, 'mended');
    const rewritten = zonesSaid(r.stdout, 'rewritten');
    const gone = zonesSaid(r.stdout, 'gone');
    const parts = [mended.length > 0 ? `written back and reloaded: ${mended.join(', ')}` : '', rewritten.length > 0 ? `written again since (left alone): ${rewritten.join(', ')}` : '', gone.length > 0 ? `already mended: ${gone.join(', ')}` : ''].filter((p) => p !== '');
    return { reverted: true, already: mended.length === 0, detail: `${d.namespace}/${d.pod}: ${parts.join('; ')}` };
  } catch (e) {
    return { reverted: false, already: false, detail: e instanceof Error ? e.message : String(e) };
  }
}

/** Checks no file of the descriptor is still torn (one exec). */
export async function verifyPodZoneCorruptionReverted(d: PodZoneFileRevertDescriptor, kubeConfig: KubeConfig): Promise<RevertProof> {
  const checkedAt = new Date().toISOString();
  try {
    const pod = await podOf(d, kubeConfig);
    if (typeof pod === 'string') return { reverted: true, checkedAt, faultCleared: true, evidence: pod };
    const r = await execInPod(kubeConfig, { namespace: d.namespace, pod: d.pod, container: d.container, command: scriptCommand(tornScript, d), timeoutMs: execTimeoutMs });
    const torn = r.exitCode === 0 ? zonesSaid(r.stdout, 'torn') : null;
    if (torn === null) return { reverted: false, checkedAt, faultCleared: false, evidence: failed('the check', r).message };
    return { reverted: torn.length === 0, checkedAt, faultCleared: torn.length === 0, evidence: torn.length === 0 ? `no zone file of ${d.zones.join(', ')} torn in ${d.namespace}/${d.pod}` : `still torn: ${torn.join(', ')}` };
  } catch (e) {
    return { reverted: false, checkedAt, faultCleared: false, evidence: e instanceof Error ? e.message : String(e) };
  }
}

/** Options of {@link PodZoneCorruptionMechanism}. */
export interface PodZoneCorruptionOptions {
  readonly kubeConfig: KubeConfig;
  readonly facts: ClusterSiteFacts;
  /** The run: only its DNSZones are torn, and its copies' folder is named after it. */
  readonly runId: string;
  /** named's directory in the container (default bindy's, /var/cache/bind). */
  readonly zoneDir?: string;
  readonly restartTimeoutMs?: number;
  /** Whether this user may create pods/exec in the namespace (a SelfSubjectAccessReview); null or absent: not known. */
  readonly mayExec?: boolean | null;
}

/** Zone corruption in a cluster's BIND9 pod behind the one fault interface. */
export class PodZoneCorruptionMechanism implements FaultMechanism {
  readonly name = 'pod-zonefile' as const;

  constructor(private readonly options: PodZoneCorruptionOptions) {}

  unsupportedReason(target: string, spec: FaultSpec): string | undefined {
    if (spec.kind !== 'zone-corruption') return `${spec.kind} is not a zone corruption`;
    if (target !== 'named') return secondaryZoneFilesReason(target, 'zone-corruption') ?? `zone-corruption acts on named's zone files, not on ${target}`;
    if (this.options.mayExec === false) return `zone-corruption runs through pods/exec, which this user may not create in ${this.options.facts.namespace} (RBAC: create pods/exec)`;
    return undefined;
  }

  async apply(target: string, spec: FaultSpec, options: ApplyOptions = {}): Promise<AppliedFault> {
    const reason = this.unsupportedReason(target, spec);
    if (reason !== undefined || spec.kind !== 'zone-corruption') throw new UsageError(`fault on ${target}: ${reason ?? 'not a zone corruption'}`);
    const site = clusterSite('named', this.options.facts);
    if (typeof site === 'string' || site.site !== 'part') throw new UsageError(`fault on ${target}: ${typeof site === 'string' ? site : 'not a part'}`);
    const kc = this.options.kubeConfig;
    const core = kc.makeApiClient(CoreV1Api);
    const labelSelector = labelSelectorText(site.pods.labels);
    const pods = (await core.listNamespacedPod({ namespace: site.pods.namespace, labelSelector })).items
      .filter((p) => (p.metadata?.deletionTimestamp ?? null) === null && podReady(p))
      .sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
    const pod = pods[0];
    if (pod === undefined) throw new Error(`no Ready primary BIND9 pod to tear zone files in (${labelSelector} in ${site.pods.namespace})`);
    const zones = await this.#runZones(spec.zones ?? 1);
    const zoneDir = this.options.zoneDir ?? bindyZoneDir;
    const descriptor: PodZoneFileRevertDescriptor = {
      mechanism: 'pod-zonefile',
      version: 1,
      server: kc.getCurrentCluster()?.server ?? '',
      namespace: site.pods.namespace,
      pod: pod.metadata?.name ?? '',
      podUid: pod.metadata?.uid ?? '',
      container: site.container ?? 'bind9',
      zoneDir,
      backupDir: backupDirOf(zoneDir, this.options.runId),
      zones,
    };
    await options.beforeApply?.(descriptor);
    const appliedAt = new Date().toISOString();
    const where = { namespace: descriptor.namespace, pod: descriptor.pod, container: descriptor.container, timeoutMs: execTimeoutMs };
    const torn = await execInPod(kc, { ...where, command: scriptCommand(tearScript, descriptor) });
    if (torn.exitCode !== 0) throw failed(`tearing ${zones.join(', ')} in ${descriptor.namespace}/${descriptor.pod}`, torn);
    // named stops without writing its zones out; the kubelet starts the container again (the exec may end with it).
    const restartsBefore = restartsOf(pod, descriptor.container);
    await execInPod(kc, { ...where, command: ['rndc', 'halt'] }).catch(() => null);
    const restart = await this.#waitRestarted(core, descriptor, restartsBefore);
    return {
      id: `pod-zonefile-${descriptor.podUid.slice(0, 8) || 'pod'}`,
      target,
      spec,
      appliedAt,
      descriptor,
      observations: () => ({ zones_torn: zones.length, named_restarted: restart ? 1 : 0 }),
      revert: () => revertPodZoneCorruption(descriptor, kc),
      verifyReverted: () => verifyPodZoneCorruptionReverted(descriptor, kc),
    };
  }

  /** The first `count` of the run's zones, by name (an error when it has none). */
  async #runZones(count: number): Promise<string[]> {
    const client = new KubeClient({ kubeConfig: this.options.kubeConfig });
    try {
      const r = await client.list('DNSZone', this.options.facts.namespace, `${runIdLabel}=${this.options.runId}`);
      if (!r.ok) throw new Error(`list the run's DNSZones: ${r.error.message}`);
      const names = r.value.items
        .map((z) => (z['spec'] as { zoneName?: unknown } | undefined)?.zoneName)
        .filter((n): n is string => typeof n === 'string' && /^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(n))
        .sort();
      if (names.length === 0) throw new Error(`no DNSZone of run ${this.options.runId} in ${this.options.facts.namespace} to tear (only the run's own zones are torn)`);
      return names.slice(0, count);
    } finally {
      client.close();
    }
  }

  /** Waits until the container restarted and the pod is Ready again; false when it did not within the bound. */
  async #waitRestarted(core: CoreV1Api, d: PodZoneFileRevertDescriptor, before: number): Promise<boolean> {
    const deadline = performance.now() + (this.options.restartTimeoutMs ?? defaultRestartTimeoutMs);
    while (performance.now() < deadline) {
      const pod = await core.readNamespacedPod({ name: d.pod, namespace: d.namespace }).catch(() => null);
      if (pod !== null && restartsOf(pod, d.container) > before && podReady(pod)) return true;
      await new Promise((r) => setTimeout(r, 500));
    }
    return false;
  }
}
