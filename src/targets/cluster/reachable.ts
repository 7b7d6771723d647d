/** @module The one check a command that only reads or deletes needs first: does the cluster's API server answer at all. */
import { ApiException, VersionApi, type KubeConfig } from '@kubernetes/client-node';
import { TargetNotReadyError } from '../../errors.js';

/**
 * `GET /version` on the current cluster. No answer, or credentials refused (401/403), is a
 * TargetNotReadyError (exit 3) naming the server and context; any other answer means it is there.
 */
export async function assertApiReachable(kc: KubeConfig): Promise<void> {
  const server = kc.getCurrentCluster()?.server ?? '(none)';
  const where = `the API server ${server} (context ${kc.getCurrentContext()})`;
  const hint = 'check --kubeconfig/--context and that the cluster is up (kubectl get --raw /readyz)';
  try {
    await kc.makeApiClient(VersionApi).getCode();
  } catch (e) {
    if (e instanceof ApiException) {
      if (e.code === 401 || e.code === 403) throw new TargetNotReadyError(`${where} refused our credentials (HTTP ${e.code})`, { cause: e, hint });
      return;
    }
    throw new TargetNotReadyError(`${where} is not reachable: ${e instanceof Error ? e.message : String(e)}`, { cause: e, hint });
  }
}
