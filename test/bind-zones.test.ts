/**
 * `bind zones` against real named: zones loaded through bindcar twins with their records in the
 * zone file. On the sandbox (the default target): every zone created and answered with its last
 * record's data, each zone served no sooner than bindcar created it, named's memory and CPU read
 * from /proc, dnsperf answered on the loaded records, and nothing left in bindcar or named. Ground
 * truth: 200 ms injected before every bindcar route (a twin in this process, over the same kind of
 * named) is recovered in every zone_create. A zone over bindcar's 2 MiB request limit is refused
 * before anything starts against a bindcar URL; on the sandbox a 100,000-record zone is loaded as
 * bindcar would load it, served and queried.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { parseResult, type RunResult } from '../src/report/result/index.js';
import { startSandbox, type RunningSandbox } from '../src/targets/sandbox/supervisor/sandbox.js';
import { startNamed, type NamedServer } from '../src/targets/sandbox/bind9/named-process.js';
import { createSidecar, type ListeningSidecar, type Sidecar } from '../src/targets/sandbox/sidecar/sidecar.js';
import { queryDns } from '../src/observe/dns-exchange.js';
import { runToken } from '../src/model/fixtures/options.js';

let home: string;
let sb: RunningSandbox;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'bl-bind-zones-'));
  sb = await startSandbox({ namespace: 'bindy-loadtest', detached: false, home });
});

after(async () => {
  await sb.stop();
  await rm(home, { recursive: true, force: true });
});

function counter(r: RunResult, name: string): number {
  const v = r.counters[name]?.value;
  assert.ok(v !== undefined, `counter ${name}; counters: ${Object.keys(r.counters).join(', ')}`);
  return v;
}

/** Zone files whose name holds `marker`, left in a named directory (bindcar writes `<zone>.zone` and removes it with the zone). */
async function zoneFiles(dir: string, marker: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.includes(marker) && f.endsWith('.zone'));
}

test('bind zones on the sandbox: 12 zones of mixed records loaded through bindcar, each served after its create, named measured from /proc, dnsperf answered, nothing left', { timeout: 240_000 }, async (t) => {
  const out = join(home, 'results');
  const env = { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home };
  const args = ['--output', out, '--json', 'bind', 'zones', '--zones', '12', '--records-per-zone', '40', '--kinds', 'A=40,TXT=20,MX=20,SRV=20', '--concurrency', '3', '--qps', '300/s', '--duration', '3s', '--run-id', 'zones-sandbox'];
  const r = await runCli(args, { env });
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-20).join('\n'));
  const result = parseResult(r.stdout, 'stdout');
  assert.equal(result.metadata.status, 'completed');
  // The console summary answers with the zones first, named's memory, then the latencies; nothing burst-shaped.
  assert.match(r.stderr, /^ {2}zones: 12 planned, 12 created, 12 served, 0 not served, 0 refused; \d+ records, all served \d+\.\d s after the first create/m);
  assert.match(r.stderr, /^ {2}named primary-0: RSS [\d.]+ → peak [\d.]+ → end [\d.]+ MiB, CPU [\d.]+ s$/m);
  assert.match(r.stderr, /^ {2}zone_served +n=12 /m);
  assert.doesNotMatch(r.stderr, /creates: — started/);
  assert.equal(counter(result, 'zones_created'), 12);
  assert.equal(counter(result, 'zones_served'), 12);
  assert.equal(counter(result, 'zones_not_served'), 0);
  assert.equal(counter(result, 'zones_refused'), 0);
  // 480 records; an A record with several addresses is several RRs, so at least that many.
  assert.ok(counter(result, 'records_loaded') >= 480, `records_loaded ${counter(result, 'records_loaded')}`);
  const create = result.latencies['zone_create']?.summary;
  const served = result.latencies['zone_served']?.summary;
  assert.ok(create !== undefined && served !== undefined && create.count === 12 && served.count === 12);
  // Each zone is served no sooner than bindcar created it, so every order statistic keeps that order (HDR rounding aside).
  for (const q of ['min', 'p50', 'max'] as const) {
    const c = create[q];
    const s = served[q];
    assert.ok(c !== null && s !== null && s >= c * 0.999, `${q}: served ${s} µs before created ${c} µs`);
  }
  t.diagnostic(`zone_create p50 ${((create.p50 ?? 0) / 1000).toFixed(1)} ms, zone_served p50 ${((served.p50 ?? 0) / 1000).toFixed(1)} ms, all served in ${counter(result, 'zones_all_served_ms')} ms, ${counter(result, 'records_served_per_second')} records/s; named RSS ${counter(result, 'bind9_rss_start.primary-0')} → peak ${counter(result, 'bind9_rss_peak.primary-0')} MiB, CPU ${counter(result, 'bind9_cpu_seconds.primary-0')} s`);
  // named's memory and CPU from /proc: the sandbox's named is on this machine.
  assert.ok(counter(result, 'bind9_rss_start.primary-0') > 0);
  assert.ok(counter(result, 'bind9_rss_peak.primary-0') >= counter(result, 'bind9_rss_start.primary-0'));
  assert.ok(counter(result, 'bind9_cpu_seconds.primary-0') > 0, 'named spent CPU loading and answering');
  const rss = result.timeSeries.find((s) => s.name === 'bind9_memory_rss.primary-0');
  assert.ok(rss !== undefined && rss.points.length >= 3, 'RSS sampled each second');
  // dnsperf asked the loaded records: every answer as expected, nothing lost.
  assert.ok(counter(result, 'dns_queries_sent') > 0);
  assert.equal(counter(result, 'dns_queries_lost'), 0);
  assert.equal(counter(result, 'dns_answers_unexpected_rcode'), 0);
  assert.ok((result.latencies['dns_query']?.summary.count ?? 0) > 0);
  // Nothing left: bindcar's zones, named's answer, the zone files, the journal.
  assert.equal(counter(result, 'bindcar_zones_left'), 0);
  const token = (await readFile(sb.state.sidecarTokenFile, 'utf8')).trim();
  const list = await fetch(new URL('/api/v1/zones', sb.state.sidecarUrl), { headers: { authorization: `Bearer ${token}` } });
  assert.doesNotMatch(await list.text(), /zone-\d+\.[0-9a-f]+\.example\.com/, 'no zone of the run listed by bindcar');
  const zone = result.notes.join('\n').match(/zone-0\.[0-9a-f]+\.example\.com/)?.[0] ?? 'zone-0';
  const soa = await queryDns(sb.state.dns, `${zone}.`, 'SOA', { timeoutMs: 2000 });
  assert.notEqual((soa.packet.flags ?? 0) & 0xf, 0, `named no longer answers ${zone}`);
  assert.equal(existsSync(join(out, 'journal', 'run-zones-sandbox.jsonl')), false, 'no journal left: everything undone');
});

test('bind zones --dnssec-policy default: named signs every zone (its keys made, its records answered with an RRSIG under the DO bit), then serves dnsperf; nothing left', { timeout: 120_000 }, async () => {
  const out = join(home, 'results-dnssec');
  const env = { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home };
  const r = await runCli(['--output', out, '--json', 'bind', 'zones', '--zones', '3', '--records-per-zone', '20', '--kinds', 'A=50,TXT=50', '--dnssec-policy', 'default', '--qps', '200/s', '--duration', '2s', '--run-id', 'zones-dnssec'], { env });
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-20).join('\n'));
  const result = parseResult(r.stdout, 'stdout');
  assert.equal(counter(result, 'zones_served'), 3, 'every zone answered with its data and a signature');
  assert.match(result.latencies['zone_served']?.method ?? '', /and an RRSIG over it \(asked with the DO bit: every zone is signed, dnssec-policy default with inline signing/);
  assert.equal(counter(result, 'dns_answers_unexpected_rcode'), 0);
  assert.equal(counter(result, 'bindcar_zones_left'), 0);
  // Ground truth from named itself, not the tool: while a zone existed it was signed (BIND wrote its
  // keys for it into its key directory, named's own), and the zone is gone now.
  const zone = `zone-0.${runToken('zones-dnssec')}.example.com`;
  const keys = (await readdir(dirname(sb.state.rndcConfFile ?? ""))).filter((f) => f.startsWith(`K${zone}.+`) && f.endsWith('.key'));
  assert.ok(keys.length >= 1, `named made a key for ${zone}`);
  const soa = await queryDns(sb.state.dns, `${zone}.`, 'SOA', { timeoutMs: 2000 });
  assert.notEqual((soa.packet.flags ?? 0) & 0xf, 0, `named no longer answers ${zone}`);
});

test('a zone over bindcar\'s 2 MiB request limit against a bindcar URL: one line naming the flag and the size, exit 2, nothing contacted', async () => {
  const own = await mkdtemp(join(tmpdir(), 'bl-bind-zones-big-'));
  try {
    // Port 9 (discard) is never contacted: the plan refuses first.
    const r = await runCli(['--output', join(own, 'results'), 'bind', 'zones', '--zones', '1', '--records-per-zone', '30000', '--bindcar-url', 'http://127.0.0.1:9', '--server', '127.0.0.1:53'], { env: { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: own } });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^bindy-loadtest: --records-per-zone 30000: zone zone-0\.\S+'s create request would be \d+\.\d MiB, over bindcar's 2 MiB request limit .*about \d+ records of this mix fit one zone/);
    assert.deepEqual(await readdir(own), [], 'no sandbox, no result: nothing started');
  } finally {
    await rm(own, { recursive: true, force: true });
  }
});

test('a zone of 100,000 records, over bindcar\'s request limit, on the sandbox: loaded as bindcar would (zone file, rndc addzone), served, queried, deleted through bindcar', { timeout: 240_000 }, async (t) => {
  const out = join(home, 'results-100k');
  // What is tested is the loading; named answering 2,000 queries/s from a 100,000-record zone on a
  // machine busy with the rest of the suite once took 126 ms at p99, above the default 100 ms.
  const config = join(home, 'zones-100k.yaml');
  await writeFile(config, 'criteria:\n  dnsQueryP99: 2s\n');
  const r = await runCli(['--config', config, '--output', out, '--json', 'bind', 'zones', '--zones', '1', '--records-per-zone', '100000', '--qps', '2000/s', '--duration', '3s', '--run-id', 'zones-100k'], { env: { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home } });
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-20).join('\n'));
  const result = parseResult(r.stdout, 'stdout');
  assert.equal(counter(result, 'zones_loaded_directly'), 1);
  assert.equal(counter(result, 'zones_served'), 1);
  assert.ok(counter(result, 'records_loaded') >= 100_000);
  assert.ok(counter(result, 'zone_request_bytes') > 2, 'the create would have been over 2 MiB');
  const served = result.latencies['zone_served']?.summary;
  t.diagnostic(`100,000 records (${counter(result, 'records_loaded')} RRs, ${counter(result, 'zone_request_bytes')} MiB as a request): loaded in ${((result.latencies['zone_create']?.summary.p50 ?? 0) / 1000).toFixed(0)} ms, served ${((served?.p50 ?? 0) / 1000).toFixed(0)} ms after; named RSS ${counter(result, 'bind9_rss_start.primary-0')} → ${counter(result, 'bind9_rss_peak.primary-0')} MiB; dnsperf p99 ${((result.latencies['dns_query']?.summary.p99 ?? 0) / 1000).toFixed(2)} ms`);
  assert.ok(result.notes.some((n) => /^1 zone over bindcar's 2 MiB request limit \(bindcar would answer 413\) loaded as bindcar loads a zone/.test(n)), result.notes.join('\n'));
  // The query run on it completed, every answer as expected. A fresh-clone CI once lost 5 of
  // ~6,000 UDP queries here (named's socket overflowing while the rest of the suite held the CPU):
  // loss that small is the machine, not the zone; a zone not served loses nearly all of them.
  const sent = counter(result, 'dns_queries_sent');
  assert.ok(sent > 0);
  assert.equal(counter(result, 'dns_answers_unexpected_rcode'), 0);
  assert.ok(counter(result, 'dns_queries_lost') <= sent * 0.01, `${counter(result, 'dns_queries_lost')} of ${sent} queries lost (bound 1 %)`);
  assert.equal(counter(result, 'bindcar_zones_left'), 0, 'bindcar deleted it like any other');
});

test('ground truth: 200 ms injected before every bindcar route shows in every zone_create; zones are still served and deleted', { timeout: 120_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bl-bind-zones-delay-'));
  let named: NamedServer | undefined;
  let twin: { sidecar: Sidecar; server: ListeningSidecar } | undefined;
  try {
    named = await startNamed();
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, 'zones-test-token\n', { mode: 0o600 });
    const sidecar = createSidecar({ zoneDir: named.dir, rndc: named.rndc, nsupdate: named.nsupdate(), token: 'zones-test-token', rateLimit: { enabled: false } });
    twin = { sidecar, server: await sidecar.listen() };
    sidecar.setFaults({ delayMs: 200 });
    const out = join(dir, 'results');
    const r = await runCli(['--output', out, '--json', 'bind', 'zones', '--bindcar-url', twin.server.url, '--token-file', tokenFile, '--server', `127.0.0.1:${named.ports.dns}`, '--zones', '4', '--records-per-zone', '20', '--concurrency', '2', '--qps', '100/s', '--duration', '1s', '--run-id', 'zones-delay'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr.split('\n').slice(-20).join('\n'));
    assert.doesNotMatch(r.stdout + r.stderr, /zones-test-token/, 'the token is never printed');
    const result = parseResult(r.stdout, 'stdout');
    const create = result.latencies['zone_create']?.summary;
    const served = result.latencies['zone_served']?.summary;
    assert.ok(create !== undefined && served !== undefined && create.count === 4 && served.count === 4);
    t.diagnostic(`with 200 ms injected: zone_create min ${((create.min ?? 0) / 1000).toFixed(1)} ms p50 ${((create.p50 ?? 0) / 1000).toFixed(1)} ms; zone_served min ${((served.min ?? 0) / 1000).toFixed(1)} ms`);
    assert.ok((create.min ?? 0) >= 200_000, 'no create answered sooner than the injected delay');
    assert.ok((served.min ?? 0) >= (create.min ?? 0) * 0.999);
    assert.equal(counter(result, 'zones_served'), 4);
    // Without a local named process (a bindcar URL), memory is not sampled, and the report says why.
    assert.ok(!Object.keys(result.counters).some((k) => k.startsWith('bind9_rss')));
    assert.ok(result.notes.some((n) => /^BIND9 memory and CPU not sampled for 127\.0\.0\.1:\d+: no named process/.test(n)), result.notes.join('\n'));
    assert.equal(counter(result, 'bindcar_zones_left'), 0);
    assert.deepEqual(await zoneFiles(named.dir, 'example.com'), [], 'every zone file removed with its zone');
  } finally {
    await twin?.server.close();
    await named?.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
