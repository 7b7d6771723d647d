/** @module Lease-based leader election (coordination.k8s.io/v1 Lease `bindy-leader`, 15 s), as bindy runs it by default. */
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { apiStatus } from './kube-api.js';

/** Options of {@link LeaderElector}. */
export interface LeaderElectionOptions {
  readonly namespace: string;
  /** Default `bindy-leader`. */
  readonly leaseName?: string;
  /** Default 15. */
  readonly leaseDurationSeconds?: number;
  /** Default: hostname-pid. */
  readonly identity: string;
}

function expired(lease: V1Lease, nowMs: number): boolean {
  const renew = lease.spec?.renewTime ?? lease.spec?.acquireTime;
  const duration = lease.spec?.leaseDurationSeconds ?? 15;
  return renew === undefined || new Date(renew).getTime() + duration * 1000 < nowMs;
}

/** Between two renewal attempts after one the API server did not answer, ms (client-go's RetryPeriod). */
const retryMs = 2000;

/** Acquires and renews the Lease; `lost` fires when a renewal finds someone else holding it. */
export class LeaderElector {
  readonly #api: CoordinationV1Api;
  readonly #o: Required<LeaderElectionOptions>;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(kubeConfig: KubeConfig, options: LeaderElectionOptions) {
    this.#api = kubeConfig.makeApiClient(CoordinationV1Api);
    this.#o = { leaseName: 'bindy-leader', leaseDurationSeconds: 15, ...options };
  }

  /** One attempt: true when this identity holds the lease afterwards. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, leaseName: name, identity, leaseDurationSeconds } = this.#o;
    const now = new V1MicroTime();
    let lease: V1Lease | undefined;
    try {
      lease = await this.#api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (apiStatus(error) !== 404) throw error;
    }
    if (lease === undefined) {
      try {
        await this.#api.createNamespacedLease({
          namespace,
          body: { metadata: { name, namespace }, spec: { holderIdentity: identity, leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 } },
        });
        return true;
      } catch (error) {
        if (apiStatus(error) === 409) return false;
        throw error;
      }
    }
    const mine = lease.spec?.holderIdentity === identity;
    if (!mine && !expired(lease, Date.now())) return false;
    const spec = {
      ...lease.spec,
      holderIdentity: identity,
      leaseDurationSeconds,
      renewTime: now,
      ...(mine ? {} : { acquireTime: now, leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + 1 }),
    };
    try {
      // replace carries the read resourceVersion: two candidates cannot both win.
      await this.#api.replaceNamespacedLease({ name, namespace, body: { ...lease, spec } });
      return true;
    } catch (error) {
      if (apiStatus(error) === 409) return false;
      throw error;
    }
  }

  /**
   * Resolves once leader; then renews every third of the duration. A renewal the API server does
   * not answer (an error, a 429) is retried every 2 s until the renew deadline, two thirds of the
   * duration after the last renewal (client-go's defaults: 15 s lease, 10 s deadline, 2 s retry);
   * `onLost` is called when someone else holds the lease or the deadline passes.
   */
  async acquire(onLost: () => void, signal?: AbortSignal): Promise<void> {
    const period = (this.#o.leaseDurationSeconds * 1000) / 3;
    const deadlineMs = (this.#o.leaseDurationSeconds * 1000 * 2) / 3;
    while (!(await this.tryAcquireOrRenew().catch(() => false))) {
      if (this.#stopped || signal?.aborted === true) throw new Error('leader election stopped before the lease was acquired');
      await new Promise((r) => setTimeout(r, period));
    }
    let renewedAt = Date.now();
    const renew = (delayMs: number): void => {
      this.#timer = setTimeout(() => {
        void this.tryAcquireOrRenew()
          .catch(() => 'unanswered' as const)
          .then((held) => {
            if (this.#stopped) return;
            if (held === true) {
              renewedAt = Date.now();
              renew(period);
            } else if (held === 'unanswered' && Date.now() - renewedAt < deadlineMs) {
              // The last try lands on the deadline itself.
              renew(Math.min(retryMs, deadlineMs - (Date.now() - renewedAt)));
            } else {
              onLost();
            }
          });
      }, delayMs);
    };
    renew(period);
  }

  /** Stops renewing (the lease expires on its own, as bindy's does on exit). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }
}
