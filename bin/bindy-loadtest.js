#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/cli/main.js (built by `npm ci` through `prepare`).
import { main } from '../dist/cli/main.js';
process.exitCode = await main(process.argv.slice(2));
