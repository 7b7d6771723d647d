/** @module Loads the chart library (uPlot) the HTML report inlines, from node_modules (the report's only file I/O). */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UsageError } from '../../errors.js';

/** The chart library's built files, as text, ready to be inlined by the pure renderer. */
export interface ChartAssets {
  /** Name and version, e.g. `uPlot 1.6.32`, shown in the report's footer. */
  name: string;
  /** The minified browser build (defines the global `uPlot`). */
  script: string;
  /** Its stylesheet. */
  style: string;
  /** Its licence text (MIT), which must travel with the copy inlined in the report. */
  license: string;
}

/**
 * Reads uPlot's IIFE build, stylesheet and licence from the installed package. Read at render time
 * rather than vendored, so the report always carries the version package-lock.json pins.
 */
export async function loadChartAssets(): Promise<ChartAssets> {
  const require = createRequire(import.meta.url);
  let root: string;
  try {
    root = dirname(require.resolve('uplot/package.json'));
  } catch (cause) {
    throw new UsageError('the chart library uplot is not installed (run npm install)', { cause });
  }
  const [pkg, script, style, license] = await Promise.all([
    readFile(join(root, 'package.json'), 'utf8'),
    readFile(join(root, 'dist', 'uPlot.iife.min.js'), 'utf8'),
    readFile(join(root, 'dist', 'uPlot.min.css'), 'utf8'),
    readFile(join(root, 'LICENSE'), 'utf8'),
  ]);
  const version = (JSON.parse(pkg) as { version?: unknown }).version;
  return { name: `uPlot ${typeof version === 'string' ? version : '(unknown version)'}`, script, style, license };
}
