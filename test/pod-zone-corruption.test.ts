/**
 * zone-corruption on a cluster (`pod-zonefile`): through the API server twin's pods/exec into a
 * BIND9 pod whose `bind9` container is a real named (its workingDir named's directory, `rndc` on
 * its PATH configured for it, as bindy's image has), with a stand-in kubelet that starts named
 * again when it stops (the container's restart) and counts the restart in the pod's status.
 * Ground truth: the run's zone file is cut to half its bytes and, after named's restart, the zone
 * answers SERVFAIL while a zone of no run is untouched and answers; the revert writes the file
 * back byte for byte by a killed run's cleanup (from its journal alone), the zone answers again
 * with its records, the copies are gone, and a second revert finds nothing left to mend; a run
 * with no zone of its own tears nothing and journals nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNamed, type NamedServer } from '../src/targets/sandbox/bind9/named-process.js';
import { udpQuery } from '../src/targets/sandbox/bind9/udp-query.js';
import { generateZone } from '../src/model/fixtures/generate.js';
import { defaultFixtureOptions } from '../src/model/fixtures/options.js';
import { bind9PodLabels } from '../src/faults/chaos-mesh/sites.js';
import { PodZoneCorruptionMechanism, backupDirOf } from '../src/faults/native/pod-zone-corruption.js';
import { parseRevertDescriptor, type RevertDescriptor } from '../src/faults/fault.js';
import { faultOfDeadRun, revertDeadRunFaults } from './helpers/dead-run.js';
import { httpKubeConfig, startSandbox, type TestSandbox } from './helpers/api-sandbox.js';

const ns = 'bindy-zc';
const runId = 'zc-run';
const podName = 'loadtest-primary-0-a';
let sb: TestSandbox;
let dir: string;
let named: NamedServer;
let restarts = 0;
let stopping = false;
let kubelet: Promise<void> = Promise.resolve();
const zone = generateZone({ ...defaultFixtureOptions, runId, namespace: ns, zoneNamePattern: 'zc-{}.test' }, 0);
const zoneName = zone.spec.zoneName;

async function request(method: string, path: string, body?: unknown): Promise<void> {
  const r = await sb.server.request({ method, path, ...(body === undefined ? {} : { body }), ...(method === 'PATCH' ? { headers: { 'content-type': 'application/merge-patch+json' } } : {}) });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
}

/** The pod's status as the kubelet writes it: Running and Ready, bind9 restarted `restarts` times. */
async function podStatus(): Promise<void> {
  await request('PATCH', `/api/v1/namespaces/${ns}/pods/${podName}/status`, {
    status: { phase: 'Running', podIP: '127.0.0.1', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'bind9', image: 'bind9', imageID: 'bind9', ready: true, restartCount: restarts, started: true, state: { running: {} } }] },
  });
}

/** A zone as bindcar loads one: its file `<dir>/<zone>.zone`, `rndc addzone` with the update key, records by UPDATE. */
async function loadZone(name: string, address: string): Promise<void> {
  const file = join(dir, `${name}.zone`);
  await writeFile(file, `$TTL 300\n@ IN SOA ns1.${name}. hostmaster.${name}. 1 3600 600 604800 300\n@ IN NS ns1.${name}.\nns1 IN A 127.0.0.1\n`);
  await named.rndc.addzone(name, `{ type primary; file "${file}"; allow-update { key "${named.updateKey.name}"; }; };`);
  await named.nsupdate().send(`${name}.`, [{ op: 'add', name: `www.${name}.`, ttl: 300, type: 'A', value: address }]);
}

async function rcode(name: string): Promise<number> {
  return (await udpQuery(named.ports.dns, name, 'A', 2000)).rcode;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bl-zc-'));
  named = await startNamed({ dir });
  await loadZone(zoneName, '192.0.2.10');
  await loadZone('keep.test', '192.0.2.20');
  // The container's image: `rndc` configured for its named (bindy's has /etc/bind/rndc.conf).
  const bin = join(dir, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, 'rndc'), `#!/bin/sh\nexec ${named.tools.rndc} -c ${named.rndcConfFile} "$@"\n`);
  await chmod(join(bin, 'rndc'), 0o755);
  sb = await startSandbox();
  await sb.namespace(ns);
  await request('POST', `/api/v1/namespaces/${ns}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: podName, namespace: ns, labels: bind9PodLabels('loadtest') },
    spec: {
      nodeName: 'worker-1',
      containers: [
        { name: 'bind9', image: 'bind9', workingDir: dir, env: [{ name: 'PATH', value: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin` }] },
        { name: 'api', image: 'bindcar' },
      ],
    },
  });
  await podStatus();
  await request('POST', `/apis/${zone.apiVersion}/namespaces/${ns}/dnszones`, zone);
  // The kubelet: a container whose first process ended is started again, its volume kept, the restart counted.
  kubelet = (async () => {
    for (;;) {
      await named.exited;
      if (stopping) return;
      named = await startNamed({ dir, ports: named.ports, reuseKeys: true });
      restarts++;
      await podStatus();
    }
  })();
});

after(async () => {
  stopping = true;
  await named?.stop();
  await kubelet;
  await sb?.close();
  await rm(dir, { recursive: true, force: true });
});

void test('the run\'s zone file torn through pods/exec: named restarted, the zone SERVFAIL, another untouched; a killed run\'s cleanup writes it back byte for byte', { timeout: 120_000 }, async (t) => {
  const out = await mkdtemp(join(tmpdir(), 'bl-zc-run-'));
  t.after(() => rm(out, { recursive: true, force: true }));
  const kubeConfig = httpKubeConfig(sb.url, sb.server.token);
  const facts = { operator: null, namespace: ns, clusterName: 'loadtest', apiServerAddresses: [] };
  const mechanism = new PodZoneCorruptionMechanism({ kubeConfig, facts, runId, zoneDir: dir, restartTimeoutMs: 30_000 });
  assert.equal(await rcode(`www.${zoneName}`), 0);
  const file = join(dir, `${zoneName}.zone`);
  const otherBefore = await readFile(join(dir, 'keep.test.zone'));
  // A run that applied it and was then killed: its journal holds the descriptor, written before the tear.
  const { applied } = await faultOfDeadRun(out, runId, mechanism, 'named', { kind: 'zone-corruption' });
  const d = parseRevertDescriptor(JSON.parse(JSON.stringify(applied.descriptor)));
  assert.deepEqual(d, { mechanism: 'pod-zonefile', version: 1, server: sb.url, namespace: ns, pod: podName, podUid: (d as { podUid: string }).podUid, container: 'bind9', zoneDir: dir, backupDir: backupDirOf(dir, runId), zones: [zoneName] });
  const copy = await readFile(join(backupDirOf(dir, runId), `${zoneName}.zone`));
  const torn = await readFile(file);
  assert.equal(torn.length, Math.floor(copy.length / 2), 'cut to half its bytes');
  assert.match(copy.toString(), /^www(\.\S+)?\s.*192\.0\.2\.10$/m, 'the copy holds the record the journal had (rndc sync)');
  assert.deepEqual(applied.observations?.(), { zones_torn: 1, named_restarted: 1 });
  assert.equal(restarts, 1, 'named was stopped and started again');
  assert.equal(await rcode(`www.${zoneName}`), 2, 'the torn zone fails to load: SERVFAIL');
  assert.equal(await rcode('www.keep.test'), 0, 'a zone of no run is untouched');
  assert.deepEqual(await readFile(join(dir, 'keep.test.zone')), otherBefore);
  assert.equal((await applied.verifyReverted()).reverted, false, 'still torn before the revert');

  // cleanup --run-id: the dead run's fault reverted from its journal alone.
  const lines = await revertDeadRunFaults(join(out, 'journal'), kubeConfig);
  assert.deepEqual(lines.map((l) => `${l.key} ${l.outcome}`), ['exp-0 reverted'], JSON.stringify(lines));
  assert.equal(lines[0]?.what, `pod ${ns}/${podName} on ${sb.url} (torn zone file of ${zoneName})`);
  assert.deepEqual(await readFile(file), copy, 'written back byte for byte');
  assert.equal(existsSync(backupDirOf(dir, runId)), false, 'the copies are removed');
  const r = await udpQuery(named.ports.dns, `www.${zoneName}`, 'A', 2000);
  assert.deepEqual(r.packet.answers?.map((a) => ('data' in a ? a.data : null)), ['192.0.2.10'], 'answered again with its record');
  const proof = await applied.verifyReverted();
  assert.equal(proof.reverted, true, proof.evidence);
  const again = await applied.revert();
  assert.equal(again.reverted, true, again.detail);
  assert.equal(again.already, true, `a second revert has nothing left to mend: ${again.detail}`);
});

void test('a run with no zone of its own tears nothing and journals nothing; a user who may not exec is refused before any load', async () => {
  const kubeConfig = httpKubeConfig(sb.url, sb.server.token);
  const mechanism = new PodZoneCorruptionMechanism({ kubeConfig, facts: { operator: null, namespace: ns, clusterName: 'loadtest', apiServerAddresses: [] }, runId: 'other-run', zoneDir: dir });
  const journalled: RevertDescriptor[] = [];
  await assert.rejects(mechanism.apply('named', { kind: 'zone-corruption' }, { beforeApply: (d) => void journalled.push(d) }), /no DNSZone of run other-run in bindy-zc to tear \(only the run's own zones are torn\)/);
  assert.deepEqual(journalled, []);
  assert.equal(mechanism.unsupportedReason('sidecar', { kind: 'zone-corruption' }), "zone-corruption acts on named's zone files, not on sidecar");
  const noExec = new PodZoneCorruptionMechanism({ kubeConfig, facts: { operator: null, namespace: ns, clusterName: 'loadtest', apiServerAddresses: [] }, runId, mayExec: false });
  assert.equal(noExec.unsupportedReason('named', { kind: 'zone-corruption' }), `zone-corruption runs through pods/exec, which this user may not create in ${ns} (RBAC: create pods/exec)`, 'said before any load');
});

void test('a descriptor that could make a revert write or remove elsewhere is refused', () => {
  const good = { mechanism: 'pod-zonefile', version: 1, server: 'https://k', namespace: 'n', pod: 'p', podUid: 'u', container: 'bind9', zoneDir: '/var/cache/bind', backupDir: '/var/cache/bind/.bindy-loadtest-r1', zones: ['a.test'] };
  assert.deepEqual(parseRevertDescriptor(good), good);
  assert.throws(() => parseRevertDescriptor({ ...good, backupDir: '/var/cache/bind' }), /backupDir must be zoneDir\/\.bindy-loadtest-<run-id>/);
  assert.throws(() => parseRevertDescriptor({ ...good, backupDir: '/var/cache/bind/.bindy-loadtest-r1/../..' }), /backupDir must be/);
  assert.throws(() => parseRevertDescriptor({ ...good, zones: ['a.test; rm -rf /'] }), /zones must be a non-empty array of zone names/);
  assert.throws(() => parseRevertDescriptor({ ...good, zoneDir: 'relative' }), /zoneDir must be an absolute path/);
});
