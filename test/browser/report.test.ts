/**
 * @module Browser test of the HTML report: Debian's chromium, driven by playwright-core, opens the
 * report from a file:// URL with every non-file request blocked, and each chart must have drawn a
 * canvas of non-zero size with no console error. Saves test-artifacts/report.png for a human look.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { loadChartAssets, renderHtml } from '../../src/report/html/index.js';
import { syntheticResult } from '../helpers/rich-result.js';
import { parseResult, serializeResult } from '../../src/report/result/index.js';

const chromiumPath = '/usr/bin/chromium';
const skip = existsSync(chromiumPath) ? false : `${chromiumPath} is missing: run scripts/setup.sh (Debian package chromium) to run the browser test`;

test('html report: every chart draws offline in chromium, no console errors, screenshot saved', { skip, timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bindy-report-browser-'));
  const profile = join(dir, 'profile');
  try {
    // Through the JSON text, as `report` does, so the test renders what a saved result holds.
    const result = parseResult(serializeResult(syntheticResult({ records: 1000, failures: 3 })), 'synthetic');
    const file = join(dir, 'report.html');
    await writeFile(file, renderHtml(result, await loadChartAssets()));

    const context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
    });
    try {
      const blocked: string[] = [];
      const consoleErrors: string[] = [];
      // Every request that is not the file itself is refused and recorded: the page must need none.
      await context.route('**/*', async (route) => {
        const url = route.request().url();
        if (url.startsWith('file:')) await route.continue();
        else {
          blocked.push(url);
          await route.abort();
        }
      });
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      page.on('pageerror', (err) => consoleErrors.push(err.message));
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('body[data-charts-done="true"]', { timeout: 30_000 });

      const charts: { id: string; rendered: string | null; width: number; height: number; text: string }[] = [];
      for (const el of await page.locator('.chart').all()) {
        const canvas = el.locator('canvas');
        const box = (await canvas.count()) === 1 ? await canvas.boundingBox() : null;
        charts.push({
          id: (await el.getAttribute('id')) ?? '?',
          rendered: await el.getAttribute('data-rendered'),
          width: Math.min(box?.width ?? 0, Number((await canvas.count()) === 1 ? await canvas.getAttribute('width') : 0)),
          height: Math.min(box?.height ?? 0, Number((await canvas.count()) === 1 ? await canvas.getAttribute('height') : 0)),
          text: (await el.textContent()) ?? '',
        });
      }
      const specCount = (JSON.parse((await page.locator('#chart-data').textContent()) ?? '[]') as unknown[]).length;
      // 3 non-empty latencies × (distribution + percentile curve) + create/Ready rates, backlog, memory, CPU, reconciles/errors.
      assert.equal(charts.length, 11, `charts: ${charts.map((c) => c.id).join(', ')}`);
      assert.equal(specCount, charts.length, 'one chart element per chart spec');
      for (const c of charts) {
        assert.equal(c.rendered, 'true', `${c.id} did not render: ${c.text}`);
        assert.ok(c.width > 0 && c.height > 0, `${c.id}: canvas ${c.width}×${c.height}`);
      }
      assert.deepEqual(consoleErrors, [], 'no console errors');
      assert.deepEqual(blocked, [], 'no request other than the file itself');
      // The hostile strings stayed text: no script of the result's ran, the tag is shown literally.
      assert.equal(await page.locator('b').count(), 0);

      await mkdir('test-artifacts', { recursive: true });
      await page.screenshot({ path: join('test-artifacts', 'report.png'), fullPage: true });
    } finally {
      await context.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
