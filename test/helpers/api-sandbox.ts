/** @module Test support: the sandbox API server over real HTTP on 127.0.0.1, a KubeClient for it, and a fake operator. */
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { createApiServer } from '../../src/targets/sandbox/apiserver/api-server.js';
import type { ApiServer, ApiServerOptions } from '../../src/targets/sandbox/apiserver/api-server.js';
import type { ResourceDefinition } from '../../src/targets/sandbox/apiserver/resources.js';
import { defaultResources } from '../../src/targets/sandbox/apiserver/default-resources.js';
import type { StoreEvent } from '../../src/targets/sandbox/apiserver/store.js';
import { bindyApiVersion, bindyGroup, bindyKinds, kindInfo, runIdLabel } from '../../src/model/kinds.js';
import type { BindyKind } from '../../src/model/kinds.js';
import { KubeClient } from '../../src/observe/kube-client.js';
import type { KubeObject } from '../../src/observe/kube-client.js';

/** A sandbox API server listening on 127.0.0.1 over plain HTTP, with a client for it. */
export interface TestSandbox {
  server: ApiServer;
  url: string;
  client: KubeClient;
  /** Creates a namespace. */
  namespace(name: string): Promise<void>;
  close(): Promise<void>;
}

/** A KubeConfig for a plain-HTTP server (client-node allows http only with skipTLSVerify). */
export function httpKubeConfig(url: string, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'sandbox', server: url, skipTLSVerify: true }],
    users: [{ name: 'sandbox', token }],
    contexts: [{ name: 'sandbox', cluster: 'sandbox', user: 'sandbox' }],
    currentContext: 'sandbox',
  });
  return kc;
}

/** Starts the API server (bindy schema validation on; the 0.8 line's 13 kinds unless `resources` says otherwise) and a client for it. */
export async function startSandbox(options: ApiServerOptions = {}): Promise<TestSandbox> {
  const server = createApiServer({ resources: defaultResources('0.8'), namespaceCleanupDelayMs: 0, ...options });
  const listening = await server.listen({ host: '127.0.0.1', port: 0, tls: false });
  const client = new KubeClient({ kubeConfig: httpKubeConfig(listening.url, server.token) });
  return {
    server,
    url: listening.url,
    client,
    async namespace(name: string): Promise<void> {
      const r = await server.request({ method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } });
      if (r.status !== 201) throw new Error(`namespace ${name}: ${r.status} ${r.text}`);
    },
    close: () => listening.close(),
  };
}

/** A hand-built ARecord (valid against bindy's CRD) carrying the run-id label unless `labels` says otherwise. */
export function aRecord(name: string, namespace: string, runId: string | null, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return {
    apiVersion: bindyApiVersion,
    kind: 'ARecord',
    metadata: { name, namespace, labels: runId === null ? { app: 'foreign' } : { [runIdLabel]: runId }, ...extra },
    spec: { name, ipv4Addresses: ['192.0.2.1'] },
  };
}

/** Options of the fake operator. */
export interface FakeOperatorOptions {
  /** Delay from seeing a new generation to writing Ready=True, ms. */
  readyDelayMs: number;
  /** Objects whose name starts with this never become Ready (Ready=False/ZoneNotFound instead). */
  neverReadyPrefix?: string;
  /** Delay from seeing a deletionTimestamp to removing the finalizers, ms. */
  finalizerDelayMs?: number;
  kinds?: readonly BindyKind[];
}

/** A running fake operator. */
export interface FakeOperator {
  /** Status writes made so far. */
  readonly writes: number;
  stop(): void;
}

/**
 * A tiny controller inside the test: it follows the store's watch of each kind and, `readyDelayMs`
 * after a new generation appears, patches `/status` (through the server's real handler) with
 * Ready=True and observedGeneration; it removes finalizers after `finalizerDelayMs` once deletion starts.
 */
export function startFakeOperator(server: ApiServer, o: FakeOperatorOptions): FakeOperator {
  const timers = new Set<NodeJS.Timeout>();
  const scheduled = new Set<string>();
  const unsubs: (() => void)[] = [];
  let stopped = false;
  const state = { writes: 0 };
  const later = (ms: number, fn: () => Promise<unknown>): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) void fn().catch(() => undefined);
    }, ms);
    timers.add(t);
  };
  for (const kind of o.kinds ?? bindyKinds) {
    const info = kindInfo[kind];
    const onEvent = (e: StoreEvent): void => {
      if (e.type === 'DELETED') return;
      const m = e.object.metadata;
      const base = `/apis/${bindyGroup}/v1beta1/namespaces/${m.namespace ?? ''}/${info.plural}/${m.name}`;
      if (m.deletionTimestamp !== undefined) {
        if ((m.finalizers?.length ?? 0) > 0 && !scheduled.has(`${m.uid}/finalize`)) {
          scheduled.add(`${m.uid}/finalize`);
          later(o.finalizerDelayMs ?? 0, () =>
            server.request({ method: 'PATCH', path: base, headers: { 'content-type': 'application/merge-patch+json' }, body: { metadata: { finalizers: null } } }),
          );
        }
        return;
      }
      const gen = m.generation ?? 1;
      const k = `${m.uid}/${gen}`;
      if (scheduled.has(k)) return;
      scheduled.add(k);
      const never = o.neverReadyPrefix !== undefined && m.name.startsWith(o.neverReadyPrefix);
      const condition = never
        ? { type: 'Ready', status: 'False', reason: 'ZoneNotFound', message: 'no DNSZone selects this record' }
        : { type: 'Ready', status: 'True', reason: 'ReconcileSucceeded', message: 'record published' };
      later(o.readyDelayMs, async () => {
        state.writes++;
        await server.request({
          method: 'PATCH',
          path: `${base}/status`,
          headers: { 'content-type': 'application/merge-patch+json' },
          body: { status: { observedGeneration: gen, conditions: [{ ...condition, observedGeneration: gen, lastTransitionTime: new Date().toISOString() }] } },
        });
      });
    };
    unsubs.push(server.store.watch(`${bindyGroup}/${info.plural}`, server.store.rv, onEvent));
  }
  return {
    get writes() {
      return state.writes;
    },
    stop(): void {
      stopped = true;
      for (const u of unsubs) u();
      for (const t of timers) clearTimeout(t);
    },
  };
}

/** apps/v1 Deployments, which the twin does not serve by default: tests that stand for a cluster with bindy's Deployment add them. */
export const deploymentsResource: ResourceDefinition = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  listKind: 'DeploymentList',
  plural: 'deployments',
  singular: 'deployment',
  shortNames: ['deploy'],
  namespaced: true,
  statusSubresource: true,
  tracksGeneration: true,
  custom: false,
};

/** Resolves once the server holds no watch (a closed one is noticed when its socket ends), or fails after 2 s. */
export async function watchesEnded(server: { activeWatches(): number }): Promise<void> {
  const deadline = Date.now() + 2000;
  while (server.activeWatches() > 0) {
    if (Date.now() > deadline) assert.fail(`${server.activeWatches()} watches still open on the server`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The Deployment controller's part for the Deployment at `path`: a new generation is rolled out at once, with `spec.replicas` pods, every one available. */
export function startFakeDeploymentController(server: ApiServer, path: string): { stop(): Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const r = await server.request({ method: 'GET', path });
      const d = r.status === 200 ? (r.body as { metadata: { generation?: number }; spec?: { replicas?: number }; status?: { observedGeneration?: number } }) : null;
      if (d !== null && (d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        const n = d.spec?.replicas ?? 1;
        await server.request({ method: 'PATCH', path: `${path}/status`, headers: { 'content-type': 'application/merge-patch+json' }, body: { status: { observedGeneration: d.metadata.generation, replicas: n, updatedReplicas: n, availableReplicas: n } } });
      }
      await new Promise((r2) => setTimeout(r2, 20));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

/** The path of bindy's Deployment in the tests that change it. */
export const bindyDeploymentPath = '/apis/apps/v1/namespaces/bindy-system/deployments/bindy';

/**
 * An API twin serving apps/v1 Deployments with bindy's Deployment (bindy-system/bindy, one
 * replica, one container `bindy` as given) and a stand-in Deployment controller; closed with the test.
 */
export async function bindyDeploymentSandbox(
  t: { after(fn: () => Promise<void>): void },
  container: { image: string; resources?: unknown; env?: unknown[] },
  namespaces: readonly string[] = [],
): Promise<{ sb: TestSandbox; kc: KubeConfig; deployment: () => Promise<unknown> }> {
  const sb = await startSandbox({ resources: [...defaultResources(), deploymentsResource] });
  const controller = startFakeDeploymentController(sb.server, bindyDeploymentPath);
  t.after(async () => {
    await controller.stop();
    await sb.close();
  });
  for (const ns of ['bindy-system', ...namespaces]) await sb.namespace(ns);
  const labels = { app: 'bindy' };
  const created = await sb.server.request({
    method: 'POST',
    path: '/apis/apps/v1/namespaces/bindy-system/deployments',
    body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'bindy', namespace: 'bindy-system', labels }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'bindy', ...container }] } } } },
  });
  assert.equal(created.status, 201, created.text);
  return { sb, kc: httpKubeConfig(sb.url, sb.server.token), deployment: async () => (await sb.server.request({ method: 'GET', path: bindyDeploymentPath })).body };
}
