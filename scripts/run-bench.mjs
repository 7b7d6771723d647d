#!/usr/bin/env node
// Runs the benchmarks in bench/ (all, or those whose name contains an argument); each writes
// bench/results/<name>.json and prints it.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const filters = process.argv.slice(2);
const benches = readdirSync('bench')
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
let failed = 0;
for (const b of benches) {
  console.error(`bench: ${b}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${b}`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
