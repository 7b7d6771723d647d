/**
 * `bind zones` on a cluster (the API server twin as one, with bindy deployed): a BIND9 pod whose
 * `bind9` container is a real named (its workingDir named's directory, `rndc` on its PATH, as
 * bindy's image has) and whose `api` container is the bindcar twin on that named, behind the
 * primary Bind9Instance's Service (53 → DNS, 80 → bindcar). Without --bindcar-url the run forwards
 * to that pod's bindcar itself, and zones over bindcar's 2 MiB request limit are loaded into the
 * pod's named through pods/exec (the file on stdin, then rndc addzone): served, queried, deleted
 * through bindcar. A killed run's zones in the pod are deleted by `cleanup` through pods/exec, from
 * its journal alone; one in a pod since replaced is counted gone without touching the new pod.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { twinCluster, twinNamespace, twinRequest } from './helpers/twin-cluster.js';
import type { TestSandbox } from './helpers/api-sandbox.js';
import { parseResult, type RunResult } from '../src/report/result/index.js';
import { startNamed, type NamedServer } from '../src/targets/sandbox/bind9/named-process.js';
import { createSidecar, type ListeningSidecar } from '../src/targets/sandbox/sidecar/sidecar.js';
import { udpQuery } from '../src/targets/sandbox/bind9/udp-query.js';
import { bindyApiVersion, bindyGroup } from '../src/model/kinds.js';
import { Journal } from '../src/observe/journal.js';
import type { BindcarCreateZone } from '../src/drive/bindcar-client.js';
import { loadZoneInPod } from '../src/targets/cluster/pod-zones.js';
import { KubeConfig } from '@kubernetes/client-node';

const ns = twinNamespace;
const token = 'zones-cluster-token';
const podName = 'loadtest-primary-0-a';
let dir: string;
let sb: TestSandbox;
let kubeconfig: string;
let named: NamedServer;
let sidecar: ListeningSidecar;
let tokenFile: string;
let podUid = '';

function counter(r: RunResult, name: string): number {
  const v = r.counters[name]?.value;
  assert.ok(v !== undefined, `counter ${name} missing`);
  return v;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bl-zones-cluster-'));
  named = await startNamed();
  sidecar = await createSidecar({ zoneDir: named.dir, rndc: named.rndc, nsupdate: named.nsupdate(), token, rateLimit: { enabled: false } }).listen();
  tokenFile = join(dir, 'token');
  await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
  // The bind9 container's image: `rndc` configured for its named (bindy's has /etc/bind/rndc.conf).
  const bin = join(dir, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, 'rndc'), `#!/bin/sh\nexec ${named.tools.rndc} -c ${named.rndcConfFile} "$@"\n`);
  await chmod(join(bin, 'rndc'), 0o755);
  ({ sb, kubeconfig } = await twinCluster(dir));
  await twinRequest(sb, 'POST', `/apis/${bindyGroup}/v1beta1/namespaces/${ns}/bind9instances`, { apiVersion: bindyApiVersion, kind: 'Bind9Instance', metadata: { name: 'loadtest-primary-0', namespace: ns }, spec: { clusterRef: 'loadtest', role: 'primary', replicas: 1 } });
  await twinRequest(sb, 'POST', `/api/v1/namespaces/${ns}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'loadtest-primary-0', namespace: ns },
    spec: { selector: { instance: 'loadtest-primary-0' }, ports: [{ name: 'dns-tcp', port: 53, targetPort: 'dns-tcp', protocol: 'TCP' }, { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
  });
  await twinRequest(sb, 'POST', `/api/v1/namespaces/${ns}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: podName, namespace: ns, labels: { instance: 'loadtest-primary-0' } },
    spec: {
      nodeName: 'worker-1',
      containers: [
        { name: 'bind9', image: 'bind9', workingDir: named.dir, env: [{ name: 'PATH', value: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin` }], ports: [{ name: 'dns-tcp', containerPort: named.ports.dns }] },
        { name: 'api', image: 'bindcar', ports: [{ name: 'http', containerPort: sidecar.port }] },
      ],
    },
  });
  await twinRequest(sb, 'PATCH', `/api/v1/namespaces/${ns}/pods/${podName}/status`, { status: { phase: 'Running', podIP: '127.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] } }, true);
  const pod = await sb.client.get('Pod', ns, podName);
  assert.ok(pod.ok);
  podUid = pod.ok ? (pod.value?.metadata.uid ?? '') : '';
  assert.notEqual(podUid, '');
});

after(async () => {
  await sidecar?.close();
  await named?.stop();
  await sb?.close();
  await rm(dir, { recursive: true, force: true });
});

void test('bind zones on a cluster: bindcar reached through the run\'s own port-forward, zones over its 2 MiB limit loaded into the pod\'s named through pods/exec, served, queried, deleted', { timeout: 180_000 }, async (t) => {
  const out = join(dir, 'run');
  // 16,000 records of the default mix: about 2.1 MiB as a create request (bindcar would answer 413).
  const r = await runCli(['--target', 'cluster', '--kubeconfig', kubeconfig, '--output', out, '--json', 'bind', 'zones', '--zones', '2', '--records-per-zone', '16000', '--concurrency', '2', '--token-file', tokenFile, '--server', `127.0.0.1:${named.ports.dns}`, '--zone-dir', named.dir, '--qps', '200/s', '--duration', '1s', '--run-id', 'zones-cluster'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-20).join('\n'));
  assert.doesNotMatch(r.stdout + r.stderr, new RegExp(token), 'the token is never printed');
  const result = parseResult(r.stdout, 'stdout');
  assert.equal(counter(result, 'zones_loaded_directly'), 2);
  assert.equal(counter(result, 'zones_served'), 2);
  assert.ok(counter(result, 'records_loaded') >= 32_000);
  assert.equal(result.latencies['zone_create']?.summary.count, 2);
  assert.ok(counter(result, 'dns_queries_sent') > 0);
  assert.equal(counter(result, 'dns_answers_unexpected_rcode'), 0);
  const notes = result.notes.join('\n');
  assert.match(notes, new RegExp(`port-forward: bindcar of loadtest-primary-0 → pod ${ns}/${podName}:${sidecar.port}`));
  assert.match(notes, new RegExp(`of pod ${ns}/${podName} \\(container bind9, through pods/exec\\)`));
  t.diagnostic(`zone_create p50 ${((result.latencies['zone_create']?.summary.p50 ?? 0) / 1000).toFixed(0)} ms (file through exec + rndc addzone)`);
  assert.equal(counter(result, 'bindcar_zones_left'), 0);
  assert.deepEqual((await readdir(named.dir)).filter((f) => f.endsWith('.zone') || f.endsWith('.part')), [], 'every zone file removed with its zone');
});

void test('a killed run\'s zones in the pod: cleanup deletes them there through pods/exec; one in a pod since replaced is gone with it', { timeout: 120_000 }, async () => {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const site = { server: kc.getCurrentCluster()?.server ?? '', namespace: ns, pod: podName, podUid, container: 'bind9', zoneDir: named.dir };
  const zone = 'left.cluster.test';
  const request: BindcarCreateZone = {
    zoneName: zone,
    zoneType: 'primary',
    zoneConfig: { ttl: 300, soa: { primaryNs: `ns1.${zone}.`, adminEmail: `admin.${zone}.`, serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300 }, nameServers: [`ns1.${zone}.`], nameServerIps: { [`ns1.${zone}.`]: '127.0.0.1' }, records: [{ name: 'www', type: 'A', value: '192.0.2.7' }] },
  };
  await loadZoneInPod(kc, site, request);
  assert.equal((await udpQuery(named.ports.dns, `www.${zone}`, 'A', 2000)).rcode, 0, 'loaded and served');
  // The journal of a run that then died: its owner is a process that has exited.
  const deadOwner = spawn(process.execPath, ['-e', '']);
  await new Promise((res) => deadOwner.on('exit', res));
  const out = join(dir, 'killed');
  const j = new Journal(join(out, 'journal'), 'zones-killed');
  j.appendBindcarZoneCreating('http://127.0.0.1:1', zone, { env: 'BINDCAR_TOKEN' }, site);
  j.appendBindcarZoneCreating('http://127.0.0.1:1', 'replaced.cluster.test', { env: 'BINDCAR_TOKEN' }, { ...site, podUid: 'a-pod-gone-since' });
  j.close();
  const file = join(out, 'journal', 'run-zones-killed.jsonl');
  await writeFile(file, (await readFile(file, 'utf8')).replaceAll(`"ownerPid":${process.pid}`, `"ownerPid":${deadOwner.pid ?? 0}`));
  const r = await runCli(['--target', 'cluster', '--kubeconfig', kubeconfig, '--output', out, 'cleanup', '--run-id', 'zones-killed'], { cwd: dir, env: { ...process.env, BINDCAR_TOKEN: '' } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`zone ${zone} of run zones-killed deleted in pod ${ns}/${podName} \\(rndc delzone`));
  assert.match(r.stderr, new RegExp(`zone replaced\\.cluster\\.test of run zones-killed gone with pod ${ns}/${podName} \\(replaced since`));
  assert.notEqual((await udpQuery(named.ports.dns, `www.${zone}`, 'A', 2000)).rcode, 0, 'named serves it no more');
  assert.equal(existsSync(join(named.dir, `${zone}.zone`)), false, 'its file removed');
  assert.equal(existsSync(file), false, 'the journal settled and removed');
});
