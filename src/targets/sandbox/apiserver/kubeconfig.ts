/** @module A kubeconfig for the sandbox API server, usable by kubectl and by @kubernetes/client-node's KubeConfig.loadFromFile (kubectl sends the token only to an https server). */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

/** Name of the cluster, context and user entries. */
export const sandboxClusterName = 'bindy-loadtest-sandbox';

/** What the kubeconfig points at. */
export interface KubeconfigTarget {
  /** Server URL, e.g. `http://127.0.0.1:41234`. */
  server: string;
  /** Bearer token the server accepts. */
  token: string;
  /** Default namespace of the context. */
  namespace?: string;
  /** PEM of the CA that signed the serving certificate (for an https server). */
  caCert?: string;
}

/** The kubeconfig document as YAML text. */
export function kubeconfigYaml(t: KubeconfigTarget): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: sandboxClusterName,
        cluster: { server: t.server, ...(t.caCert ? { 'certificate-authority-data': Buffer.from(t.caCert).toString('base64') } : {}) },
      },
    ],
    users: [{ name: sandboxClusterName, user: { token: t.token } }],
    contexts: [
      {
        name: sandboxClusterName,
        context: { cluster: sandboxClusterName, user: sandboxClusterName, ...(t.namespace ? { namespace: t.namespace } : {}) },
      },
    ],
    'current-context': sandboxClusterName,
    preferences: {},
  });
}

/** Writes the kubeconfig to `path` with mode 0600 (it holds a token), creating its directory. */
export async function writeKubeconfig(path: string, t: KubeconfigTarget): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, kubeconfigYaml(t), { mode: 0o600 });
}
