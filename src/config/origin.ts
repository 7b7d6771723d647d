/** @module Where an effective configuration value came from, and how that is shown and ranked. */
import type { ConfigIssue } from '../errors.js';
import type { ProfileName } from './types.js';

/** The source of one value: a default, a profile, an environment variable, a file line, or a flag. */
export type ValueOrigin =
  | { kind: 'default' }
  | { kind: 'profile'; profile: ProfileName }
  | { kind: 'env'; variable: string }
  | { kind: 'file'; file: string; line?: number }
  | { kind: 'flag'; flag: string };

/** Shows an origin as `default`, `profile quick`, `env KUBECONFIG`, `file loadtest.yaml:12` or `flag --seed`. */
export function formatOrigin(o: ValueOrigin): string {
  switch (o.kind) {
    case 'default':
      return 'default';
    case 'profile':
      return `profile ${o.profile}`;
    case 'env':
      return `env ${o.variable}`;
    case 'file':
      return o.line === undefined ? `file ${o.file}` : `file ${o.file}:${o.line}`;
    case 'flag':
      return `flag ${o.flag}`;
  }
}

/** Precedence: a higher rank wins (flags > file > env > profile > defaults). */
export function originRank(o: ValueOrigin): number {
  return { default: 0, profile: 1, env: 2, file: 3, flag: 4 }[o.kind];
}

/** An issue about an effective value, placed where that value was set. */
export function issueAtOrigin(o: ValueOrigin, key: string, message: string): ConfigIssue {
  switch (o.kind) {
    case 'file':
      return { source: o.file, ...(o.line === undefined ? {} : { line: o.line }), key, message };
    case 'flag':
      return { source: o.flag, message: `${message} (${key})` };
    default:
      return { source: formatOrigin(o), key, message };
  }
}
