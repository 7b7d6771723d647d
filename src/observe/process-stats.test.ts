/** @module Tests of /proc process stats: parsing awkward command names, and the current process measured two ways. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clockTicksPerSecond, parseProcessStats, processStatsSource, readProcessStats } from './process-stats.js';

const status = 'Name:\tx\nVmPeak:\t  9999 kB\nVmRSS:\t    2048 kB\nThreads:\t1\n';
/** A stat line with the given comm and utime/stime ticks (fields 14 and 15). */
const stat = (comm: string, utime: number, stime: number): string => `123 (${comm}) S 1 2 3 4 5 6 7 8 9 10 ${utime} ${stime} 0 0 20 0 1 0 100 2000 500`;

void test('parseProcessStats reads utime+stime and VmRSS whatever the command name holds', () => {
  const cases: { comm: string; ticks: number; want: { rssBytes: number; cpuSeconds: number } }[] = [
    { comm: 'node', ticks: 100, want: { rssBytes: 2048 * 1024, cpuSeconds: 3.5 } },
    { comm: 'my (weird) name', ticks: 100, want: { rssBytes: 2048 * 1024, cpuSeconds: 3.5 } },
    { comm: 'a) S 1 2', ticks: 250, want: { rssBytes: 2048 * 1024, cpuSeconds: 1.4 } },
  ];
  for (const c of cases) assert.deepEqual(parseProcessStats(stat(c.comm, 300, 50), status, c.ticks), c.want, c.comm);
  assert.throws(() => parseProcessStats(stat('x', 1, 1), 'Name:\tx\n', 100), /VmRSS/);
  assert.throws(() => parseProcessStats('garbage', status, 100), /stat format/);
});

void test('the current process: RSS near memoryUsage().rss, CPU time between two cpuUsage() readings', { skip: process.platform !== 'linux' }, async () => {
  const before = process.cpuUsage();
  // Burn a little CPU so the reading is not trivially zero.
  let x = 0;
  for (let i = 0; i < 3e6; i++) x += Math.sqrt(i);
  assert.ok(x > 0);
  const s = await readProcessStats(process.pid);
  const after = process.cpuUsage();
  const tick = 1 / clockTicksPerSecond();
  const sec = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;
  assert.ok(s.cpuSeconds >= sec(before) - 2 * tick && s.cpuSeconds <= sec(after) + 2 * tick, `${s.cpuSeconds} within [${sec(before)}, ${sec(after)}]`);
  const rss = process.memoryUsage().rss;
  assert.ok(Math.abs(s.rssBytes - rss) / rss < 0.2, `RSS ${s.rssBytes} vs ${rss}`);
  const samples = await processStatsSource(process.pid).read(new AbortController().signal);
  assert.deepEqual(samples.map((x) => x.name), ['process_resident_memory_bytes', 'process_cpu_seconds_total']);
  await assert.rejects(readProcessStats(2 ** 22 + 12345), /ENOENT/);
});
