/**
 * @module The scout twin's Kubernetes calls through @kubernetes/client-node, as scout makes them:
 * finalizers on sources by merge patch of the whole list (scout's `add_finalizer`, no
 * resourceVersion), ARecords by server-side apply as `bindy-scout` with force, deletions by label
 * selector. Sources live in the source cluster, ARecords and DNSZones in the target cluster (the
 * same one unless scout runs in remote mode).
 */
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { bindyGroup, bindyVersion } from '../../../model/kinds.js';
import { makePooledApiClient, PooledAuthentication } from '../../../observe/pooled-client.js';
import { arr, isRecord, str } from '../operator/objects.js';
import { scoutFieldManager, type ScoutARecord, type SourceKind } from './mapping.js';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const applyPatch = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

/** HTTP status of a failed client-node call, when there was one. */
export function apiStatus(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/** Calls of one scout instance, counted by verb for the twin's own accounting. */
export class ScoutKubeApi {
  readonly #sourceAuth: PooledAuthentication;
  readonly #targetAuth: PooledAuthentication;
  readonly #core: CoreV1Api;
  readonly #networking: NetworkingV1Api;
  readonly #custom: CustomObjectsApi;
  readonly #targetNamespace: string;
  /** Calls made so far, by verb. */
  readonly calls = { list: 0, patch: 0, apply: 0, delete: 0 };

  constructor(source: KubeConfig, target: KubeConfig, targetNamespace: string) {
    // Keep-alive pools, as kube-rs's clients keep (see pooled-client.ts); one per cluster.
    this.#sourceAuth = new PooledAuthentication(source);
    this.#targetAuth = target === source ? this.#sourceAuth : new PooledAuthentication(target);
    this.#core = makePooledApiClient(source, this.#sourceAuth, CoreV1Api);
    this.#networking = makePooledApiClient(source, this.#sourceAuth, NetworkingV1Api);
    this.#custom = makePooledApiClient(target, this.#targetAuth, CustomObjectsApi);
    this.#targetNamespace = targetNamespace;
  }

  /** Closes the pooled connections (after the last call). */
  close(): void {
    this.#sourceAuth.destroy();
    if (this.#targetAuth !== this.#sourceAuth) this.#targetAuth.destroy();
  }

  /** Lists sources of a kind, in one namespace or all (the informer's list function). */
  async listSources(kind: SourceKind, namespace: string | undefined): Promise<KubernetesListObject<KubernetesObject>> {
    this.calls.list++;
    if (kind === 'Service') return namespace === undefined ? this.#core.listServiceForAllNamespaces() : this.#core.listNamespacedService({ namespace });
    return namespace === undefined ? this.#networking.listIngressForAllNamespaces() : this.#networking.listNamespacedIngress({ namespace });
  }

  /** Lists the target namespace's DNSZones (the zone reflector's list function). */
  async listZones(): Promise<KubernetesListObject<KubernetesObject>> {
    this.calls.list++;
    const list: unknown = await this.#custom.listNamespacedCustomObject({ group: bindyGroup, version: bindyVersion, namespace: this.#targetNamespace, plural: 'dnszones' });
    if (!isRecord(list)) throw new TypeError('list of dnszones is not an object');
    const items = arr(list['items']).filter(isRecord).map((i) => ({ ...(i as KubernetesObject), apiVersion: `${bindyGroup}/${bindyVersion}`, kind: 'DNSZone' }));
    return { apiVersion: `${bindyGroup}/${bindyVersion}`, kind: 'DNSZoneList', metadata: isRecord(list['metadata']) ? list['metadata'] : {}, items };
  }

  /** True when namespace `namespace` matches `selector`: a LIST of namespaces by name and selector, as scout asks the API server. */
  async namespaceMatches(namespace: string, selector: string): Promise<boolean> {
    this.calls.list++;
    const list = await this.#core.listNamespace({ labelSelector: selector, fieldSelector: `metadata.name=${namespace}` });
    return list.items.length > 0;
  }

  /** Sets a source's finalizers to `finalizers` (a merge patch of the whole list, as scout's add/remove_finalizer). */
  async setFinalizers(kind: SourceKind, namespace: string, name: string, finalizers: readonly string[]): Promise<void> {
    this.calls.patch++;
    const body = { metadata: { finalizers: [...finalizers] } };
    if (kind === 'Service') await this.#core.patchNamespacedService({ namespace, name, body }, mergePatch);
    else await this.#networking.patchNamespacedIngress({ namespace, name, body }, mergePatch);
  }

  /** Server-side applies an ARecord as `bindy-scout`, forcing ownership. */
  async applyARecord(record: ScoutARecord): Promise<void> {
    this.calls.apply++;
    await this.#custom.patchNamespacedCustomObject(
      { group: bindyGroup, version: bindyVersion, namespace: record.metadata.namespace, plural: 'arecords', name: record.metadata.name, body: record, fieldManager: scoutFieldManager, force: true },
      applyPatch,
    );
  }

  /** Names (and source-cluster labels) of the target namespace's ARecords matching `selector`. */
  async listARecords(selector: string): Promise<{ name: string; cluster: string | undefined }[]> {
    this.calls.list++;
    const list: unknown = await this.#custom.listNamespacedCustomObject({ group: bindyGroup, version: bindyVersion, namespace: this.#targetNamespace, plural: 'arecords', labelSelector: selector });
    if (!isRecord(list)) throw new TypeError('list of arecords is not an object');
    return arr(list['items'])
      .filter(isRecord)
      .map((i) => (isRecord(i['metadata']) ? i['metadata'] : {}))
      .map((m) => ({ name: str(m['name']) ?? '', cluster: isRecord(m['labels']) ? str(m['labels']['bindy.firestoned.io/source-cluster']) : undefined }))
      .filter((r) => r.name !== '');
  }

  /** Deletes an ARecord of the target namespace; 404 is fine. */
  async deleteARecord(name: string): Promise<void> {
    this.calls.delete++;
    try {
      await this.#custom.deleteNamespacedCustomObject({ group: bindyGroup, version: bindyVersion, namespace: this.#targetNamespace, plural: 'arecords', name });
    } catch (error) {
      if (apiStatus(error) !== 404) throw error;
    }
  }
}
