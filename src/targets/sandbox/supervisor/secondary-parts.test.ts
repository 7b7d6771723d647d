import { test } from 'node:test';
import assert from 'node:assert/strict';
import { partKind, secondaryPartNames, type PartState } from './state.js';
import { isSandboxProcess } from './orphans.js';
import { serverOfPart } from './health.js';
import { clientDnsServers, sandboxDnsServers } from '../../open-target.js';

const state = {
  dns: { host: '127.0.0.1', port: 5301 },
  sidecarUrl: 'http://127.0.0.1:8001',
  secondaries: [{ name: 'secondary-0', index: 0, dns: { host: '127.0.0.1', port: 5302 }, sidecarUrl: 'http://127.0.0.1:8002', bind9StatsUrl: 'http://127.0.0.1:9002/', rndcConfFile: '/d/rndc.conf' }],
};

void test('a secondary server\'s parts: named and sidecar kinds under names of their own', () => {
  assert.deepEqual(secondaryPartNames(1), { named: 'named-secondary-1', sidecar: 'sidecar-secondary-1' });
  assert.deepEqual(['named', 'named-secondary-0', 'sidecar-secondary-2', 'operator'].map((n) => partKind(n as Parameters<typeof partKind>[0])), ['named', 'named', 'sidecar', 'operator']);
  assert.deepEqual(serverOfPart(state, 'named'), { dnsPort: 5301, sidecarUrl: 'http://127.0.0.1:8001' });
  assert.deepEqual(serverOfPart(state, 'sidecar-secondary-0'), { dnsPort: 5302, sidecarUrl: 'http://127.0.0.1:8002' });
  assert.equal(serverOfPart(state, 'named-secondary-1'), undefined);
});

void test('a pid runs `sandbox start named` only when that word ends there: the secondary\'s is another part', () => {
  const secondary = '/usr/bin/node /w/dist/cli/entry.js sandbox start named-secondary-0 --dir /h/run-1/named-secondary-0';
  assert.equal(isSandboxProcess('named', secondary), false);
  assert.equal(isSandboxProcess('named-secondary-0', secondary), true);
  assert.equal(isSandboxProcess('named', '/usr/bin/node /w/dist/cli/entry.js sandbox start named --dir /h/run-1/named'), true);
  assert.equal(isSandboxProcess('named', '/usr/bin/node /w/dist/cli/entry.js sandbox start named'), true);
});

void test('the target lists the primary then each secondary, roles labelled; client links in the same order, or none when one is missing', () => {
  assert.deepEqual(sandboxDnsServers(state), [
    { host: '127.0.0.1', port: 5301, name: 'primary-0', role: 'primary' },
    { host: '127.0.0.1', port: 5302, name: 'secondary-0', role: 'secondary' },
  ]);
  // Each server's named process (its part's child), for /proc: the secondary's from its own part, never the primary's.
  const part = (name: PartState['name'], childPids: number[]): PartState => ({ name, pid: 1, childPids, logFile: '' });
  const parts = [part('named', [101]), part('sidecar', [999]), part('named-secondary-0', [202])];
  assert.deepEqual(sandboxDnsServers({ ...state, parts }).map((s) => [s.name, s.pid]), [['primary-0', 101], ['secondary-0', 202]]);
  assert.deepEqual(sandboxDnsServers({ ...state, parts: [part('named', [])] }).map((s) => s.pid), [undefined, undefined]);
  const link = (name: string, port: number): { name: string; protocol: 'udp'; listen: { host: string; port: number }; upstream: { host: string; port: number } } => ({ name, protocol: 'udp', listen: { host: '127.0.0.1', port }, upstream: { host: '127.0.0.1', port: 1 } });
  const faultProxy = { controlUrl: 'http://x', links: [link('client-bind', 6001), link('client-bind-secondary-0', 6002)] };
  assert.deepEqual(clientDnsServers({ ...state, faultProxy })?.map((s) => [s.name, s.port, s.role]), [['primary-0', 6001, 'primary'], ['secondary-0', 6002, 'secondary']]);
  assert.equal(clientDnsServers({ ...state, faultProxy: { controlUrl: 'http://x', links: [link('client-bind', 6001)] } }), undefined);
  assert.equal(clientDnsServers(state), undefined);
});
