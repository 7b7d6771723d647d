/** @module Tests of when a run probes DNS and which servers it asks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../config/index.js';
import type { Config } from '../config/index.js';
import { describeDnsProbe, dnsProbePlan, dnsProbeSettings } from './dns-probe-plan.js';

function config(over: Partial<Config>): Config {
  return { ...defaultConfig, ...over };
}

void test('auto probes the sandbox, and a cluster only when servers are given; on and off are obeyed', () => {
  const servers = [{ host: '10.0.0.7', port: 53 }];
  assert.notEqual(dnsProbePlan(config({ target: 'sandbox' }), 'auto'), null);
  assert.equal(dnsProbePlan(config({ target: 'cluster' }), 'auto'), null);
  assert.notEqual(dnsProbePlan(config({ target: 'cluster', probe: { ...defaultConfig.probe, servers } }), 'auto'), null);
  assert.equal(dnsProbePlan(config({ target: 'sandbox' }), 'off'), null);
  assert.notEqual(dnsProbePlan(config({ target: 'cluster' }), 'on'), null);
  const plan = dnsProbePlan(config({}), 'auto');
  assert.deepEqual(plan, { ratePerSecond: 500, maxInFlight: 64, timeoutMs: 60_000, maxIntervalMs: 1000, transport: 'udp', throughForwards: false });
  assert.match(describeDnsProbe(plan), /^DNS probed: the target's BIND9 servers asked for every record until .* at most 500 queries\/s and 64 in flight; .* up to 60 s more/);
  const tcp = dnsProbePlan(config({ probe: { ...defaultConfig.probe, transport: 'tcp' } }), 'auto');
  assert.equal(tcp?.transport, 'tcp');
  assert.match(describeDnsProbe(tcp), /^DNS probed: the target's BIND9 servers asked for every record over TCP \(one pipelined connection per server\) until/);
  assert.match(describeDnsProbe(null), /^DNS not probed/);
  // A cluster without servers: port-forwards, so TCP whatever probe.transport says.
  const forwarded = dnsProbePlan(config({ target: 'cluster' }), 'on');
  assert.equal(forwarded?.throughForwards, true);
  assert.equal(forwarded?.transport, 'tcp');
  assert.match(describeDnsProbe(forwarded), /^DNS probed: each BIND9 instance of the cluster, through a port-forward the run opens \(TCP, through the API server; the pod is looked up again if it is replaced\), asked for every record until/);
  assert.equal(dnsProbePlan(config({ target: 'cluster', probe: { ...defaultConfig.probe, servers } }), 'on')?.throughForwards, false);
});

void test('servers: the given ones by address, else the target\'s by their stable names; none is a reason, not an error', () => {
  const plan = dnsProbePlan(config({}), 'on');
  assert.ok(plan !== null);
  const own = dnsProbeSettings(plan, [{ host: '127.0.0.1', port: 40053, name: 'primary-0' }, { host: '127.0.0.1', port: 40054 }]);
  assert.ok('settings' in own);
  assert.deepEqual(own.settings.servers.map((s) => s.name), ['primary-0', 'dns-1']);
  assert.equal(own.settings.spacing.maxIntervalMs, 1000);
  const given = dnsProbeSettings({ ...plan, servers: [{ host: '::1', port: 53 }] }, [{ host: '127.0.0.1', port: 40053, name: 'primary-0' }]);
  assert.ok('settings' in given);
  assert.deepEqual(given.settings.servers, [{ host: '::1', port: 53, name: '[::1]:53' }]);
  const none = dnsProbeSettings(plan, []);
  assert.ok('reason' in none);
  assert.match(none.reason, /probe\.servers/);
});
