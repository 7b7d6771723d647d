/**
 * @module CPU and memory limits on a local process through Linux control groups, as a kubelet sets
 * a container's limits (CFS quota, memory limit): a child group under the tool's own group per
 * controller (v1 `cpu` / `memory` hierarchies, or the unified v2 one), the limits written, the
 * process moved in; removed again by moving what is left to the parent and `rmdir`. Where the
 * groups live is computed from /proc/self/mountinfo and /proc/self/cgroup (pure, tested with their
 * text); the rest is file I/O on cgroupfs and needs root.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The controllers a limit uses. */
export type LimitController = 'cpu' | 'memory';

/** Where child groups of one controller are made. */
export interface CgroupParent {
  controller: LimitController;
  version: 1 | 2;
  /** The tool's own group of that controller: children go here. */
  dir: string;
}

/** The CFS period the quota is written against, µs (the kernel's and the kubelet's default). */
export const cfsPeriodUs = 100_000;

/** Where the tool's own groups are, per controller (pure): v1 hierarchies first (a hybrid host keeps its controllers there), else the unified one. */
export function cgroupParents(mountinfo: string, procCgroup: string, controllers: readonly LimitController[]): { parents: CgroupParent[]; missing: string[] } {
  const mounts = mountinfo
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f.length > 9)
    .map((f) => {
      const dash = f.indexOf('-');
      return { root: f[3] ?? '/', point: f[4] ?? '', fstype: f[dash + 1] ?? '', superOptions: (f[dash + 3] ?? '').split(',') };
    });
  const groups = procCgroup
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [, , list = '', path = '/'] = /^(\d+):([^:]*):(.*)$/.exec(l.trim()) ?? [];
      return { controllers: list === '' ? [] : list.split(','), path };
    });
  const within = (root: string, path: string): string => (root !== '/' && path.startsWith(root) ? path.slice(root.length) || '/' : path);
  const at = (point: string, path: string): string => join(point, path).replace(/(.)\/+$/, '$1');
  const parents: CgroupParent[] = [];
  const missing: string[] = [];
  for (const c of controllers) {
    const v1 = mounts.find((m) => m.fstype === 'cgroup' && m.superOptions.includes(c));
    const g1 = groups.find((g) => g.controllers.includes(c));
    if (v1 !== undefined && g1 !== undefined) {
      parents.push({ controller: c, version: 1, dir: at(v1.point, within(v1.root, g1.path)) });
      continue;
    }
    const v2 = mounts.find((m) => m.fstype === 'cgroup2');
    const g2 = groups.find((g) => g.controllers.length === 0);
    if (v2 !== undefined && g2 !== undefined) parents.push({ controller: c, version: 2, dir: at(v2.point, within(v2.root, g2.path)) });
    else missing.push(c);
  }
  return { parents, missing };
}

/** The files and values that set a limit in a group of `version` (pure). */
export function limitFiles(controller: LimitController, version: 1 | 2, value: { cpuCores?: number; memoryMiB?: number }): [string, string][] {
  if (controller === 'cpu') {
    const quota = Math.max(1000, Math.round((value.cpuCores ?? 0) * cfsPeriodUs));
    return version === 1 ? [['cpu.cfs_period_us', String(cfsPeriodUs)], ['cpu.cfs_quota_us', String(quota)]] : [['cpu.max', `${quota} ${cfsPeriodUs}`]];
  }
  const bytes = String(Math.round((value.memoryMiB ?? 0) * 1048576));
  return version === 1 ? [['memory.limit_in_bytes', bytes]] : [['memory.max', bytes]];
}

/** The file of a group that a limit needs, to tell a usable group (pure). */
function markerFile(controller: LimitController, version: 1 | 2): string {
  return limitFiles(controller, version, { cpuCores: 1, memoryMiB: 1 })[0]?.[0] ?? '';
}

/** The tool's groups for `controllers` on this machine, or why there are none. */
export function localCgroupParents(controllers: readonly LimitController[]): { parents: CgroupParent[] } | { reason: string } {
  let mountinfo: string;
  let own: string;
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
    own = readFileSync('/proc/self/cgroup', 'utf8');
  } catch (e) {
    return { reason: `control groups cannot be read here (${e instanceof Error ? e.message : String(e)})` };
  }
  const { parents, missing } = cgroupParents(mountinfo, own, controllers);
  if (missing.length > 0) return { reason: `no cgroup hierarchy with the ${missing.join(' and ')} controller is mounted` };
  return { parents };
}

/** Why a child group with these limits cannot be made here (tries one and removes it), or undefined when it can. */
export function cgroupUnsupportedReason(parents: readonly CgroupParent[], probeName: string): string | undefined {
  for (const p of parents) {
    const dir = join(p.dir, probeName);
    try {
      mkdirSync(dir);
    } catch (e) {
      return `cannot make a ${p.controller} control group in ${p.dir} (${e instanceof Error ? e.message : String(e)}): limits on a local process need root and a writable cgroup hierarchy`;
    }
    try {
      // A v2 child gets only the controllers its parent hands down (cgroup.subtree_control): not ours to change.
      if (!existsSync(join(dir, markerFile(p.controller, p.version)))) return `the ${p.controller} controller is not enabled for children of ${p.dir} (cgroup v2 subtree_control)`;
    } finally {
      rmdirSync(dir);
    }
  }
  return undefined;
}

/** Makes the child group `name` under each parent with its limit; returns the groups made (a failure removes what was made and throws). */
export function makeLimitedGroups(parents: readonly CgroupParent[], name: string, value: { cpuCores?: number; memoryMiB?: number }): string[] {
  const made: string[] = [];
  try {
    for (const p of parents) {
      const dir = join(p.dir, name);
      if (!existsSync(dir)) mkdirSync(dir);
      made.push(dir);
      for (const [file, v] of limitFiles(p.controller, p.version, value)) writeFileSync(join(dir, file), v);
    }
  } catch (e) {
    removeGroups(made);
    throw e;
  }
  return made;
}

/** Moves `pid` (all its threads) into each group. */
export function moveIntoGroups(groups: readonly string[], pid: number): void {
  for (const g of groups) writeFileSync(join(g, 'cgroup.procs'), String(pid));
}

/** The pids in a group (none when it is gone). */
export function groupPids(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter((l) => l.trim() !== '').map(Number);
  } catch {
    return [];
  }
}

/** Removes the groups (idempotent): whatever still runs in one is moved to its parent first. Returns the groups that could not be removed, with why. */
export function removeGroups(groups: readonly string[]): string[] {
  const left: string[] = [];
  for (const g of [...groups].reverse()) {
    if (!existsSync(g)) continue;
    try {
      for (const pid of groupPids(g)) writeFileSync(join(g, '..', 'cgroup.procs'), String(pid));
      rmdirSync(g);
    } catch (e) {
      left.push(`${g} (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  return left;
}

/** How often a CPU group's quota held its processes back (cpu.stat), in one phrase; null when unreadable. */
export function cpuThrottlingText(dir: string): string | null {
  let text: string;
  try {
    text = readFileSync(join(dir, 'cpu.stat'), 'utf8');
  } catch {
    return null;
  }
  const v = (k: string): number | undefined => {
    const m = new RegExp(`^${k} (\\d+)$`, 'm').exec(text);
    return m === null ? undefined : Number(m[1]);
  };
  const periods = v('nr_periods');
  const throttled = v('nr_throttled');
  // v1 says nanoseconds, v2 microseconds.
  const ns = v('throttled_time') ?? (v('throttled_usec') === undefined ? undefined : (v('throttled_usec') ?? 0) * 1000);
  if (periods === undefined || throttled === undefined) return null;
  return `CPU quota held it back in ${throttled} of ${periods} periods${ns === undefined ? '' : ` (${(ns / 1e9).toFixed(1)} s in all)`}`;
}
