#!/usr/bin/env -S node --max-semi-space-size=4
// Thin launcher: the CLI lives in dist/ (built by `npm ci` through the `prepare` script).
// --max-semi-space-size=4 (MB): under a burst's allocation rate V8 grows its young generation to
// 2 × 16 MB and keeps it; at 4 MB a 5,000-record burst peaks some 25-35 MB lower (≈ 190 instead of
// 215-260 MB RSS) with no create-rate cost we could measure (bench/burst.bench.ts).
import '../dist/cli/entry.js';
