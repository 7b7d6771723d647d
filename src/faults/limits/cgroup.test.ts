import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cgroupParents, limitFiles } from './cgroup.js';

// A hybrid host as seen on this project's machines: v1 controllers, an empty unified hierarchy, the tool's memory group nested.
const hybridMounts = [
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct',
  '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');
const hybridOwn = ['9:name=systemd:/', '4:memory:/process_api/abc', '2:cpuacct:/', '1:cpu:/', '0::/'].join('\n');

test('cgroup parents: v1 hierarchies where a controller is mounted there, under the tool\'s own group', () => {
  const r = cgroupParents(hybridMounts, hybridOwn, ['cpu', 'memory']);
  assert.deepEqual(r.missing, []);
  assert.deepEqual(r.parents, [
    { controller: 'cpu', version: 1, dir: '/sys/fs/cgroup/cpu' },
    { controller: 'memory', version: 1, dir: '/sys/fs/cgroup/memory/process_api/abc' },
  ]);
  // cpu,cpuacct mounted together (the usual systemd layout) is still the cpu hierarchy; an optional field before the dash is skipped.
  const joint = cgroupParents('40 31 0:40 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 - cgroup cgroup rw,cpu,cpuacct', '5:cpu,cpuacct:/user.slice', ['cpu']);
  assert.deepEqual(joint.parents, [{ controller: 'cpu', version: 1, dir: '/sys/fs/cgroup/cpu,cpuacct/user.slice' }]);
});

test('cgroup parents: a unified-only host uses the v2 group of the process; a mount of a sub-tree is taken off the path', () => {
  const v2 = cgroupParents('30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate', '0::/system.slice/job.service', ['cpu', 'memory']);
  assert.deepEqual(v2.parents.map((p) => `${p.controller}:${p.version}:${p.dir}`), ['cpu:2:/sys/fs/cgroup/system.slice/job.service', 'memory:2:/sys/fs/cgroup/system.slice/job.service']);
  const sub = cgroupParents('30 23 0:26 /kubepods/pod1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw', '0::/kubepods/pod1/c1', ['cpu']);
  assert.deepEqual(sub.parents.map((p) => p.dir), ['/sys/fs/cgroup/c1']);
  const none = cgroupParents('31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw', '', ['cpu']);
  assert.deepEqual(none, { parents: [], missing: ['cpu'] });
});

test('limit files: a CFS quota of cores × the 100 ms period, and memory in bytes, in each version\'s files', () => {
  assert.deepEqual(limitFiles('cpu', 1, { cpuCores: 0.1 }), [['cpu.cfs_period_us', '100000'], ['cpu.cfs_quota_us', '10000']]);
  assert.deepEqual(limitFiles('cpu', 2, { cpuCores: 1.5 }), [['cpu.max', '150000 100000']]);
  // The kernel refuses a quota under 1 ms: 1m (the smallest Kubernetes quantity) is raised to it.
  assert.deepEqual(limitFiles('cpu', 1, { cpuCores: 0.001 }), [['cpu.cfs_period_us', '100000'], ['cpu.cfs_quota_us', '1000']]);
  assert.deepEqual(limitFiles('memory', 1, { memoryMiB: 128 }), [['memory.limit_in_bytes', String(128 * 1048576)]]);
  assert.deepEqual(limitFiles('memory', 2, { memoryMiB: 0.5 }), [['memory.max', '524288']]);
});
