/** @module BIND9's memory and CPU from /proc: figures per server with a local process, a note for the others. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { sampleBind9Resources } from './bind9-resources.js';

test('a server with a local process gets RSS start/peak/end, CPU seconds and series; one without is named in a note', async () => {
  const t0 = performance.now();
  // This test's own process stands in for named: /proc reads the same for any pid.
  const sampling = await sampleBind9Resources(
    [
      { host: '127.0.0.1', port: 53, name: 'primary-0', pid: process.pid },
      { host: '10.0.0.9', port: 53, name: 'remote-0' },
    ],
    { intervalMs: 20, now: () => performance.now() - t0 },
  );
  // CPU to measure, and memory held while it is sampled (released after).
  const held: Buffer[] = [];
  const until = performance.now() + 150;
  // Busy in slices, yielding between them so the sampler's ticks run.
  while (performance.now() < until) {
    const slice = performance.now() + 5;
    while (performance.now() < slice) held.push(Buffer.alloc(64 * 1024, 1));
    await new Promise((resolve) => setImmediate(resolve));
  }
  const r = await sampling.stop();
  assert.ok(held.length > 0);
  const v = (name: string): number => {
    const c = r.counters[`bind9_${name}.primary-0`];
    assert.ok(c !== undefined, name);
    return c.value;
  };
  assert.ok(v('rss_start') > 0);
  assert.ok(v('rss_peak') >= v('rss_start') && v('rss_peak') >= v('rss_end'));
  assert.ok(v('cpu_seconds') > 0, 'a busy loop of 150 ms shows CPU time');
  const rss = r.timeSeries.find((s) => s.name === 'bind9_memory_rss.primary-0');
  assert.ok(rss !== undefined && rss.points.length >= 3 && rss.unit === 'bytes');
  const cpu = r.timeSeries.find((s) => s.name === 'bind9_cpu.primary-0');
  assert.ok(cpu !== undefined && cpu.unit === 'cores' && cpu.points.some((p) => p.value > 0), JSON.stringify(cpu));
  assert.ok(!Object.keys(r.counters).some((k) => k.endsWith('.remote-0')));
  assert.deepEqual(r.notes, ['BIND9 memory and CPU not sampled for remote-0: no named process of it on this machine (on a cluster, its container\'s metrics)']);
});

test('a process that is gone is said so, not reported as zero', async () => {
  const sampling = await sampleBind9Resources([{ host: '127.0.0.1', port: 53, name: 'primary-0', pid: 2 ** 22 + 17 }], { intervalMs: 1000, now: () => 0 });
  const r = await sampling.stop();
  assert.deepEqual(r.counters, {});
  assert.equal(r.notes.length, 1);
  assert.match(r.notes[0] ?? '', /^BIND9 memory and CPU of primary-0: \/proc\/\d+ \(named of primary-0\) could not be read/);
});

test('a named replaced during the run (a fault restarted it) is followed to its new pid, and the note says so', { skip: process.platform !== 'linux' }, async (t) => {
  // Two real processes stand in for named before and after its restart.
  const first = spawn('sleep', ['30'], { stdio: 'ignore' });
  const second = spawn('sleep', ['30'], { stdio: 'ignore' });
  t.after(() => {
    first.kill('SIGKILL');
    second.kill('SIGKILL');
  });
  const [a, b] = [first.pid, second.pid];
  assert.ok(a !== undefined && b !== undefined);
  let now: number | undefined = a;
  // One reading at the start, one at the stop: the interval never fires in between.
  const sampling = await sampleBind9Resources([{ host: '127.0.0.1', port: 53, name: 'primary-0', pid: a, pidNow: () => Promise.resolve(now) }], { intervalMs: 60_000, now: () => 0 });
  first.kill('SIGKILL');
  await once(first, 'exit');
  now = b;
  const r = await sampling.stop();
  assert.ok((r.counters['bind9_rss_end.primary-0']?.value ?? 0) > 0, 'the new process was read at the stop');
  assert.deepEqual(r.notes, [`named of primary-0 was replaced during the run (pid ${a} → ${b}): its memory is the new process's from then on; its CPU time is summed over them`]);
});
