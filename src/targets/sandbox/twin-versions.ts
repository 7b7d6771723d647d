/** @module The bindy and bindcar releases the sandbox twins model (DESIGN.md "Versions"), as every sandbox run records them. */
import { twinVersion as bindcarTwinVersion } from './sidecar/metrics.js';
import { bindcarRules, isBindcarLine } from './sidecar/release-line.js';
import { bindyKinds, kindInfo, kindsOfLine } from '../../model/kinds.js';
import { isTwinProfile, profileRules, type TwinProfile } from './operator/profile.js';

/** The bindy release line the operator twin follows by default (TARGET.md: bindy 0.6.2). */
export const bindyTwinVersion = profileRules['0.6'].release;

/**
 * What a sandbox run's result names as the measured release (`metadata.target.bindyVersion`), from
 * the operator's and the sidecar's start arguments (`--bindy-version`, absent: 0.6;
 * `--bindcar-version`, absent: 0.7), so a sandbox started by someone else is named as it runs.
 */
export function sandboxBindyVersion(operatorArgs: readonly string[] | undefined, sidecarArgs?: readonly string[]): string {
  const raw = flagValue(sidecarArgs, '--bindcar-version');
  const bindcar = raw !== undefined && isBindcarLine(raw) ? bindcarRules[raw].release : bindcarTwinVersion;
  return `bindy ${profileRules[sandboxBindyLine(operatorArgs)].release}, bindcar ${bindcar} (sandbox twins)`;
}

/** The release line a sandbox's twins follow, from the operator part's start arguments (absent: 0.6). */
export function sandboxBindyLine(operatorArgs: readonly string[] | undefined): TwinProfile {
  const raw = flagValue(operatorArgs, '--bindy-version');
  return raw !== undefined && isTwinProfile(raw) ? raw : '0.6';
}

/** The value after `flag` in a part's start arguments, if it is there. */
function flagValue(args: readonly string[] | undefined, flag: string): string | undefined {
  const i = args?.indexOf(flag) ?? -1;
  return i < 0 ? undefined : args?.[i + 1];
}

/**
 * Why a sandbox of release line `line` cannot hold what a run writes (`plurals`), or undefined: a
 * kind its CRDs do not define (PTRRecord before 0.8), said before anything is created.
 */
export function sandboxMissingKinds(line: TwinProfile, plurals: readonly string[]): string | undefined {
  const served = new Set(kindsOfLine(line).map((k) => kindInfo[k].plural));
  const missing = bindyKinds.filter((k) => plurals.includes(kindInfo[k].plural) && !served.has(kindInfo[k].plural));
  if (missing.length === 0) return undefined;
  const since = missing.map((k) => kindInfo[k].since).find((s) => s !== undefined) ?? line;
  return `the sandbox's bindy ${line} line defines no ${missing.join(', ')} (bindy ${since} added it): set sandbox.operator.version: '${since}' in the config, or leave ${missing.map((k) => kindInfo[k].rrType ?? k).join(', ')} out of the record-kind mix (--kinds)`;
}
