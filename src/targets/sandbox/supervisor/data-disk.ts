/**
 * @module named's data filesystem on the sandbox: a size-limited tmpfs mounted on named's directory
 * before named starts (root only), so that a disk-full fault meets a real ENOSPC from the kernel
 * when it fills it, as a BIND9 pod's volume would. Whatever is mounted under a sandbox's folder is
 * unmounted before the folder is removed (`sandbox down`, a failed start, cleanup of an orphan).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Default size of named's data filesystem: room for the largest zone sets a test loads, small enough to fill at once. */
export const defaultNamedDiskBytes = 256 * 2 ** 20;

/** A size-limited filesystem the sandbox mounted. */
export interface DataDisk {
  /** Its mount point (named's directory). */
  readonly mount: string;
  readonly sizeBytes: number;
}

/** Mount points listed in the text of /proc/self/mounts (pure): field 2 of each line, octal escapes decoded. */
export function mountPointsOf(mountsText: string): string[] {
  return mountsText
    .split('\n')
    .map((line) => line.split(' ')[1])
    .filter((m): m is string => m !== undefined && m !== '')
    .map((m) => m.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}

/** Mount points strictly under `dir`, deepest first (pure). */
export function mountsUnder(mountPoints: readonly string[], dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return [...new Set(mountPoints.filter((m) => m.startsWith(prefix)))].sort((a, b) => b.length - a.length);
}

/**
 * Mounts a tmpfs of `sizeBytes` on `dir` (which must exist, empty). Returns why not when this
 * process may not mount (not root) or the mount fails: the sandbox then runs without one, and a
 * disk-full fault says it is not available.
 */
export async function mountDataDisk(dir: string, sizeBytes: number): Promise<DataDisk | { readonly unavailable: string }> {
  if (process.platform !== 'linux') return { unavailable: 'it needs Linux (tmpfs)' };
  if (process.getuid?.() !== 0) return { unavailable: 'mounting a size-limited filesystem needs root' };
  const kib = Math.max(1, Math.ceil(sizeBytes / 1024));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${kib}k,mode=0700`, 'bindy-loadtest-named', dir]);
  } catch (e) {
    return { unavailable: `mount -t tmpfs failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
  return { mount: dir, sizeBytes: kib * 1024 };
}

/** Unmounts every filesystem mounted under `dir` (lazily when one is still busy); the mount points it unmounted. */
export async function unmountUnder(dir: string): Promise<string[]> {
  let text: string;
  try {
    text = readFileSync('/proc/self/mounts', 'utf8');
  } catch {
    return [];
  }
  const done: string[] = [];
  for (const m of mountsUnder(mountPointsOf(text), dir)) {
    try {
      await run('umount', [m]);
    } catch {
      // A process still holding a file there (a part being killed): detach now, freed when it lets go.
      await run('umount', ['-l', m]).catch(() => undefined);
    }
    done.push(m);
  }
  return done;
}
