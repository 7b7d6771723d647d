/**
 * @module A full data filesystem on the sandbox's named as a {@link FaultMechanism}
 * (`sandbox-disk`): a ballast file fills the size-limited tmpfs the sandbox mounted on named's
 * directory (which bindcar writes too, as a BIND9 pod's shared volume) until the bytes asked for
 * are left, so every write beyond them fails with the kernel's own ENOSPC: journals of dynamic
 * updates (named answers SERVFAIL), zone files bindcar writes. Removing the ballast is the revert;
 * the descriptor names it, so `cleanup` removes it after the tool was killed.
 */
import { open, rm, stat, statfs, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import { partHealth } from '../../targets/sandbox/supervisor/health.js';
import { sandboxPart } from '../../targets/sandbox/supervisor/restart.js';
import type { AppliedFault, ApplyOptions, DiskRevertDescriptor, FaultMechanism, FaultSpec, RevertOutcome, RevertProof } from '../fault.js';

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Bytes as MiB with one decimal, for evidence lines. */
function mib(n: number): string {
  return `${(n / 2 ** 20).toFixed(1)} MiB`;
}

/** Bytes an unprivileged writer may still write on the filesystem of `path`. */
async function freeBytes(path: string): Promise<number> {
  const s = await statfs(path);
  return s.bavail * s.bsize;
}

/** How much ballast leaves `keep` bytes free of `free` (pure); 0 when there is not more than that free already. */
export function ballastBytes(free: number, keep: number): number {
  return Math.max(0, free - keep);
}

/**
 * Writes `bytes` of zeros to a new file `path` (real pages: tmpfs allocates on write, never for a
 * sparse file), stopping early at ENOSPC; the bytes written.
 */
async function writeBallast(path: string, bytes: number): Promise<number> {
  const chunk = Buffer.alloc(1 << 20);
  const fh = await open(path, 'wx', 0o600);
  let written = 0;
  try {
    while (written < bytes) {
      const n = Math.min(chunk.length, bytes - written);
      try {
        written += (await fh.write(chunk, 0, n)).bytesWritten;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOSPC') break;
        throw e;
      }
    }
  } finally {
    await fh.close();
  }
  return written;
}

/** Removes the ballast (idempotent). */
export async function revertDiskFull(d: DiskRevertDescriptor): Promise<RevertOutcome> {
  try {
    let size: number;
    try {
      size = (await stat(d.ballast)).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { reverted: true, already: true, detail: `no ballast at ${d.ballast}` };
      throw e;
    }
    await unlink(d.ballast);
    return { reverted: true, already: false, detail: `removed the ballast (${mib(size)}) from ${d.mount}: ${mib(await freeBytes(d.mount))} free` };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { reverted: true, already: true, detail: `no ballast at ${d.ballast} (the filesystem is gone with its sandbox)` };
    return { reverted: false, already: false, detail: message(e) };
  }
}

/** Checks that the ballast is gone, a write on the filesystem succeeds again, and named answers its health check. */
export async function verifyDiskFullReverted(d: DiskRevertDescriptor): Promise<RevertProof> {
  const checkedAt = (): string => new Date().toISOString();
  try {
    const ballastGone = await stat(d.ballast).then(
      () => false,
      (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return true;
        throw e;
      },
    );
    // The proof a writer needs: 64 KiB written and removed where named keeps its zones.
    const probe = join(d.mount, '.bindy-loadtest-write-probe');
    const failure = await writeFile(probe, Buffer.alloc(64 * 1024)).then(
      () => undefined,
      (e: unknown) => message(e),
    );
    await rm(probe, { force: true });
    const writable = failure === undefined;
    const wrote = writable ? 'a 64 KiB write succeeds' : `a 64 KiB write fails: ${failure}`;
    const { state, part } = await sandboxPart(d.home, d.part);
    const health = await partHealth(state, part);
    const said = `${ballastGone ? 'ballast gone' : `ballast ${d.ballast} still there`}; ${mib(await freeBytes(d.mount))} free on ${d.mount}, ${wrote}`;
    return { reverted: ballastGone && writable && health.healthy, checkedAt: checkedAt(), faultCleared: ballastGone && writable, probe: { ok: health.healthy, detail: health.detail }, evidence: `${said}; ${health.detail}` };
  } catch (e) {
    return { reverted: false, checkedAt: checkedAt(), faultCleared: false, evidence: message(e) };
  }
}

/** Where the sandbox keeps named's data: its size-limited filesystem, when it has one. */
export interface DiskFullOptions {
  readonly home: string;
  /** The sandbox's named data filesystem (state.json `namedDisk`); absent: disk-full is not available. */
  readonly disk?: { readonly mount: string; readonly sizeBytes: number };
}

/** disk-full on the sandbox's named, behind the one fault interface. */
export class DiskFullMechanism implements FaultMechanism {
  readonly name = 'sandbox-disk' as const;

  constructor(private readonly options: DiskFullOptions) {}

  unsupportedReason(target: string, spec: FaultSpec): string | undefined {
    if (spec.kind !== 'disk-full') return `${spec.kind} is not a storage fault (disk-full)`;
    if (/^named-secondary-\d+$/.test(target)) {
      return `disk-full on ${target} is not on the sandbox: only the primary's named has its directory on a size-limited filesystem (a secondary's named writes little there: its zones come by transfer and stay in memory, only rndc addzone and delzone write its new-zone database); on a cluster with Chaos Mesh it runs as IOChaos`;
    }
    if (target !== 'named') return `disk-full acts on named's data filesystem (its zone directory, which bindcar writes too), not on ${JSON.stringify(target)}`;
    if (spec.durationMs !== undefined) return 'durationMs is not supported for disk-full: the revert ends it';
    if (this.options.disk === undefined) {
      return "disk-full is not available here: named's directory is not on a size-limited filesystem (a sandbox mounts a tmpfs there only when started as root for a run whose experiments include disk-full, or by `sandbox up --faults --detach`)";
    }
    return undefined;
  }

  async apply(target: string, spec: FaultSpec, options: ApplyOptions = {}): Promise<AppliedFault> {
    const reason = this.unsupportedReason(target, spec);
    const disk = this.options.disk;
    if (reason !== undefined || spec.kind !== 'disk-full' || disk === undefined) throw new UsageError(`fault on ${target}: ${reason ?? ''}`);
    const id = `disk-${Date.now().toString(36)}`;
    const descriptor: DiskRevertDescriptor = { mechanism: 'sandbox-disk', version: 1, home: this.options.home, part: 'named', mount: disk.mount, ballast: join(disk.mount, `.bindy-loadtest-ballast-${id}`) };
    const before = await freeBytes(disk.mount);
    await options.beforeApply?.(descriptor);
    const keep = spec.freeBytes ?? 0;
    const written = await writeBallast(descriptor.ballast, ballastBytes(before, keep));
    const after = await freeBytes(disk.mount);
    const filled = `${mib(written)} of ballast on ${disk.mount} (${mib(disk.sizeBytes)}): ${mib(before)} free before, ${mib(after)} after`;
    let lifted = '';
    return {
      id,
      target,
      spec,
      appliedAt: new Date().toISOString(),
      descriptor,
      revert: async () => {
        const r = await revertDiskFull(descriptor);
        if (r.reverted && !r.already) lifted = r.detail;
        return r;
      },
      // The proof says how full it was, and what the revert freed.
      verifyReverted: async () => {
        const proof = await verifyDiskFullReverted(descriptor);
        return { ...proof, evidence: `${filled}; ${lifted === '' ? '' : `${lifted}; `}${proof.evidence}` };
      },
    };
  }
}
