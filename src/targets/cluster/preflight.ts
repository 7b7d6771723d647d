/** @module The cluster preflight (pure): from the gathered facts to what is missing and how to fix it. */
import { TargetNotReadyError } from '../../errors.js';
import type { ClusterFacts } from './cluster-facts.js';
import { operatorLocation } from './cluster-facts.js';
import { isManagedNamespace, managedNamespaceLabel, managedNamespaceValue } from './namespace.js';

/** What the run asks of the cluster. */
export interface PreflightOptions {
  namespace: string;
  clusterName: string;
  /** Plurals the run writes or watches (e.g. dnszones, arecords); each must be served at v1beta1. */
  resources: readonly string[];
  /** `--create-cluster`: a missing Bind9Cluster is created from the fixtures instead of refused. */
  createCluster: boolean;
  /** `--allow-existing-namespace`: a namespace without the tool's label is used anyway. */
  allowExistingNamespace: boolean;
  /** `--operator-metrics URL`: the operator runs outside the cluster, so no bindy Deployment is asked for. */
  operatorMetrics?: string;
}

/** One thing that is missing, and how to fix it. */
export interface PreflightProblem {
  what: string;
  fix: string;
}

/** Every problem the facts show, in the order a user would fix them; empty when the cluster is ready. */
export function preflightProblems(f: ClusterFacts, o: PreflightOptions): PreflightProblem[] {
  if (f.unreachable !== null) {
    return [{ what: `the API server ${f.server} (context ${f.context}) is not reachable: ${f.unreachable}`, fix: 'check --kubeconfig/--context and that the cluster is up (kubectl get --raw /readyz)' }];
  }
  const problems: PreflightProblem[] = [];
  if (f.bindyResources === null) {
    problems.push({ what: `bindy's CRDs are not installed: bindy.firestoned.io/v1beta1 is not served by ${f.server}`, fix: 'install bindy (kubectl apply -f deploy/operator/crds/ from the bindy repository)' });
  } else {
    const missing = o.resources.filter((r) => !(f.bindyResources ?? []).includes(r));
    if (missing.length > 0) {
      problems.push({ what: `bindy.firestoned.io/v1beta1 does not serve ${missing.join(', ')}`, fix: 'upgrade bindy\'s CRDs to a version with every record kind' });
    }
  }
  if (f.operator === null && o.operatorMetrics !== undefined) {
    // An operator outside the cluster (bindy from a laptop, the twin against kind): its metrics say it runs.
  } else if (f.operator === null) {
    problems.push({
      what: `the bindy operator is not deployed: no Deployment ${operatorLocation.namespace}/${operatorLocation.name} and none labelled ${operatorLocation.labelSelector}`,
      fix: 'deploy bindy (deploy/operator/ in the bindy repository), or, for an operator running outside the cluster, pass --operator-metrics URL (its /metrics); nothing would ever become Ready without one',
    });
  } else if (f.operator.available < 1) {
    problems.push({
      what: `the bindy operator Deployment ${f.operator.namespace}/${f.operator.name} has ${f.operator.available}/${f.operator.desired} replicas available`,
      fix: `wait for it or look at why: kubectl -n ${f.operator.namespace} describe deployment ${f.operator.name}`,
    });
  }
  if (f.namespace !== null && !isManagedNamespace(f.namespace.labels) && !o.allowExistingNamespace) {
    problems.push({
      what: `namespace ${o.namespace} exists but was not created by bindy-loadtest (it lacks the label ${managedNamespaceLabel}=${managedNamespaceValue})`,
      fix: `use a namespace of the tool's own (--namespace NEW, created for you), or pass --allow-existing-namespace: only objects labelled with the run id are ever deleted`,
    });
  }
  if (!o.createCluster) {
    if (f.cluster === null) {
      problems.push({
        what: `no Bind9Cluster ${o.clusterName} in namespace ${o.namespace} (the zones select its instances by bindy.firestoned.io/cluster=${o.clusterName})`,
        fix: `pass --create-cluster to create it from the fixtures (removed with the run), or name yours with fixtures.clusterName`,
      });
    } else if (f.cluster.ready !== 'True' && (f.cluster.readyInstances ?? 0) < 1) {
      problems.push({
        what: `Bind9Cluster ${o.namespace}/${o.clusterName} has no ready instances (readyInstances ${f.cluster.readyInstances ?? 'unset'}, Ready ${f.cluster.ready ?? 'unset'})`,
        fix: `kubectl -n ${o.namespace} describe bind9cluster ${o.clusterName}`,
      });
    }
  }
  return problems;
}

/** Throws a TargetNotReadyError (exit 3) naming every problem and its fix; returns when there is none. */
export function assertPreflight(problems: readonly PreflightProblem[]): void {
  if (problems.length === 0) return;
  const lines = problems.map((p, i) => `${problems.length > 1 ? `(${i + 1}) ` : ''}${p.what}\n  fix: ${p.fix}`);
  throw new TargetNotReadyError(`the target is not ready:\n${lines.join('\n')}`);
}
