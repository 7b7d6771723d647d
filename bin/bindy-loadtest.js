#!/usr/bin/env -S node --max-semi-space-size=4 --optimize-for-size
// Thin launcher: the CLI is one bundled file in dist/ (built by `npm ci` through the `prepare` script: tsc, then scripts/bundle.mjs).
// --optimize-for-size: V8 lets the heap grow less between full collections. A 3-minute sustained
// run at 50 ops/s peaked at 200 MB RSS without it (live heap ~55 MB; old-generation garbage waited
// for a full GC), 145-151 MB with it; the engine's schedule slip and CPU did not change measurably
// (bench/tool-rss.bench.ts, bench/sustained.bench.ts).
// --max-semi-space-size=4 (MB): under a burst's allocation rate V8 grows its young generation to
// 2 × 16 MB and keeps it; at 4 MB a 5,000-record burst peaks some 25-35 MB lower (≈ 190 instead of
// 215-260 MB RSS) with no create-rate cost we could measure (bench/burst.bench.ts).
import '../dist/cli/bindy-loadtest.mjs';
