import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { createApiServer } from '../apiserver/api-server.js';
import { kubeconfigYaml } from '../apiserver/kubeconfig.js';
import { LeaderElector } from './leader-election.js';

/** An API twin on loopback and an elector with a 3 s lease (renewed every 1 s, deadline 2 s). */
async function setup(): Promise<{ elector: LeaderElector; api: ReturnType<typeof createApiServer>; close: () => Promise<void> }> {
  const api = createApiServer();
  // TLS: client-node refuses plain HTTP.
  const listening = await api.listen({ port: 0, tls: true });
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml({ server: listening.url, token: api.token, namespace: 'default', ...(listening.caCert === undefined ? {} : { caCert: listening.caCert }) }));
  const elector = new LeaderElector(kc, { namespace: 'default', identity: 'twin-a', leaseDurationSeconds: 3 });
  return { elector, api, close: () => listening.close() };
}

test('a renewal the API server answers 429 is retried: a throttle shorter than the renew deadline keeps the lease', { timeout: 20_000 }, async () => {
  const { elector, api, close } = await setup();
  let lost = false;
  try {
    await elector.acquire(() => (lost = true));
    // 1.5 s of 429s: one renewal fails, its retry 2 s later... lands after the throttle, inside the 2 s deadline.
    api.faults.tooManyRequestsRate = 1;
    await new Promise((r) => setTimeout(r, 1200));
    api.faults.tooManyRequestsRate = 0;
    await new Promise((r) => setTimeout(r, 3500));
    assert.equal(lost, false, 'a short throttle does not end the leadership');
  } finally {
    elector.stop();
    await close();
  }
});

test('renewals unanswered past the renew deadline lose the lease', { timeout: 20_000 }, async () => {
  const { elector, api, close } = await setup();
  try {
    const lostAt = new Promise<number>((resolve) => {
      void elector.acquire(() => resolve(Date.now()));
    });
    const throttledAt = Date.now();
    // Acquisition happens at once; then every request is refused.
    await new Promise((r) => setTimeout(r, 100));
    api.faults.tooManyRequestsRate = 1;
    const at = await lostAt;
    // Renewals every 1 s; the deadline is 2 s after the last success: lost within about 3–4 s, not at the first failure.
    assert.ok(at - throttledAt >= 1500 && at - throttledAt <= 5000, `lost ${at - throttledAt} ms after the throttle began`);
  } finally {
    elector.stop();
    api.faults.tooManyRequestsRate = 0;
    await close();
  }
});
