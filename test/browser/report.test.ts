/**
 * @module Browser test of the HTML report: Debian's chromium, driven by playwright-core, opens the
 * report from a file:// URL with every non-file request blocked, and each chart must have drawn a
 * canvas of non-zero size with no console error. Saves test-artifacts/report.png for a human look.
 * (The report a real 1,000-record burst writes is opened the same way in test/burst-sandbox.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadChartAssets, renderHtml } from '../../src/report/html/index.js';
import { syntheticResult, withChaos } from '../helpers/rich-result.js';
import { chromiumSkip as skip, openReportInChromium } from '../helpers/chromium-report.js';
import { parseResult, serializeResult } from '../../src/report/result/index.js';

test('html report: every chart draws offline in chromium, no console errors, screenshot saved', { skip, timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bindy-report-browser-'));
  try {
    // Through the JSON text, as `report` does, so the test renders what a saved result holds.
    // With a chaos section: its fault windows are shaded on every time series (a drawing hook that must not throw).
    const result = parseResult(serializeResult(withChaos(syntheticResult({ records: 1000, failures: 3 }))), 'synthetic');
    // Long values without spaces, as real runs have (paths, lists, command lines): they must wrap, not widen the page.
    const longPath = `/home/runner/work/${'deeply-nested-folder/'.repeat(8)}kubeconfig.yaml`;
    result.config.effective.kubeconfig = longPath;
    result.config.effective.kinds = ['ARecord', 'AAAARecord', 'CNAMERecord', 'MXRecord', 'TXTRecord', 'SRVRecord', 'CAARecord', 'NSRecord'].map((k) => `${k}-${'x'.repeat(12)}`);
    result.config.origins.kubeconfig = `file:${longPath}:12`;
    result.metadata.commandLine.push('--config', longPath);
    // Overlays: a quiet window after the series (the axis must reach it) and the memory fit, its minimum lowered so the 60 s series has one.
    result.quietWindow = { fromMs: 62_000, toMs: 80_000 };
    result.config.effective.judge = { memoryGrowthMinimum: { duration: 10_000, samples: 10 } };
    const file = join(dir, 'report.html');
    await writeFile(file, renderHtml(result, await loadChartAssets()));
    const seen = await openReportInChromium(file, join('test-artifacts', 'report.png'));
    // 3 non-empty latencies × (distribution + percentile curve) + create rate, Ready rate, backlog, memory, CPU, reconciles/errors.
    assert.equal(seen.charts.length, 12, `charts: ${seen.charts.map((c) => c.id).join(', ')}`);
    assert.equal(seen.specCount, seen.charts.length, 'one chart element per chart spec');
    for (const c of seen.charts) {
      assert.equal(c.rendered, 'true', `${c.id} did not render: ${c.text}`);
      assert.ok(c.width > 0 && c.height > 0, `${c.id}: canvas ${c.width}×${c.height}`);
    }
    assert.deepEqual(seen.consoleErrors, [], 'no console errors');
    // With no cursor on the chart, every legend names its series, never a bare "—".
    for (const c of seen.charts) {
      assert.doesNotMatch(c.legend, /—/, `${c.id} legend: ${c.legend}`);
      assert.ok(c.legend.trim() !== '', `${c.id} has a legend`);
    }
    assert.match(seen.charts.find((c) => c.id === 'chart-ts-memory-0')?.legend ?? '', /operator_memory_rss \(peak [\d.]+, last [\d.]+ MB\)/);
    assert.match(seen.charts.find((c) => c.id === 'chart-ts-memory-0')?.legend ?? '', /fitted: \+[\d,]+ MB\/h \(95 %: [\d,]+ to [\d,]+\)/);
    // Each shading's colour is named in the legend of every time series.
    for (const c of seen.charts.filter((x) => x.id.startsWith('chart-ts-'))) assert.match(c.legend, /fault in force[\s\S]*recovery[\s\S]*quiet window/, `${c.id} legend: ${c.legend}`);
    // At 1280 px the page never scrolls sideways, and the configuration's "from" column is on screen.
    assert.ok(seen.pageWidth.scroll <= seen.pageWidth.client, `page ${seen.pageWidth.scroll} px wide in a ${seen.pageWidth.client} px window`);
    assert.equal(seen.fromColumnRight.length, 1, 'one "from" column (the configuration table)');
    for (const right of seen.fromColumnRight) assert.ok(right <= seen.pageWidth.client, `"from" column ends at ${right} px`);
    assert.deepEqual(seen.blocked, [], 'no request other than the file itself');
    // The hostile strings stayed text: no script of the result's ran, the tag is shown literally.
    assert.equal(seen.boldCount, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
