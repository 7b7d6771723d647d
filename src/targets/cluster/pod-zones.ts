/**
 * @module Zones loaded into a cluster's BIND9 pod as bindcar loads them, through pods/exec into its
 * `bind9` container (bindcar's own container has no shell): the zone file bindcar would write,
 * sent on stdin into named's directory (a stale journal dropped first), then `rndc addzone` with
 * bindcar's block. For zones over bindcar's 2 MiB request limit (`bind zones`), which bindcar
 * answers 413. bindcar's delete route removes them like any other; a killed run's `cleanup` deletes
 * them here (`rndc delzone`, the files removed), where the pod is still the one the run used.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { BindcarCreateZone } from '../../drive/bindcar-client.js';
import { execFailedText, execInPod, samePod } from '../../observe/pod-exec.js';
import type { PodZoneSite } from '../../observe/journal.js';
import { renderAddzoneBlock, renderZoneFile } from '../sandbox/sidecar/zone-text.js';

/** How long writing a zone file may take (many MiB through the API server), ms. */
const writeTimeoutMs = 300_000;
/** How long addzone may take for a big zone (named parses the file in the command), ms. */
const addzoneTimeoutMs = 300_000;
/** How long a delete may take, ms. */
const deleteTimeoutMs = 60_000;

/**
 * Writes stdin's first `$1` bytes to `$2` (through `$2.part`, so named never reads half a file),
 * after removing a journal of an earlier zone of that name as bindcar does; says how much it wrote
 * when stdin ended short. busybox sh, head and wc (bindy's alpine image has them).
 */
export const writeZoneScript = [
  'set -e',
  'rm -f "$2.jnl" "$2.part"',
  'head -c "$1" > "$2.part"',
  'n=$(wc -c < "$2.part")',
  'if [ "$n" -ne "$1" ]; then rm -f "$2.part"; echo "wrote $n of $1 bytes" >&2; exit 1; fi',
  'mv "$2.part" "$2"',
].join('\n');

/** Removes the zone from named (gone already is fine) and its files: `$1` the zone, `$2` its file. */
export const deleteZoneScript = [
  'out=$(rndc delzone "$1" 2>&1) || case "$out" in *"not found"*) ;; *) echo "$out" >&2; exit 1 ;; esac',
  'rm -f "$2" "$2.jnl" "$2.part"',
].join('\n');

/** The zone file's path in the container (pure): bindcar's, `<zoneDir>/<zone>.zone`. */
export function zoneFileOf(site: Pick<PodZoneSite, 'zoneDir'>, zone: string): string {
  return `${site.zoneDir.replace(/\/+$/, '')}/${zone}.zone`;
}

/** A zone name safe to put in a path and an rndc argument (pure): letters, digits, '-', '.', '_'. */
export function plainZoneName(zone: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(zone) && !zone.includes('..');
}

/** Loads `request` into the pod's named as bindcar would: its zone file written there, then `rndc addzone` with bindcar's block. Rejects with what failed. */
export async function loadZoneInPod(kubeConfig: KubeConfig, site: PodZoneSite, request: BindcarCreateZone): Promise<void> {
  const zone = request.zoneName;
  if (!plainZoneName(zone)) throw new Error(`zone ${JSON.stringify(zone)}: not a plain zone name`);
  const where = { namespace: site.namespace, pod: site.pod, container: site.container };
  const file = zoneFileOf(site, zone);
  const text = Buffer.from(renderZoneFile(request.zoneConfig), 'utf8');
  const written = await execInPod(kubeConfig, { ...where, command: ['sh', '-c', writeZoneScript, 'sh', String(text.length), file], stdin: text, timeoutMs: writeTimeoutMs });
  if (written.exitCode !== 0) throw new Error(execFailedText(`writing ${file} in ${site.namespace}/${site.pod}`, written));
  const added = await execInPod(kubeConfig, { ...where, command: ['rndc', 'addzone', zone, renderAddzoneBlock(request, site.zoneDir.replace(/\/+$/, ''))], timeoutMs: addzoneTimeoutMs });
  if (added.exitCode !== 0) throw new Error(execFailedText(`rndc addzone ${zone} in ${site.namespace}/${site.pod}`, added));
}

/** How deleting a journalled zone ended: gone (and how), or why not. */
export type ZoneDeleteOutcome = { gone: true; how: string } | { gone: false; why: string };

/**
 * Deletes a zone a run loaded into the pod and its files: gone when deleted now, never there, or
 * its pod replaced or deleted (an emptyDir goes with its pod; a new pod of that name is not touched).
 */
export async function deleteZoneInPod(kubeConfig: KubeConfig, site: PodZoneSite, zone: string): Promise<ZoneDeleteOutcome> {
  if (!plainZoneName(zone)) return { gone: false, why: `zone ${JSON.stringify(zone)}: not a plain zone name` };
  const server = kubeConfig.getCurrentCluster()?.server ?? '';
  if (server !== site.server) return { gone: false, why: `it is in the cluster at ${site.server}, not this kubeconfig's ${server || '(none)'}` };
  const where = `pod ${site.namespace}/${site.pod}`;
  let pod;
  try {
    pod = await samePod(kubeConfig, site);
  } catch (e) {
    return { gone: false, why: `reading ${where}: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (pod === 'deleted') return { gone: true, how: `gone with ${where} (deleted since)` };
  if (pod === 'replaced') return { gone: true, how: `gone with ${where} (replaced since: the new pod is not touched)` };
  try {
    const r = await execInPod(kubeConfig, { namespace: site.namespace, pod: site.pod, container: site.container, command: ['sh', '-c', deleteZoneScript, 'sh', zone, zoneFileOf(site, zone)], timeoutMs: deleteTimeoutMs });
    return r.exitCode === 0 ? { gone: true, how: `deleted in ${where} (rndc delzone, its files removed)` } : { gone: false, why: execFailedText(`rndc delzone ${zone} in ${where}`, r) };
  } catch (e) {
    return { gone: false, why: e instanceof Error ? e.message : String(e) };
  }
}
