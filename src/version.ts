/** @module The tool's own version, read once from its package.json. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';

function readVersion(): string {
  const text = readFileSync(join(packageRoot(), 'package.json'), 'utf8');
  const parsed = JSON.parse(text) as { version?: unknown };
  return typeof parsed.version === 'string' ? parsed.version : '0.0.0';
}

/** The bindy-loadtest version recorded in every result. */
export const toolVersion: string = readVersion();
