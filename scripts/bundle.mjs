#!/usr/bin/env node
// Bundles the CLI built by tsc (dist/cli/entry.js) and its dependencies into one ES module,
// dist/cli/bindy-loadtest.mjs, the file bin/bindy-loadtest.js runs. Loading one file instead of
// ~1,500 (967 of them @kubernetes/client-node's) halves the CLI's start: every sandbox part is a
// process of its own, so a run starts five of them. esbuild is the engine; nothing is minified, so
// stack traces stay readable. Packages read from disk at run time (uPlot's files, @stdlib by a
// computed require) stay in node_modules.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/entry.js'],
  outfile: 'dist/cli/bindy-loadtest.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // CommonJS dependencies call require() for Node's built-ins: give the ES module one.
  banner: { js: "import { createRequire as __bindyLoadtestCreateRequire } from 'node:module'; const require = __bindyLoadtestCreateRequire(import.meta.url);" },
});
