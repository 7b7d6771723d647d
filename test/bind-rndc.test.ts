/**
 * `bind rndc` against bindcar twins in this process, over a real named: ground truths the storm's
 * figures must recover. A twin whose limiter gives each client IP a burst of 5 and no refill within
 * the run: with 4 clients, each on its own loopback address, exactly 4 × 5 reloads pass and the rest
 * are 429s, counted apart from errors. A twin with 150 ms injected before every protected route:
 * the reload's service time moves by 150 ms against the same twin without it. Mixed and
 * write-reload storms answer on every route; every zone the runs create is gone afterwards. A token
 * refused is exit 2 and an unreachable bindcar exit 3, both before anything is created; a killed
 * run's zones are deleted by `cleanup` from its journal.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { startNamed, type NamedServer } from '../src/targets/sandbox/bind9/named-process.js';
import { createSidecar, type ListeningSidecar, type Sidecar } from '../src/targets/sandbox/sidecar/sidecar.js';
import { parseResult, type RunResult } from '../src/report/result/index.js';
import { Journal } from '../src/observe/journal.js';
import { zoneBody } from '../src/scenarios/bind-rndc-plan.js';
import { runCli } from './helpers/cli.js';
import { spawnCli } from './helpers/cli-child.js';

const token = 'rndc-test-token-3f9a';
let dir: string;
let tokenFile: string;
let named: NamedServer;
let limited: { sidecar: Sidecar; server: ListeningSidecar };
let free: { sidecar: Sidecar; server: ListeningSidecar };
let quick: { sidecar: Sidecar; server: ListeningSidecar; dir: string };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bl-rndc-'));
  tokenFile = join(dir, 'token');
  await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
  named = await startNamed();
  const backend = { zoneDir: named.dir, rndc: named.rndc, nsupdate: named.nsupdate(), token };
  // 60 per 1 s is bindcar 0.7's formula for "one cell back every 60 s": no refill within a run.
  const l = createSidecar({ ...backend, rateLimit: { enabled: true, requestsPerPeriod: 60, periodSecs: 1, burstSize: 5 } });
  limited = { sidecar: l, server: await l.listen() };
  const f = createSidecar({ ...backend, rateLimit: { enabled: false } });
  free = { sidecar: f, server: await f.listen() };
  // The delay's ground truth needs a backend whose own time is near nothing: rndc answering at once (no process per command).
  const instant = (): Promise<string> => Promise.resolve('');
  const rndc = { status: instant, addzone: instant, delzone: instant, modzone: instant, showzone: instant, zonestatus: instant, notify: instant, reload: instant, freeze: instant, thaw: instant, retransfer: instant };
  const quickDir = await mkdtemp(join(dir, 'fake-zones-'));
  const q = createSidecar({ zoneDir: quickDir, rndc, nsupdate: { send: instant }, token, rateLimit: { enabled: false } });
  quick = { sidecar: q, server: await q.listen(), dir: quickDir };
});

after(async () => {
  await limited.server.close();
  await free.server.close();
  await quick.server.close();
  await named.stop();
  await rm(dir, { recursive: true, force: true });
});

async function run(runId: string, url: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stderr: string; result: RunResult | null }> {
  const out = join(dir, 'results');
  const r = await runCli(['--output', out, 'bind', 'rndc', '--bindcar-url', url, '--run-id', runId, '--format', 'markdown', ...args], { cwd: dir, env });
  assert.ok(!r.stderr.includes(token) && !r.stdout.includes(token), 'the token is never printed');
  let result: RunResult | null = null;
  try {
    const path = join(out, runId, 'result.json');
    const text = await readFile(path, 'utf8');
    assert.ok(!text.includes(token), 'the token is not in the result');
    result = parseResult(text, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return { code: r.code, stderr: r.stderr, result };
}

function counter(r: RunResult, name: string): number {
  const v = r.counters[name]?.value;
  assert.ok(v !== undefined, `counter ${name}`);
  return v;
}

/** Zone files of `runId` still in named's directory (bindcar writes `<zone>.zone`, deletes it with the zone). */
async function zonesLeft(runId: string): Promise<string[]> {
  return (await readdir(named.dir)).filter((f) => f.includes(runId) && f.endsWith('.zone'));
}

/** One line per route: count, p50 and p99 from the intended start and of the service time, ms. */
function routeLine(r: RunResult): string {
  const ms = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : (v / 1000).toFixed(1));
  return Object.entries(r.latencies)
    .filter(([k]) => k.startsWith('bindcar_') && !k.endsWith('_service'))
    .map(([k, l]) => {
      const s = r.latencies[`${k}_service`]?.summary;
      return `${k.slice('bindcar_'.length)} n=${l.summary.count} p50 ${ms(l.summary.p50)} p99 ${ms(l.summary.p99)} (service p50 ${ms(s?.p50)} p99 ${ms(s?.p99)})`;
    })
    .join('; ');
}

test('the limiter: 4 clients on their own loopback addresses, a burst of 5 each and no refill: exactly 20 reloads pass, 60 are 429s (not errors)', async (t) => {
  const { code, stderr, result } = await run('rndc-limit', limited.server.url, ['--token-file', tokenFile, '--mode', 'reload', '--clients', '4', '--rate', '40/s', '--duration', '2s', '--max-in-flight', '200']);
  assert.equal(code, 0, stderr);
  assert.ok(result !== null);
  t.diagnostic(`429s ${counter(result, 'bindcar_429')} (expected 80 − 4 × 5 = 60), ok ${counter(result, 'bindcar_ok')}, dropped ${counter(result, 'bindcar_requests_dropped')}, errors ${counter(result, 'bindcar_errors')}, no answer ${counter(result, 'bindcar_connection_errors') + counter(result, 'bindcar_timeouts')}; ${routeLine(result)}`);
  assert.equal(counter(result, 'bindcar_requests_sent'), 80);
  assert.equal(counter(result, 'bindcar_requests_dropped'), 0);
  // Each client IP has its own budget of 5: 4 × 5 pass, whatever the interleaving.
  assert.equal(counter(result, 'bindcar_ok'), 20);
  assert.equal(counter(result, 'bindcar_429'), 60);
  assert.equal(counter(result, 'bindcar_client_ok_min'), 5);
  assert.equal(counter(result, 'bindcar_client_ok_max'), 5);
  assert.equal(counter(result, 'bindcar_client_429_min'), 15);
  assert.equal(counter(result, 'bindcar_errors'), 0);
  assert.equal(counter(result, 'bindcar_reload_status_429'), 60);
  // Only what bindcar served is timed: the 20 reloads, not the 429s.
  assert.equal(result.latencies['bindcar_reload']?.summary.count, 20);
  assert.equal(result.latencies['bindcar_reload_service']?.summary.count, 20);
  // bindcar's own counter agrees, route by route and status by status.
  assert.equal(counter(result, 'bindcar_metrics_counted'), 80);
  assert.equal(counter(result, 'bindcar_metrics_disagreements'), 0);
  assert.equal(counter(result, 'bindcar_zones_left'), 0);
  assert.deepEqual(await zonesLeft('rndc-limit'), []);
});

test('an injected delay of 150 ms before every route is recovered in the reload service time (against the same twin without it)', async (t) => {
  const args = ['--token-file', tokenFile, '--mode', 'reload', '--rate', '10/s', '--duration', '2s'];
  const base = await run('rndc-base', quick.server.url, args);
  assert.equal(base.code, 0, base.stderr);
  quick.sidecar.setFaults({ delayMs: 150 });
  let slow;
  try {
    slow = await run('rndc-slow', quick.server.url, args);
  } finally {
    quick.sidecar.setFaults({});
  }
  assert.equal(slow.code, 0, slow.stderr);
  assert.ok(base.result !== null && slow.result !== null);
  const p = (r: RunResult, name: string, q: 'p50' | 'min'): number => {
    const s = r.latencies[name]?.summary;
    const v = q === 'min' ? s?.min : s?.p50;
    assert.ok(v !== undefined && v !== null, name);
    return v / 1000;
  };
  const b50 = p(base.result, 'bindcar_reload_service', 'p50');
  const s50 = p(slow.result, 'bindcar_reload_service', 'p50');
  t.diagnostic(`service p50 ${b50.toFixed(1)} ms without the delay, ${s50.toFixed(1)} ms with 150 ms injected: recovered ${(s50 - b50).toFixed(1)} ms; base: ${routeLine(base.result)}; delayed: ${routeLine(slow.result)}`);
  assert.ok(p(slow.result, 'bindcar_reload_service', 'min') >= 150, 'no reload is faster than the delay');
  assert.ok(Math.abs(s50 - b50 - 150) < 15, `p50 moved by ${(s50 - b50).toFixed(1)} ms (base ${b50.toFixed(1)} ms, delayed ${s50.toFixed(1)} ms); 150 ms injected`);
  // From the intended start includes the send's slip: never below the service time.
  assert.ok(p(slow.result, "bindcar_reload", "p50") >= s50);
  assert.equal(counter(slow.result, 'bindcar_ok'), 20);
  // bindcar's own handling time holds the delay too (its histogram's exact mean); the rest of the client's time is loopback and the client.
  const server = counter(slow.result, 'bindcar_server_reload_mean_ms');
  t.diagnostic(`bindcar's own reload handling: mean ${server} ms with the delay, without: ${counter(base.result, 'bindcar_server_reload_mean_ms')} ms`);
  // Each request's service time holds bindcar's handling of it, so the means keep that order too.
  const clientMean = (slow.result.latencies['bindcar_reload_service']?.summary.mean ?? 0) / 1000;
  assert.ok(server >= 150 && server <= clientMean + 0.1, `bindcar's mean ${server} ms: at least the delay, at most the client's service mean ${clientMean.toFixed(1)} ms`);
  assert.equal(counter(slow.result, 'bindcar_429'), 0, 'the twin without a limiter answers no 429');
});

test('mixed and write-reload storms answer on every route; every zone is deleted at the end', async (t) => {
  const mixed = await run('rndc-mixed', free.server.url, ['--mode', 'mixed', '--clients', '3', '--rate', '20/s', '--duration', '2s', '--max-in-flight', '200', '--update-key', named.updateKey.name], { BINDCAR_TOKEN: token });
  assert.equal(mixed.code, 0, mixed.stderr);
  assert.ok(mixed.result !== null);
  for (const route of ['zone_status', 'zone_get', 'zones_list', 'server_status', 'reload', 'notify', 'record_add', 'record_remove']) {
    assert.ok(counter(mixed.result, `bindcar_${route}_ok`) > 0, `route ${route} answered`);
    assert.ok((mixed.result.latencies[`bindcar_${route}`]?.summary.count ?? 0) > 0, `route ${route} timed`);
  }
  t.diagnostic(`mixed: ${routeLine(mixed.result)}`);
  assert.equal(counter(mixed.result, 'bindcar_ok'), 40);
  assert.equal(counter(mixed.result, 'bindcar_metrics_disagreements'), 0);
  const wr = await run('rndc-write', free.server.url, ['--token-file', tokenFile, '--mode', 'write-reload', '--writes', '2', '--records', '2000', '--rate', '10/s', '--duration', '2s']);
  assert.equal(wr.code, 0, wr.stderr);
  assert.ok(wr.result !== null);
  t.diagnostic(`write-reload: ${routeLine(wr.result)}`);
  assert.equal(counter(wr.result, 'bindcar_zone_create_ok'), 2);
  assert.equal(counter(wr.result, 'bindcar_reload_ok'), 18);
  assert.equal(counter(wr.result, 'bindcar_zones_created'), 3, 'one small zone and two big ones');
  assert.deepEqual([...(await zonesLeft('rndc-mixed')), ...(await zonesLeft('rndc-write'))], []);
});

test('a refused token is exit 2, an unreachable bindcar exit 3, a missing token exit 2: one line each, nothing created', async () => {
  const bad = join(dir, 'bad-token');
  await writeFile(bad, 'not-the-token');
  const refused = await run('rndc-bad', free.server.url, ['--token-file', bad]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr.split('\n')[0] ?? '', /refused the token \(HTTP 401: Invalid token\)/);
  assert.equal(refused.result, null, 'no run started');
  const port = await new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const down = await run('rndc-down', `http://127.0.0.1:${port}`, ['--token-file', tokenFile]);
  assert.equal(down.code, 3, down.stderr);
  assert.match(down.stderr.split('\n')[0] ?? '', /not reachable: ECONNREFUSED/);
  assert.match(down.stderr, /hint: check --bindcar-url/);
  const none = await run('rndc-none', free.server.url, []);
  assert.equal(none.code, 2, none.stderr);
  assert.match(none.stderr.split('\n')[0] ?? '', /no bindcar token: give --token-file PATH or set \$BINDCAR_TOKEN/);
  assert.deepEqual([...(await zonesLeft('rndc-bad')), ...(await zonesLeft('rndc-down')), ...(await zonesLeft('rndc-none'))], []);
});

test('cleanup deletes the zones a killed run journalled, through bindcar, reading the token where the journal says', async () => {
  const out = join(dir, 'results');
  const zone = 's0.rndc-killed.test';
  // A dead owner: a pid no process has (the kernel's limit is below 2^22).
  const journal = new Journal(join(out, 'journal'), 'rndc-killed');
  journal.appendBindcarZoneCreating(free.server.url, zone, { file: tokenFile });
  journal.close();
  const raw = await readFile(journal.path, 'utf8');
  await writeFile(journal.path, raw.replace(`"ownerPid":${process.pid}`, '"ownerPid":4194304'));
  assert.ok(!raw.includes(token), 'the journal holds where the token is, not the token');
  const created = await fetch(`${free.server.url}/api/v1/zones`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(zoneBody(zone, 3)) });
  assert.equal(created.status, 201);
  assert.deepEqual(await zonesLeft('rndc-killed'), [`${zone}.zone`]);
  const r = await runCli(['--output', out, 'cleanup', '--run-id', 'rndc-killed'], { cwd: dir, env: { BINDY_LOADTEST_SANDBOX_HOME: join(dir, 'no-sandbox') } });
  assert.match(r.stderr, /zone s0\.rndc-killed\.test of run rndc-killed deleted through bindcar/);
  assert.deepEqual(await zonesLeft('rndc-killed'), []);
  await assert.rejects(readFile(journal.path, 'utf8'), { code: 'ENOENT' }, 'the journal is removed once its zones are gone');
});

test('Ctrl-C during the storm: the run stops, deletes its zone through bindcar, writes a result marked aborted, exits 130', async () => {
  const out = join(dir, 'results');
  const child = spawnCli(['--output', out, 'bind', 'rndc', '--bindcar-url', quick.server.url, '--token-file', tokenFile, '--rate', '10/s', '--duration', '30s', '--run-id', 'rndc-int', '--format', 'markdown'], { ...process.env });
  // Printed once the zone is created, as the storm starts.
  await child.line(/bind rndc: reload storm/);
  assert.equal((await readdir(quick.dir)).filter((f) => f.includes('rndc-int')).length, 1, 'the run\'s zone exists while the storm runs');
  child.kill('SIGINT');
  assert.equal(await child.exit, 130, child.stderr());
  assert.deepEqual((await readdir(quick.dir)).filter((f) => f.includes('rndc-int')), [], 'the zone was deleted through bindcar');
  const result = parseResult(await readFile(join(out, 'rndc-int', 'result.json'), 'utf8'), 'result.json');
  assert.equal(result.metadata.status, 'aborted');
  assert.equal(result.counters['bindcar_zones_left']?.value, 0);
  await assert.rejects(readFile(join(out, 'journal', 'run-rndc-int.jsonl'), 'utf8'), { code: 'ENOENT' }, 'nothing left to undo: the journal is gone');
});
