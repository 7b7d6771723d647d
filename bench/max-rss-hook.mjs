// Loaded into the CLI under test with NODE_OPTIONS=--import=…: at exit it writes the process's own
// peak RSS (getrusage ru_maxrss, KiB) to $BENCH_MAX_RSS_FILE. The CLI itself runs unchanged, with
// the flags of its launcher's shebang.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const file = process.env.BENCH_MAX_RSS_FILE;
  if (file !== undefined) writeFileSync(file, String(process.resourceUsage().maxRSS));
});
