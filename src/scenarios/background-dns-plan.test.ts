import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig, type Config, type FlagOverride } from '../config/index.js';
import { backgroundDnsLine, backgroundDnsperfLoad, backgroundDnsUnsupported, planBackgroundDns } from './background-dns-plan.js';
import { planChaos } from './chaos-plan.js';
import { planE2e } from './e2e-plan.js';

async function config(flags: Record<string, FlagOverride['raw']>): Promise<Config> {
  const r = await resolveConfig({ cwd: process.cwd(), flags: Object.entries(flags).map(([key, raw]) => ({ flag: key, key, raw })) });
  return r.config;
}

test('from this machine: through the client link; on needs a reachable server, auto goes without', async () => {
  const p = planBackgroundDns(await config({ 'scenarios.chaos.dnsLoad': 'on', 'scenarios.chaos.queryRate': '300/s' }), 'chaos');
  assert.equal(p.inCluster, null);
  assert.equal(p.qps, 300);
  assert.equal(backgroundDnsLine(p, 'background DNS queries'), "   background DNS queries: dnsperf at 300/s for the whole load, every zone's SOA and NS and one missing name each, through the client link when the target has one (required); latency, answers and loss each second");
  assert.equal(backgroundDnsUnsupported(p, 0), 'scenarios.chaos.dnsLoad is on but the target names no DNS server reachable from here (set it to auto or off)');
  assert.equal(backgroundDnsUnsupported(p, 1), undefined);
  const auto = planBackgroundDns(await config({}), 'e2e');
  assert.equal(auto.setting, 'auto');
  assert.equal(backgroundDnsUnsupported(auto, 0), undefined, 'auto without a server: a note at the run, not a refusal');
  assert.match(backgroundDnsLine(auto, 'DNS queries'), /^ {3}DNS queries: dnsperf at 200\/s .* \(when the target names a DNS server\); /);
  const off = planBackgroundDns(await config({ 'scenarios.e2e.dnsLoad': 'off' }), 'e2e');
  assert.equal(backgroundDnsLine(off, 'DNS queries'), '   no background DNS queries (scenarios.e2e.dnsLoad off)');
});

test('on a cluster: a pod of a Job next to BIND9 asks the primary Service or the given address; on without an image is refused naming --shard-image', async () => {
  const noImage = planBackgroundDns(await config({ target: 'cluster', 'scenarios.chaos.dnsLoad': 'on' }), 'chaos');
  assert.deepEqual(noImage.inCluster?.image, undefined);
  assert.match(backgroundDnsUnsupported(noImage, 0) ?? '', /^scenarios\.chaos\.dnsLoad is on: on a cluster the queries run inside it, as a Job of this tool's image: --shard-image \(shardImage\) is not set; /);
  const autoNoImage = planBackgroundDns(await config({ target: 'cluster' }), 'e2e');
  assert.equal(backgroundDnsUnsupported(autoNoImage, 0), undefined);
  assert.match(backgroundDnsLine(autoNoImage, 'DNS queries'), /needs this tool's image \(--shard-image, not set: none will be sent\); /);
  const given = planBackgroundDns(await config({ target: 'cluster', shardImage: 'reg.example/bl:1', 'scenarios.e2e.inClusterServer': '10.0.0.53:53', 'scenarios.e2e.dnsLoad': 'on' }), 'e2e');
  assert.deepEqual({ image: given.inCluster?.image, server: given.inCluster?.server }, { image: 'reg.example/bl:1', server: { host: '10.0.0.53', port: 53 } });
  assert.equal(backgroundDnsUnsupported(given, 0), undefined, 'nothing need be reachable from here');
  assert.match(backgroundDnsLine(given, 'DNS queries'), /from a pod of a Job next to BIND9 \(image reg\.example\/bl:1\) asking 10\.0\.0\.53:53 \(required\); /);
  const service = planBackgroundDns(await config({ target: 'cluster', shardImage: 'img' }), 'chaos');
  assert.match(backgroundDnsLine(service, 'x'), /asking the primary Bind9Instance's Service \(port 53\); /);
});

test("dnsperf's load leaves room for two timeouts of queries in flight, at least 100", () => {
  assert.deepEqual(backgroundDnsperfLoad(20, 60_000), { qps: 20, durationMs: 60_000, clients: 1, maxOutstanding: 100, timeoutMs: 1000 });
  assert.equal(backgroundDnsperfLoad(1000, 1000).maxOutstanding, 2000);
});

test('the chaos and e2e plans carry it and say it', async () => {
  const c = await config({ target: 'cluster', shardImage: 'img', 'scenarios.chaos.experiments': [{ kind: 'operator-kill', at: '10s', duration: '10s' }] });
  const chaos = planChaos({ config: c, runId: 'bg-1', interleave: false });
  assert.equal(chaos.data?.dnsLoad.inCluster?.image, 'img');
  assert.ok(chaos.describe.some((l) => l.startsWith('   background DNS queries: dnsperf at 100/s for the whole load') && l.includes('from a pod of a Job next to BIND9 (image img)')), chaos.describe.join('\n'));
  const e2e = planE2e({ config: c, runId: 'bg-2', interleave: false });
  assert.equal(e2e.data?.dnsLoad.section, 'e2e');
  assert.ok(e2e.describe.some((l) => l.startsWith('   DNS queries: dnsperf at 200/s for the whole load') && l.includes('(image img)')), e2e.describe.join('\n'));
});
