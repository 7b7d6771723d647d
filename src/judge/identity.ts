/**
 * @module A run's identity for baselines (pure): what must be equal for runs to be repeated samples
 * of one measurement — target kind, bindy (and bindcar) version, tool version, scenario and the
 * scenario's configuration. Ports, paths, URLs, run ids, output folders and criteria are not
 * identity: a sandbox started for each run gets new random ports, and a limit judges, never measures.
 */
import type { JsonValue, RunResult } from '../report/result/index.js';

/** What makes two runs comparable. */
export interface RunIdentity {
  targetKind: string;
  /** `unknown` when the target did not say which bindy it runs. */
  bindyVersion: string;
  toolVersion: string;
  scenario: string;
  /** Dotted key → value (JSON text) of the configuration that shapes the measurement. */
  configuration: ReadonlyMap<string, string>;
}

/**
 * The configuration sections that shape what a run measures: the scenario's own section, the
 * fixtures it generates from and, on the sandbox, the twin's tunables. Everything else (output,
 * kubeconfig, context, namespace, prometheus, runId, seed, criteria, report) is left out.
 */
function identitySections(scenario: string, targetKind: string): string[] {
  return [`scenarios.${scenario}`, 'fixtures', ...(targetKind === 'sandbox' ? ['sandbox'] : [])];
}

function flatten(value: JsonValue | undefined, prefix: string, out: Map<string, string>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, `${prefix}.${k}`, out);
    return;
  }
  if (value !== undefined) out.set(prefix, JSON.stringify(value));
}

function at(effective: { [key: string]: JsonValue }, dotted: string): JsonValue | undefined {
  let node: JsonValue | undefined = effective;
  for (const k of dotted.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = node[k];
  }
  return node;
}

/** The identity of `result`. */
export function runIdentity(result: RunResult): RunIdentity {
  const m = result.metadata;
  const configuration = new Map<string, string>();
  for (const section of identitySections(m.scenario, m.target.kind)) flatten(at(result.config.effective, section), section, configuration);
  return { targetKind: m.target.kind, bindyVersion: m.target.bindyVersion ?? 'unknown', toolVersion: m.toolVersion, scenario: m.scenario, configuration };
}

/** How `b` differs from `a`, one phrase per difference (`scenarios.burst.records 500 (was 60)`); empty when they are comparable. */
export function identityDifferences(a: RunIdentity, b: RunIdentity): string[] {
  const out: string[] = [];
  if (b.scenario !== a.scenario) out.push(`scenario ${b.scenario} (was ${a.scenario})`);
  if (b.targetKind !== a.targetKind) out.push(`target kind ${b.targetKind} (was ${a.targetKind})`);
  if (b.bindyVersion !== a.bindyVersion) out.push(`bindy version ${b.bindyVersion} (was ${a.bindyVersion})`);
  if (b.toolVersion !== a.toolVersion) out.push(`tool version ${b.toolVersion} (was ${a.toolVersion})`);
  const keys = [...new Set([...a.configuration.keys(), ...b.configuration.keys()])].sort();
  for (const k of keys) {
    const va = a.configuration.get(k);
    const vb = b.configuration.get(k);
    if (va !== vb) out.push(`${k} ${vb ?? '(unset)'} (was ${va ?? '(unset)'})`);
  }
  return out;
}
