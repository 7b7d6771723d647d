#!/usr/bin/env node
// Bundles the CLI built by tsc (dist/cli/entry.js) and its dependencies into one ES module,
// dist/cli/bindy-loadtest.mjs, the file bin/bindy-loadtest.js runs. Loading one file instead of
// ~1,500 (967 of them @kubernetes/client-node's) halves the CLI's start: every sandbox part is a
// process of its own, so a run starts five of them. esbuild is the engine; nothing is minified, so
// stack traces stay readable. Packages read from disk at run time (uPlot's files, @stdlib by a
// computed require) stay in node_modules.
import { writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const file = 'dist/cli/bindy-loadtest.mjs';
// write: false: the output is escaped (below) in memory and written once.
const { outputFiles } = await build({
  entryPoints: ['dist/cli/entry.js'],
  outfile: file,
  write: false,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // CommonJS dependencies call require() for Node's built-ins: give the ES module one.
  banner: { js: "import { createRequire as __bindyLoadtestCreateRequire } from 'node:module'; const require = __bindyLoadtestCreateRequire(import.meta.url);" },
});

// All ASCII, so V8 keeps the 11 MB source as a one-byte string: esbuild escapes non-ASCII in the
// code it emits, but not in the comments it keeps nor in a raw template (the report's client
// script), and one such character made V8 hold the whole source as two-byte, 22.7 MB in every
// process (the CLI and each sandbox part). An escape means the same character in a comment, a
// string, a regular expression or the client script the browser parses.
const ascii = outputFiles[0].text.replace(/[^\x00-\x7f]/gu, (ch) => {
  const code = ch.codePointAt(0);
  const unit = (u) => `\\u${u.toString(16).padStart(4, '0')}`;
  return code > 0xffff ? unit(0xd800 + ((code - 0x10000) >> 10)) + unit(0xdc00 + ((code - 0x10000) & 0x3ff)) : unit(code);
});
writeFileSync(file, ascii);
