/**
 * @module The facts `cluster up` shares with deploy/loadtest/, docs/cluster.md and the load-tests
 * workflow, defined once here (test/cluster-provision.test.ts checks the workflow and the docs
 * agree), and the pure text transforms of the two files whose content an option changes: the kind
 * config (worker count) and bindy's kustomization (release tag).
 */
import { parseDocument } from 'yaml';
import { UsageError } from '../../../errors.js';

/** kind version the workflow pins (KIND_VERSION), as bindy's own e2e CI: Kubernetes 1.31. */
export const kindVersion = 'v0.24.0';
/** k3d version named in its install line (k3d is not in the workflow; the newest v5 at the time of writing). */
export const k3dVersion = 'v5.7.4';
/** Cluster name of kind-config.yaml and of the workflow (CLUSTER). */
export const defaultClusterName = 'bindy-loadtest';
/** Workers in kind-config.yaml. */
export const defaultWorkers = 3;
/** kind's `--wait` for the control plane, as the workflow's `wait: 120s`. */
export const kindWait = '120s';

/** Files of deploy/loadtest/ (and dashboards/) as paths relative to the repository root, the directory every step runs in. */
export const deployFiles = {
  kindConfig: 'deploy/loadtest/kind-config.yaml',
  bindyKustomization: 'deploy/loadtest/bindy',
  bind9Cluster: 'deploy/loadtest/bind9-cluster.yaml',
  bind9Exporter: 'deploy/loadtest/bind9-exporter.yaml',
  prometheusValues: 'deploy/loadtest/prometheus-values.yaml',
  chaosMeshValues: 'deploy/loadtest/chaos-mesh-values.yaml',
  dashboards: 'dashboards',
} as const;

/** Where bind9-cluster.yaml puts the Bind9Cluster the runs load (the tool's default namespace and fixtures.clusterName). */
export const loadtestCluster = { namespace: 'bindy-loadtest', name: 'loadtest' } as const;
/** bindy's operator as deploy/loadtest/bindy installs it. */
export const bindyDeployment = { namespace: 'bindy-system', name: 'bindy' } as const;
/** The annotation Chaos Mesh's `enableFilterNamespace` requires on a namespace it may act in. */
export const chaosInjectAnnotation = 'chaos-mesh.org/inject';

/** One Helm release `cluster up` installs, as the workflow and docs/cluster.md install it. */
export interface HelmRelease {
  release: string;
  namespace: string;
  /** Chart repository URL (passed as `--repo`, so the user's `helm repo` list is left alone). */
  repo: string;
  chart: string;
  version: string;
  /** Values file (relative to the repository root), if any. */
  values?: string;
  /** `--set` values, in order. */
  set?: readonly string[];
}

/** kube-prometheus-stack: Prometheus, Grafana and the scrape jobs of prometheus-values.yaml. */
export const monitoringRelease: HelmRelease = {
  release: 'monitoring',
  namespace: 'monitoring',
  repo: 'https://prometheus-community.github.io/helm-charts',
  chart: 'kube-prometheus-stack',
  version: '65.8.1',
  values: deployFiles.prometheusValues,
};
/** The Pushgateway runs push their results to (job pushgateway of prometheus-values.yaml). */
export const pushgatewayRelease: HelmRelease = {
  release: 'pushgateway',
  namespace: 'monitoring',
  repo: 'https://prometheus-community.github.io/helm-charts',
  chart: 'prometheus-pushgateway',
  version: '2.15.0',
  set: ['fullnameOverride=prometheus-pushgateway'],
};
/** Chaos Mesh, acting only in annotated namespaces (chaos-mesh-values.yaml). */
export const chaosMeshRelease: HelmRelease = {
  release: 'chaos-mesh',
  namespace: 'chaos-mesh',
  repo: 'https://charts.chaos-mesh.org',
  chart: 'chaos-mesh',
  version: '2.7.2',
  values: deployFiles.chaosMeshValues,
};
/** k3s runs its own containerd: chaos-daemon must use that socket instead of kind's (chaos-mesh-values.yaml). */
export const k3sContainerdSocket = '/run/k3s/containerd/containerd.sock';

/** The programs `cluster up|down` runs. */
export type ToolName = 'kind' | 'k3d' | 'kubectl' | 'helm';

/** How to install each program (official instructions; kubectl through the repository's own setup). */
export const installHints: Readonly<Record<ToolName, string>> = {
  kind: `go install sigs.k8s.io/kind@${kindVersion} (or: curl -Lo /usr/local/bin/kind https://kind.sigs.k8s.io/dl/${kindVersion}/kind-linux-amd64 && chmod +x /usr/local/bin/kind); kind needs Docker or Podman`,
  k3d: `curl -s https://raw.githubusercontent.com/k3d-io/k3d/main/install.sh | TAG=${k3dVersion} bash; k3d needs Docker`,
  kubectl: 'bash scripts/setup.sh (installs kubectl from Debian\'s packages)',
  helm: 'curl -fsSL https://raw.githubusercontent.com/helm/helm/main/scripts/get-helm-3 | bash (Helm 3; needed for --monitoring and --chaos)',
};

/** A release tag bindy publishes: vX.Y.Z, optionally with a pre-release suffix; never a branch or `latest`. */
const releaseTag = /^v\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?$/;

/** Checks `--bindy-version`; throws a one-line UsageError naming the flag. */
export function checkBindyVersion(version: string): void {
  if (!releaseTag.test(version)) {
    throw new UsageError(`--bindy-version: expected a bindy release tag like v0.6.2, got '${version}' (latest or a branch would not name the version measured)`);
  }
}

const tagInUrl = /(raw\.githubusercontent\.com\/firestoned\/bindy\/)([^/]+)(\/)/g;

/** The release tag deploy/loadtest/bindy/kustomization.yaml pins (its `images[].newTag`), read from its text. */
export function pinnedBindyVersion(kustomization: string): string {
  const doc: unknown = parseDocument(kustomization).toJS();
  const images = typeof doc === 'object' && doc !== null && 'images' in doc && Array.isArray(doc.images) ? (doc.images as unknown[]) : [];
  for (const i of images) {
    if (typeof i === 'object' && i !== null && 'newTag' in i && typeof i.newTag === 'string') return i.newTag;
  }
  throw new UsageError(`${deployFiles.bindyKustomization}/kustomization.yaml: no images[].newTag: cannot tell which bindy release it pins`);
}

/**
 * The kustomization at another release tag: every bindy URL and the image's `newTag` moved
 * together, as docs/cluster.md asks of a hand edit. A release whose files moved fails at apply,
 * with kubectl's message naming the URL.
 */
export function kustomizationForVersion(kustomization: string, version: string): string {
  checkBindyVersion(version);
  const pinned = pinnedBindyVersion(kustomization);
  const moved = kustomization.replace(tagInUrl, (_m, a: string, _tag: string, c: string) => `${a}${version}${c}`);
  const doc = parseDocument(moved);
  const images = doc.get('images');
  if (images !== undefined && images !== null && typeof images === 'object' && 'items' in images && Array.isArray(images.items)) {
    images.items.forEach((_item, i) => {
      if (doc.getIn(['images', i, 'newTag']) === pinned) doc.setIn(['images', i, 'newTag'], version);
    });
  }
  return `# Generated by bindy-loadtest cluster up --bindy-version ${version} from ${deployFiles.bindyKustomization}/kustomization.yaml\n${doc.toString()}`;
}

/**
 * kind-config.yaml with `workers` worker nodes instead of three and the cluster named `name`:
 * the control plane kept as it is, every worker but the last in pool `dns`, the last in pool
 * `tools` (one worker: `dns`), everything else of the file unchanged.
 */
export function kindConfigFor(kindConfig: string, workers: number, name: string): string {
  const doc = parseDocument(kindConfig);
  const parsed: unknown = doc.toJS();
  const nodes: unknown = typeof parsed === 'object' && parsed !== null && 'nodes' in parsed ? parsed.nodes : undefined;
  if (!Array.isArray(nodes)) throw new UsageError(`${deployFiles.kindConfig}: no nodes list`);
  const controlPlanes = (nodes as unknown[]).filter((n) => typeof n === 'object' && n !== null && 'role' in n && n.role === 'control-plane');
  const poolLabel = 'loadtest.bindy.firestoned.io/pool';
  const worker = (i: number): object => ({ role: 'worker', labels: { [poolLabel]: i === workers - 1 && workers > 1 ? 'tools' : 'dns' } });
  doc.set('name', name);
  doc.set('nodes', doc.createNode([...controlPlanes, ...Array.from({ length: workers }, (_v, i) => worker(i))]));
  return `# Generated by bindy-loadtest cluster up (--workers ${workers}) from ${deployFiles.kindConfig}\n${doc.toString()}`;
}
