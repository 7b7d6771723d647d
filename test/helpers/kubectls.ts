/**
 * @module Test support: the kubectl binaries on this machine, one per client version — /usr/bin's,
 * Debian's (1.20, unpacked by scripts/setup.sh when the machine has another kubectl) and any named
 * in BINDY_LOADTEST_KUBECTLS (colon-separated paths) — so the API server twin is tested with the
 * client a fresh Debian user gets and with a current one.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where scripts/setup.sh unpacks Debian's kubectl. */
export const debianKubectl = '/opt/bindy-loadtest/kubernetes-client/usr/bin/kubectl';

/** One kubectl: its path and client version (e.g. `v1.20.2`). */
export interface Kubectl {
  path: string;
  version: string;
}

/** The candidate paths that exist, before asking their versions (for a test's skip condition). */
export function kubectlPaths(): string[] {
  const named = (process.env.BINDY_LOADTEST_KUBECTLS ?? '').split(':');
  return [...new Set(['/usr/bin/kubectl', debianKubectl, ...named])].filter((p) => p !== '' && existsSync(p));
}

/** Every kubectl present, the first of each client version. */
export async function kubectls(): Promise<Kubectl[]> {
  const out: Kubectl[] = [];
  for (const path of kubectlPaths()) {
    const { stdout } = await run(path, ['version', '--client', '-o', 'json'], { timeout: 30_000 });
    const version = (JSON.parse(stdout) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion;
    if (!out.some((k) => k.version === version)) out.push({ path, version });
  }
  return out;
}
