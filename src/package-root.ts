/**
 * @module Where the tool's own files are (package.json, schemas/, deploy/): the nearest folder
 * above this module holding bindy-loadtest's package.json. Found by walking up rather than by a
 * fixed `../..`, because the same code runs from src/ (tsx), dist/ (tsc) and the one-file bundle
 * (dist/cli/bindy-loadtest.mjs), each at another depth.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The folder of bindy-loadtest's package.json (a clone, or the installed package). */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'bindy-loadtest') return (cached = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error(`bindy-loadtest's package.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}
