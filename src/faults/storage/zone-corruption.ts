/**
 * @module Zone corruption on the sandbox's named as a {@link FaultMechanism} (`sandbox-zonefile`):
 * the way a crash in the middle of a write leaves a zone file (its first half, cut mid-record),
 * found by named at its next start. named is killed, the files are cut, named is started again on
 * its ports with everything else kept; those zones fail to load and answer SERVFAIL, the others
 * answer. The revert writes back each file that is still torn (one written again since, by bindcar
 * re-creating its zone, is left alone) and reloads its zone; the descriptor holds the copies, so
 * `cleanup` mends them after the tool was killed.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { UsageError } from '../../errors.js';
import { readRndcConf, Rndc } from '../../targets/sandbox/bind9/rndc.js';
import { udpQuery } from '../../targets/sandbox/bind9/udp-query.js';
import { namedDataDir, partRunning, restartPart, sandboxPart, waitGone } from '../../targets/sandbox/supervisor/restart.js';
import { stopPart } from '../../targets/sandbox/supervisor/part-process.js';
import type { AppliedFault, ApplyOptions, FaultMechanism, FaultSpec, RevertOutcome, RevertProof, TornZoneFile, ZoneFileRevertDescriptor } from '../fault.js';
import { secondaryZoneFilesReason } from '../secondary-zones.js';

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** The zones of a folder's zone files (`<zone>.zone`), in name order (pure). */
export function zoneFilesOf(names: readonly string[]): { zone: string; file: string }[] {
  return names
    .filter((n) => n.endsWith('.zone') && n.length > '.zone'.length)
    .sort()
    .map((file) => ({ zone: file.slice(0, -'.zone'.length), file }));
}

/** Where a torn file is cut (pure): half its bytes, so the tear falls inside a record of any file of more than a line. */
export function tearAt(size: number): number {
  return Math.floor(size / 2);
}

/** named runs again (started if it is down), each file still torn written back and its zone reloaded (idempotent). */
export async function revertZoneCorruption(d: ZoneFileRevertDescriptor, options: { restartTimeoutMs?: number } = {}): Promise<RevertOutcome> {
  try {
    const said: string[] = [];
    const { part } = await sandboxPart(d.home, 'named');
    const wasDown = !partRunning(part);
    if (wasDown) said.push((await restartPart(d.home, 'named', { timeoutMs: options.restartTimeoutMs ?? 30_000 })).detail);
    const { state } = await sandboxPart(d.home, 'named');
    const mended: string[] = [];
    const leftAlone: string[] = [];
    for (const f of d.files) {
      const now = await readFile(f.path).catch(() => undefined);
      if (now === undefined || sha256(now) !== f.tornSha256) {
        leftAlone.push(f.zone);
        continue;
      }
      await writeFile(f.path, await readFile(f.backup));
      mended.push(f.zone);
    }
    if (mended.length > 0) {
      if (state.rndcConfFile === undefined) throw new Error('the sandbox names no rndc.conf for named: cannot reload the mended zones');
      const rndc = new Rndc(readRndcConf(state.rndcConfFile));
      for (const zone of mended) {
        // A zone deleted meanwhile (its run's cleanup) has nothing to reload: its file is whole again, which is all a revert owes.
        await rndc.run(['reload', zone]).catch((e: unknown) => {
          if (!/no matching zone|not found/.test(message(e))) throw e;
          said.push(`${zone} is no longer a zone of named: nothing to reload`);
        });
      }
    }
    for (const f of d.files) await rm(f.backup, { force: true });
    if (mended.length > 0) said.push(`wrote back ${mended.length} torn zone file${mended.length === 1 ? '' : 's'} (${mended.join(', ')}) and reloaded ${mended.length === 1 ? 'it' : 'them'}`);
    if (leftAlone.length > 0) said.push(`${leftAlone.join(', ')}: no longer torn (written again since, or gone), left as ${leftAlone.length === 1 ? 'it is' : 'they are'}`);
    return { reverted: true, already: mended.length === 0 && !wasDown, detail: said.join('; ') };
  } catch (e) {
    return { reverted: false, already: false, detail: message(e) };
  }
}

/** Checks that no file is still torn and named answers each zone's SOA with NOERROR. */
export async function verifyZoneCorruptionReverted(d: ZoneFileRevertDescriptor): Promise<RevertProof> {
  const checkedAt = (): string => new Date().toISOString();
  try {
    const { state, part } = await sandboxPart(d.home, 'named');
    const torn: string[] = [];
    for (const f of d.files) {
      const now = await readFile(f.path).catch(() => undefined);
      if (now !== undefined && sha256(now) === f.tornSha256) torn.push(f.zone);
    }
    const answers = await Promise.all(
      d.files.map(async (f) => {
        const a = await udpQuery(state.dns.port, f.zone, 'SOA', 2000).catch((e: unknown) => ({ rcode: -1, error: message(e) }));
        return { zone: f.zone, rcode: a.rcode, text: 'error' in a ? a.error : a.rcode === 0 ? 'SOA NOERROR' : `SOA rcode ${a.rcode}${a.rcode === 2 ? ' (SERVFAIL: not loaded)' : ''}` };
      }),
    );
    const served = answers.every((a) => a.rcode === 0);
    const running = partRunning(part);
    const evidence = [
      running ? `named runs (pid ${part.childPids.join(', ')})` : 'named is not running',
      torn.length === 0 ? 'no zone file torn' : `still torn: ${torn.join(', ')}`,
      ...answers.map((a) => `${a.zone} ${a.text}`),
    ].join('; ');
    return { reverted: running && torn.length === 0 && served, checkedAt: checkedAt(), faultCleared: torn.length === 0, probe: { ok: served, detail: answers.map((a) => `${a.zone} ${a.text}`).join('; ') }, evidence };
  } catch (e) {
    return { reverted: false, checkedAt: checkedAt(), faultCleared: false, evidence: message(e) };
  }
}

/** zone-corruption on the sandbox's named, behind the one fault interface. */
export class ZoneCorruptionMechanism implements FaultMechanism {
  readonly name = 'sandbox-zonefile' as const;

  constructor(private readonly options: { readonly home: string; readonly restartTimeoutMs?: number }) {}

  unsupportedReason(target: string, spec: FaultSpec): string | undefined {
    if (spec.kind !== 'zone-corruption') return `${spec.kind} is not zone-corruption`;
    if (target !== 'named') return secondaryZoneFilesReason(target, 'zone-corruption') ?? `zone-corruption acts on named's zone files, not on ${JSON.stringify(target)}`;
    if (spec.durationMs !== undefined) return 'durationMs is not supported for zone-corruption: the revert ends it';
    return undefined;
  }

  async apply(target: string, spec: FaultSpec, options: ApplyOptions = {}): Promise<AppliedFault> {
    const reason = this.unsupportedReason(target, spec);
    if (reason !== undefined || spec.kind !== 'zone-corruption') throw new UsageError(`fault on ${target}: ${reason ?? ''}`);
    const { state, part } = await sandboxPart(this.options.home, 'named');
    const namedPid = part.childPids[0];
    if (!partRunning(part) || namedPid === undefined) throw new Error('fault on named: named is not running; a revert may be pending');
    const dir = namedDataDir(part);
    const chosen = zoneFilesOf(await readdir(dir)).slice(0, spec.zones ?? 1);
    if (chosen.length === 0) throw new Error(`fault on named: no zone file in ${dir} to tear (no zone created yet)`);
    const id = `zc-${Date.now().toString(36)}`;
    // The copies live in the sandbox's folder, beside named's directory, never inside it.
    const backups = join(state.dir, `zone-corruption-${id}`);
    await mkdir(backups, { mode: 0o700 });
    const files: TornZoneFile[] = [];
    const cuts: { path: string; at: number; size: number }[] = [];
    for (const c of chosen) {
      const path = join(dir, c.file);
      const backup = join(backups, basename(c.file));
      await copyFile(path, backup);
      const bytes = await readFile(backup);
      const at = tearAt(bytes.length);
      files.push({ zone: c.zone, path, backup, tornSha256: sha256(bytes.subarray(0, at)) });
      cuts.push({ path, at, size: bytes.length });
    }
    const descriptor: ZoneFileRevertDescriptor = { mechanism: 'sandbox-zonefile', version: 1, home: this.options.home, part: 'named', files };
    await options.beforeApply?.(descriptor);
    const appliedAt = new Date().toISOString();
    // SIGKILL, not SIGTERM: a named told to stop writes its dynamic zones out, over the torn files.
    process.kill(namedPid, 'SIGKILL');
    if (!(await waitGone(namedPid, 5000))) await stopPart(namedPid, 0);
    if (!(await waitGone(part.pid, 5000))) await stopPart(part.pid, 3000);
    for (const c of cuts) await truncate(c.path, c.at);
    const restarted = await restartPart(this.options.home, 'named', { timeoutMs: this.options.restartTimeoutMs ?? 30_000 });
    const tore = `tore ${files.map((f) => f.zone).join(', ')} (cut to ${cuts.map((c) => `${c.at} of ${c.size}`).join(', ')} bytes); ${restarted.detail}`;
    let mended = '';
    return {
      id,
      target,
      spec,
      appliedAt,
      descriptor,
      revert: async () => {
        const r = await revertZoneCorruption(descriptor, this.options.restartTimeoutMs === undefined ? {} : { restartTimeoutMs: this.options.restartTimeoutMs });
        if (r.reverted) mended = r.detail;
        return r;
      },
      verifyReverted: async () => {
        const proof = await verifyZoneCorruptionReverted(descriptor);
        return { ...proof, evidence: `${tore}; ${mended === '' ? '' : `${mended}; `}${proof.evidence}` };
      },
    };
  }
}
