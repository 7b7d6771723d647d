/** @module The tool's own version, read once from package.json (two levels up from src/ and dist/). */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  const parsed = JSON.parse(text) as { version?: unknown };
  return typeof parsed.version === 'string' ? parsed.version : '0.0.0';
}

/** The bindy-loadtest version recorded in every result. */
export const toolVersion: string = readVersion();
