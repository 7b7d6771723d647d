#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's own test runner (Node 20 has no --test globs).
// Usage: node scripts/run-tests.mjs [--check] [substring ...]  (only files whose path contains a substring)
// --check (what `npm test` runs) first type-checks (tsc --noEmit) and lints (eslint) the project,
// side by side with the build below: the type-aware lint keeps about one core busy for ~40 s, the
// type check and the build fit beside it on the other.
// It first builds dist/ from src/ (tsconfig.build.json, then the one-file bundle the bin runs) and
// has the processes tests start run that bundle, as an installed bindy-loadtest does.
// The test files themselves run as JavaScript: esbuild strips the types of every file under src/
// and test/ into .test-build/ (same tree, one file each, about a second), and Node runs those
// without a loader. Through tsx each test file's process spent ~1 s more, mostly in the loader
// hooks every module passes through (@kubernetes/client-node alone is ~1,000 files): the unit
// files took 328 s of file time that way, 197 s this way. tsc --noEmit still checks the types.
// A file whose first line is the comment `// test-runner: alone` measures timing against real
// processes (the accuracy test): it runs after the others, with nothing else beside it, so the
// other tests' CPU does not become its noise. On this 2-core machine that matters.
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { build as esbuild } from 'esbuild';

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}
const check = process.argv.includes('--check');
const filters = process.argv.slice(2).filter((a) => a !== '--check');
const sources = [...walk('src', []), ...walk('test', [])].filter((f) => !f.endsWith('.d.ts'));
const files = sources
  .filter((f) => f.endsWith('.test.ts'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
/** Starts `node ARGS` beside this process: the child, and its exit status when it ends (1 if killed). */
function started(args, stdio) {
  const child = spawn(process.execPath, args, { stdio });
  return { child, done: new Promise((done) => child.on('close', (code) => done(code ?? 1))) };
}
const lint = check ? started(['node_modules/eslint/bin/eslint.js', '.'], 'inherit') : null;
/** Stops the lint still running beside, says what failed, exits 1. */
function fail(what) {
  lint?.child.kill();
  console.error(`run-tests: ${what} failed`);
  process.exit(1);
}
if (check && spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit'], { stdio: 'inherit' }).status !== 0) fail('the type check (tsc --noEmit)');
// The processes tests start (sandbox parts, CLI children) run a build of this very source, made
// here: through tsx each would spend about 2 s of CPU compiling, hundreds of times per suite. A
// build newer than every input is kept (npm ci has just made one through `prepare`).
const inputs = [...sources.filter((f) => f.startsWith('src') && !f.endsWith('.test.ts')), 'tsconfig.json', 'tsconfig.build.json', 'scripts/bundle.mjs', 'package-lock.json'];
const bundleFile = 'dist/cli/bindy-loadtest.mjs';
const builtAt = existsSync(bundleFile) ? statSync(bundleFile).mtimeMs : -Infinity;
const fresh = inputs.every((f) => !existsSync(f) || statSync(f).mtimeMs < builtAt);
if (!fresh) {
  const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  const bundle = build.status === 0 ? spawnSync(process.execPath, ['scripts/bundle.mjs'], { stdio: 'inherit' }) : build;
  if (bundle.status !== 0) fail('the build of src/');
}
if (lint !== null && (await lint.done) !== 0) fail('the lint (eslint)');
process.env.BINDY_LOADTEST_SELF_ENTRY = resolve('dist/cli/bindy-loadtest.mjs');
// Paths the tests use are found from the package root (src/package-root.ts), so one level more
// under .test-build/ changes nothing. Source maps point failures back at the .ts lines.
const testBuild = '.test-build';
rmSync(testBuild, { recursive: true, force: true });
await esbuild({ entryPoints: sources, outdir: testBuild, outbase: '.', bundle: false, format: 'esm', platform: 'node', target: 'node20', sourcemap: 'linked', logLevel: 'warning' });
const built = (f) => join(testBuild, f.replace(/\.ts$/, '.js'));
// A file's mark: the word after `// test-runner:` on its first line, if any.
const marks = new Map(files.map((f) => [f, /^\/\/ test-runner: (\w+)/.exec(readFileSync(f, 'utf8'))?.[1]]));
const marked = (f, mark) => marks.get(f) === mark;
const alone = files.filter((f) => marked(f, 'alone'));
// A file marked `// test-runner: beside` spends its minutes waiting (a slow, steady load on a
// sandbox, not CPU): it runs in a lane of its own beside the two slots below, on the CPU they
// leave idle (about a quarter of two cores in CI's parallel phase), instead of holding a slot.
const beside = files.filter((f) => !alone.includes(f) && marked(f, 'beside'));
// Node's runner takes the files in path order, whatever the order given (the unit files under src/
// first, CI's file times show): a long file late in the alphabet ends the phase alone. The long,
// waiting ones go beside instead.
const together = files.filter((f) => !alone.includes(f) && !beside.includes(f));
// Two files at a time on this 2-core machine. Three made the parallel phase shorter (fresh clone:
// 1,056 s with 2, 980 s with 3) but, in one run of two, timing-bound tests failed under the load
// (an in-process burst's p99 bound, a DNS p99 criterion, a heap bound): TEST_CONCURRENCY=3 to try.
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
// TAP on stdout as before; each file's time on stderr at the end (scripts/file-times-reporter.mjs).
const testArgs = (list, n, out) => ['--enable-source-maps', '--test', `--test-concurrency=${n}`, '--test-reporter=tap', `--test-reporter-destination=${out}`, '--test-reporter=./scripts/file-times-reporter.mjs', '--test-reporter-destination=stderr', ...list.map(built)];
const run = (list, n) => (list.length === 0 ? 0 : (spawnSync(process.execPath, testArgs(list, n, 'stdout'), { stdio: 'inherit' }).status ?? 1));
// The lane beside writes its TAP to a file, printed whole once the two slots are done (two TAP
// streams interleaved on stdout would be one unreadable stream).
const besideTap = join(testBuild, 'beside.tap');
const besideLane = beside.length === 0 ? null : started(testArgs(beside, '1', besideTap), ['ignore', 'inherit', 'inherit']);
const status = [run(together, concurrency)];
if (besideLane !== null) {
  status.push(await besideLane.done);
  if (existsSync(besideTap)) process.stdout.write(readFileSync(besideTap));
}
status.push(run(alone, '1'));
process.exit(status.every((s) => s === 0) ? 0 : 1);
