/**
 * @module Opens an HTML report in Debian's chromium (headless, driven by playwright-core) from a
 * file:// URL with every non-file request refused, and reports what drew: each chart's canvas,
 * console errors, blocked requests. Optionally saves a full-page screenshot.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const chromiumPath = '/usr/bin/chromium';

/** A skip reason when chromium is not installed, else false. */
export const chromiumSkip: string | false = existsSync(chromiumPath) ? false : `${chromiumPath} is missing: run scripts/setup.sh (Debian package chromium) to run the browser test`;

/** One `.chart` element after the page finished drawing. */
export interface DrawnChart {
  id: string;
  rendered: string | null;
  width: number;
  height: number;
  text: string;
  /** The chart's legend as shown without a cursor (series names, with what the report put beside them). */
  legend: string;
}

/** What the browser saw. */
export interface OpenedReport {
  charts: DrawnChart[];
  /** Entries of the page's embedded chart specs. */
  specCount: number;
  consoleErrors: string[];
  /** URLs the page asked for besides the file itself (all refused). */
  blocked: string[];
  /** `<b>` elements on the page (a result string that became markup would show up here). */
  boldCount: number;
  /** The page's scrollable width and its viewport width: the page scrolls sideways when the first is larger. */
  pageWidth: { scroll: number; client: number };
  /** Right edge (px from the viewport's left) of every table header cell whose text is `from`, as laid out. */
  fromColumnRight: number[];
}

/** Loads `file`, waits until the page says its charts are done, and collects what drew. */
export async function openReportInChromium(file: string, screenshot?: string): Promise<OpenedReport> {
  const profile = await mkdtemp(join(tmpdir(), 'bl-chromium-'));
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
    const charts: DrawnChart[] = [];
    for (const el of await page.locator('.chart').all()) {
      const canvas = el.locator('canvas');
      const one = (await canvas.count()) === 1;
      const box = one ? await canvas.boundingBox() : null;
      charts.push({
        id: (await el.getAttribute('id')) ?? '?',
        rendered: await el.getAttribute('data-rendered'),
        width: Math.min(box?.width ?? 0, Number(one ? await canvas.getAttribute('width') : 0)),
        height: Math.min(box?.height ?? 0, Number(one ? await canvas.getAttribute('height') : 0)),
        text: (await el.textContent()) ?? '',
        legend: (await el.locator('.u-legend').count()) === 1 ? ((await el.locator('.u-legend').innerText()) ?? '') : '',
      });
    }
    const specCount = (JSON.parse((await page.locator('#chart-data').textContent()) ?? '[]') as unknown[]).length;
    const boldCount = await page.locator('b').count();
    // An expression, not a function: this project's TypeScript has no DOM types.
    const pageWidth = await page.evaluate<{ scroll: number; client: number }>('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })');
    const fromColumnRight: number[] = [];
    for (const th of await page.locator('th', { hasText: /^from$/ }).all()) {
      const box = await th.boundingBox();
      if (box !== null) fromColumnRight.push(box.x + box.width);
    }
    if (screenshot !== undefined) {
      await mkdir(dirname(screenshot), { recursive: true });
      await page.screenshot({ path: screenshot, fullPage: true });
    }
    return { charts, specCount, consoleErrors, blocked, boldCount, pageWidth, fromColumnRight };
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}
