// Loaded into the CLI under test with NODE_OPTIONS=--import=…: at exit it writes the process's own
// peak RSS (getrusage ru_maxrss, KiB) to $BENCH_MAX_RSS_FILE; with $BENCH_MEMORY_FILE it also
// appends process.memoryUsage() every $BENCH_MEMORY_SECONDS (default 10) as one JSON line, so the
// bench can tell growth of the V8 heap from growth outside it (native memory, arenas), and V8's
// used bytes per heap space (old, code, large objects…: which part of the heap grows). The CLI
// itself runs unchanged, with the flags of its launcher's shebang.
import { appendFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

process.on('exit', () => {
  const file = process.env.BENCH_MAX_RSS_FILE;
  if (file !== undefined) writeFileSync(file, String(process.resourceUsage().maxRSS));
});

const memoryFile = process.env.BENCH_MEMORY_FILE;
if (memoryFile !== undefined) {
  const every = Number(process.env.BENCH_MEMORY_SECONDS ?? '10') * 1000;
  const write = () => {
    const m = process.memoryUsage();
    // performance.timeOrigin + now(): wall-clock ms, the bench's samples are matched on it.
    // maxRss (bytes): the whole-life peak so far: the first line where it reaches its final value says
    // between which two samples the peak happened (a spike shorter than the sampling interval).
    appendFileSync(memoryFile, `${JSON.stringify({ atMs: performance.timeOrigin + performance.now(), rss: m.rss, maxRss: process.resourceUsage().maxRSS * 1024, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, spaces: Object.fromEntries(getHeapSpaceStatistics().map((x) => [x.space_name, x.space_used_size])) })}\n`);
  };
  write();
  // unref: the sampler never keeps the CLI alive.
  setInterval(write, every).unref();
  // A last line at exit: a peak after the last sample shows there.
  process.on('exit', write);
}
