/** @module The bindy and bindcar releases the sandbox twins model (DESIGN.md "Versions"), as every sandbox run records them. */
import { twinVersion as bindcarTwinVersion } from './sidecar/metrics.js';
import { isTwinProfile, profileRules } from './operator/profile.js';

/** The bindy release line the operator twin follows by default (TARGET.md: bindy 0.6.2). */
export const bindyTwinVersion = profileRules['0.6'].release;

/**
 * What a sandbox run's result names as the measured release (`metadata.target.bindyVersion`), from
 * the operator part's start arguments (`--bindy-version`; absent: 0.6), so a sandbox started by
 * someone else is named as it runs.
 */
export function sandboxBindyVersion(operatorArgs: readonly string[] | undefined): string {
  const i = operatorArgs?.indexOf('--bindy-version') ?? -1;
  const raw = i < 0 ? undefined : operatorArgs?.[i + 1];
  const release = raw !== undefined && isTwinProfile(raw) ? profileRules[raw].release : bindyTwinVersion;
  return `bindy ${release}, bindcar ${bindcarTwinVersion} (sandbox twins)`;
}
