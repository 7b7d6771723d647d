import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { startNamed, type NamedServer } from '../bind9/named-process.js';
import { runTool } from '../bind9/run-tool.js';
import { createSidecar, type ListeningSidecar, type Sidecar } from './sidecar.js';

const token = 'test-token';
let named: NamedServer;
let sidecar: Sidecar;
let server: ListeningSidecar;

function zoneBody(zoneName: string): Record<string, unknown> {
  return {
    zoneName,
    zoneType: 'primary',
    zoneConfig: {
      ttl: 300,
      soa: { primaryNs: `ns1.${zoneName}.`, adminEmail: `admin.${zoneName}.`, serial: 2026010101 },
      nameServers: [`ns1.${zoneName}.`],
      nameServerIps: { [`ns1.${zoneName}.`]: '127.0.0.1' },
    },
    updateKeyName: named.updateKey.name,
  };
}

async function call(method: string, path: string, body?: unknown, auth: string | null = `Bearer ${token}`): Promise<{ status: number; json: unknown; text: string; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (auth !== null) headers['authorization'] = auth;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${server.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

async function dig(name: string, type: string): Promise<{ status: string; answers: string[] }> {
  const r = await runTool('dig', ['@127.0.0.1', '-p', String(named.ports.dns), name, type, '+time=2', '+tries=1', '+noall', '+comments', '+answer']);
  return { status: /status: (\w+)/.exec(r.stdout)?.[1] ?? 'none', answers: r.stdout.split('\n').filter((l) => l !== '' && !l.startsWith(';')) };
}

function metricValue(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

before(async () => {
  named = await startNamed();
  sidecar = createSidecar({
    zoneDir: named.dir,
    rndc: named.rndc,
    nsupdate: named.nsupdate(),
    token,
    rateLimit: { enabled: false },
  });
  server = await sidecar.listen({ host: '127.0.0.1', port: 0 });
});

after(async () => {
  await server.close();
  await named.stop();
  assert.throws(() => process.kill(named.pid, 0), { code: 'ESRCH' });
  assert.equal(existsSync(named.dir), false);
});

void test('open routes: health, ready (rndc reachable), metrics without a token', async () => {
  const health = await call('GET', '/api/v1/health', undefined, null);
  assert.deepEqual(health.json, { status: 'healthy', version: '0.7.3' });
  const ready = await call('GET', '/api/v1/ready', undefined, null);
  assert.deepEqual((ready.json as { ready: boolean }).ready, true);
  assert.ok((ready.json as { checks: string[] }).checks.includes('rndc_available: true'));
  const metrics = await call('GET', '/metrics', undefined, null);
  assert.equal(metrics.status, 200);
  assert.match(metrics.text, /bindcar_app_info\{version="0\.7\.3"\} 1/);
});

void test('protected routes without a token: 401 with bindcar\'s error body', async () => {
  assert.deepEqual(await call('GET', '/api/v1/zones', undefined, null).then((r) => [r.status, r.json]), [401, { error: 'Missing Authorization header' }]);
  assert.deepEqual(await call('GET', '/api/v1/zones', undefined, 'Basic x').then((r) => [r.status, r.json]), [401, { error: 'Invalid Authorization header format. Expected: Bearer <token>' }]);
  assert.equal((await call('GET', '/api/v1/zones', undefined, 'Bearer wrong')).status, 401);
});

void test('POST /api/v1/zones creates a zone named serves; duplicate is 409; bad body is 400/422', async () => {
  const created = await call('POST', '/api/v1/zones', zoneBody('web.test'));
  assert.equal(created.status, 201, created.text);
  assert.deepEqual((created.json as { success: boolean; message: string }).message, 'Zone web.test created successfully');
  assert.match(await readFile(`${named.dir}/web.test.zone`, 'utf8'), /@ IN SOA ns1\.web\.test\. admin\.web\.test\./);
  const soa = await dig('web.test', 'SOA');
  assert.equal(soa.status, 'NOERROR');
  assert.match(soa.answers[0] ?? '', /SOA\s+ns1\.web\.test\. admin\.web\.test\. 2026010101 3600 600 604800 86400/);

  const again = await call('POST', '/api/v1/zones', zoneBody('web.test'));
  assert.deepEqual([again.status, again.json], [409, { error: 'Zone already exists: web.test', details: null }]);

  const badType = await call('POST', '/api/v1/zones', { ...zoneBody('x.test'), zoneType: 'master' });
  assert.deepEqual([badType.status, badType.json], [400, { error: "Invalid request: Invalid zone type: master. Must be 'primary' or 'secondary'", details: null }]);
  const missing = await call('POST', '/api/v1/zones', { zoneName: 'x.test' });
  assert.equal(missing.status, 422);
  assert.match(missing.text, /missing field `zoneType`/);

  const status = await call('GET', '/api/v1/zones/web.test/status');
  assert.equal(status.status, 200);
  assert.match((status.json as { details: string }).details, /serial: 2026010101/);
  assert.equal((await call('GET', '/api/v1/zones/nothere.test/status')).status, 404);
  const list = await call('GET', '/api/v1/zones');
  assert.deepEqual(list.json, { zones: ['web.test'], count: 1 });
});

void test('records route adds A and TXT via nsupdate; dig answers; delete gives NXDOMAIN', async () => {
  await call('POST', '/api/v1/zones', zoneBody('rec.test'));
  const a = await call('POST', '/api/v1/zones/rec.test/records', { name: 'www', type: 'A', value: '192.0.2.7', ttl: 60 });
  assert.equal(a.status, 201, a.text);
  const txt = await call('POST', '/api/v1/zones/rec.test/records', { name: 'info', type: 'TXT', value: '"v=1 twin"' });
  assert.equal(txt.status, 201, txt.text);
  assert.match((await dig('www.rec.test', 'A')).answers[0] ?? '', /\s60\s+IN\s+A\s+192\.0\.2\.7$/);
  assert.match((await dig('info.rec.test', 'TXT')).answers[0] ?? '', /"v=1 twin"/);

  const bad = await call('POST', '/api/v1/zones/rec.test/records', { name: 'x', type: 'A', value: 'not-an-ip' });
  assert.deepEqual([bad.status, bad.json], [400, { error: 'Invalid record: Invalid IPv4 address: not-an-ip', details: null }]);
  const noZone = await call('POST', '/api/v1/zones/none.test/records', { name: 'x', type: 'A', value: '192.0.2.1' });
  assert.deepEqual([noZone.status, noZone.json], [404, { error: 'Zone not found: none.test', details: null }]);

  const del = await call('DELETE', '/api/v1/zones/rec.test/records', { name: 'www', type: 'A' });
  assert.equal(del.status, 200, del.text);
  assert.equal((await dig('www.rec.test', 'A')).status, 'NXDOMAIN');

  const deleted = await call('DELETE', '/api/v1/zones/rec.test');
  assert.equal(deleted.status, 200, deleted.text);
  assert.equal(existsSync(`${named.dir}/rec.test.zone`), false);
  assert.equal((await dig('rec.test', 'SOA')).status, 'REFUSED');
});

void test('/metrics has bindcar\'s names, and the counts moved with the requests made', async () => {
  const before = (await call('GET', '/metrics', undefined, null)).text;
  const creates = metricValue(before, 'bindcar_zone_operations_total', 'operation="create",result="success"');
  await call('POST', '/api/v1/zones', zoneBody('metrics.test'));
  await call('GET', '/api/v1/zones');
  const text = (await call('GET', '/metrics', undefined, null)).text;
  for (const name of [
    'bindcar_http_requests_total',
    'bindcar_http_request_duration_seconds',
    'bindcar_zone_operations_total',
    'bindcar_rndc_commands_total',
    'bindcar_rndc_command_duration_seconds',
    'bindcar_zones_managed',
  ]) {
    assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
  }
  assert.equal(metricValue(text, 'bindcar_zone_operations_total', 'operation="create",result="success"'), creates + 1);
  assert.ok(metricValue(text, 'bindcar_rndc_commands_total', 'command="addzone",result="success"') >= 1);
  assert.ok(metricValue(text, 'bindcar_rndc_commands_total', 'command="addzone",result="error"') >= 1, 'the 409 counted an rndc error');
  assert.ok(metricValue(text, 'bindcar_rndc_commands_total', 'command="nsupdate_update",result="success"') >= 2);
  assert.ok(metricValue(text, 'bindcar_http_requests_total', 'method="POST",path="/api/v1/zones",status="201"') >= 3);
  assert.ok(metricValue(text, 'bindcar_http_requests_total', 'method="GET",path="/api/v1/zones",status="401"') >= 1);
  assert.match(text, /^bindcar_zones_managed 2$/m);
});

void test('rate limiter on: burst of 10 per client then 429 with Retry-After, open routes exempt', async () => {
  let t = 0;
  const limited = createSidecar({ zoneDir: named.dir, rndc: named.rndc, nsupdate: named.nsupdate(), token, now: () => t });
  const limitedServer = await limited.listen();
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await fetch(`${limitedServer.url}/api/v1/zones`, { headers: { authorization: `Bearer ${token}` } });
      statuses.push(res.status);
      if (res.status === 429) {
        assert.equal(res.headers.get('retry-after'), '1');
        assert.equal(res.headers.get('x-ratelimit-after'), '1');
        assert.equal(await res.text(), 'Too Many Requests! Wait for 1s');
      } else await res.arrayBuffer();
    }
    assert.deepEqual(statuses, [...Array<number>(10).fill(200), 429]);
    assert.equal((await fetch(`${limitedServer.url}/api/v1/health`)).status, 200);
    t = 1000;
    assert.equal((await fetch(`${limitedServer.url}/api/v1/zones`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
  } finally {
    await limitedServer.close();
  }
});

void test('bindcar 0.9: 404 for every command on a zone named lacks (0.7.3: 500), its version, and 50 per client IP then 10/s', async () => {
  const missing = ['freeze', 'thaw', 'reload', 'notify', 'retransfer'].map((c) => ['POST', `/api/v1/zones/gone.test/${c}`] as const);
  const statuses = async (url: string): Promise<number[]> => {
    const out: number[] = [];
    for (const [method, path] of [...missing, ['DELETE', '/api/v1/zones/gone.test'] as const]) {
      const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      out.push(res.status);
    }
    return out;
  };
  assert.deepEqual(await statuses(server.url), Array<number>(6).fill(500), '0.7.3 answers 500 there');
  let t = 0;
  const v09 = createSidecar({ zoneDir: named.dir, rndc: named.rndc, nsupdate: named.nsupdate(), token, line: '0.9', now: () => t });
  const v09Server = await v09.listen();
  try {
    assert.deepEqual(await statuses(v09Server.url), Array<number>(6).fill(404));
    const health = await fetch(`${v09Server.url}/api/v1/health`);
    assert.deepEqual(await health.json(), { status: 'healthy', version: '0.9.0' });
    assert.match(await (await fetch(`${v09Server.url}/metrics`)).text(), /^bindcar_app_info\{version="0\.9\.0"\} 1$/m);
    // 6 of the burst of 50 are spent above: 44 more pass, the next is refused; 100 ms later one more passes.
    const list = async (): Promise<number> => {
      const res = await fetch(`${v09Server.url}/api/v1/zones`, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      return res.status;
    };
    const burst: number[] = [];
    for (let i = 0; i < 45; i++) burst.push(await list());
    assert.deepEqual(burst, [...Array<number>(44).fill(200), 429]);
    t = 99;
    assert.equal(await list(), 429);
    t = 100;
    assert.equal(await list(), 200);
  } finally {
    await v09Server.close();
  }
});

void test('faults: injected 500s with bindcar\'s error body', async () => {
  sidecar.setFaults({ errorRate: 1 });
  try {
    const r = await call('GET', '/api/v1/zones');
    assert.deepEqual([r.status, r.json], [500, { error: 'Internal server error: injected fault', details: null }]);
  } finally {
    sidecar.setFaults({});
  }
  assert.equal((await call('GET', '/api/v1/zones')).status, 200);
});
