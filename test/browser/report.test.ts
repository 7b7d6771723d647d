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
import { syntheticResult } from '../helpers/rich-result.js';
import { chromiumSkip as skip, openReportInChromium } from '../helpers/chromium-report.js';
import { parseResult, serializeResult } from '../../src/report/result/index.js';

test('html report: every chart draws offline in chromium, no console errors, screenshot saved', { skip, timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bindy-report-browser-'));
  try {
    // Through the JSON text, as `report` does, so the test renders what a saved result holds.
    const result = parseResult(serializeResult(syntheticResult({ records: 1000, failures: 3 })), 'synthetic');
    const file = join(dir, 'report.html');
    await writeFile(file, renderHtml(result, await loadChartAssets()));
    const seen = await openReportInChromium(file, join('test-artifacts', 'report.png'));
    // 3 non-empty latencies × (distribution + percentile curve) + create/Ready rates, backlog, memory, CPU, reconciles/errors.
    assert.equal(seen.charts.length, 11, `charts: ${seen.charts.map((c) => c.id).join(', ')}`);
    assert.equal(seen.specCount, seen.charts.length, 'one chart element per chart spec');
    for (const c of seen.charts) {
      assert.equal(c.rendered, 'true', `${c.id} did not render: ${c.text}`);
      assert.ok(c.width > 0 && c.height > 0, `${c.id}: canvas ${c.width}×${c.height}`);
    }
    assert.deepEqual(seen.consoleErrors, [], 'no console errors');
    assert.deepEqual(seen.blocked, [], 'no request other than the file itself');
    // The hostile strings stayed text: no script of the result's ran, the tag is shown literally.
    assert.equal(seen.boldCount, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
