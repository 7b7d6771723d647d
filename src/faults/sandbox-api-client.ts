/** @module The sandbox API server's admin client for reverting a fault from its descriptor alone (after the tool was killed). */
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../observe/kube-client.js';
import { readState } from '../targets/sandbox/supervisor/state.js';

/**
 * The admin client of the sandbox of `home` (its state.json), or why there is none: the sandbox is
 * gone, or another one runs there now, and the fault made on `server` went with its API server.
 */
export async function sandboxApiClient(home: string, server: string, what: string): Promise<KubeClient | string> {
  const state = await readState(home);
  if (state === undefined) return `the sandbox of ${home} is gone, and its API server with the ${what}`;
  const kc = new KubeConfig();
  kc.loadFromFile(state.kubeconfig);
  const now = kc.getCurrentCluster()?.server ?? '';
  if (now !== server) return `the sandbox of ${home} now serves ${now || '(none)'}, not ${server}: the ${what} went with the API server it was made on`;
  return new KubeClient({ kubeConfig: kc });
}
