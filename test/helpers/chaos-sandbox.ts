/** @module A sandbox of one chaos test's own: started (kept after the run, so the test can read its parts), a results folder, a config file, stopped and removed at the end. */
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type RunningSandbox, type StartSandboxOptions } from '../../src/targets/sandbox/supervisor/sandbox.js';
import { readState, type SandboxState } from '../../src/targets/sandbox/supervisor/index.js';
import { parsePrometheusText } from '../../src/observe/prometheus-text.js';

/** What a chaos test works with. */
export interface ChaosSandbox {
  home: string;
  sb: RunningSandbox;
  state: SandboxState;
  /** The environment a CLI run needs to find this sandbox. */
  env: NodeJS.ProcessEnv;
  /** `--output` of the runs. */
  out: string;
  /** A config file with `configLines` (default: JSON results only). */
  config: string;
}

/** Starts a sandbox in a fresh home (bindcar's limiter off, plus `extra`), stopped and removed after the test. */
export async function chaosSandbox(t: TestContext, prefix: string, extra: Partial<StartSandboxOptions> = {}, configLines: readonly string[] = ['report:', '  formats: [json]']): Promise<ChaosSandbox> {
  const home = await mkdtemp(join(tmpdir(), prefix));
  const sb = await startSandbox({ namespace: 'bindy-loadtest', detached: false, home, sidecarRateLimitOff: true, ...extra });
  t.after(async () => {
    await sb.stop();
    await rm(home, { recursive: true, force: true });
  });
  const config = join(home, 'chaos.yaml');
  await writeFile(config, [...configLines, ''].join('\n'));
  const state = await readState(home);
  assert.ok(state !== undefined, 'the sandbox wrote its state');
  return { home, sb, state, env: { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home }, out: join(home, 'results'), config };
}

/** The sum of the samples of counter `name` in a /metrics text whose labels include every one of `labels`. */
export function counterSum(metrics: string, name: string, labels: Readonly<Record<string, string>>): number {
  return parsePrometheusText(metrics)
    .samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}
