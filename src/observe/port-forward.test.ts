/** @module A port-forward through the sandbox API server's pods/portforward (real WebSocket, real TCP) to a process a Pod object names. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { once } from 'node:events';
import { openPortForward } from './port-forward.js';
import { httpKubeConfig, startSandbox } from '../../test/helpers/api-sandbox.js';

/** A TCP echo server on 127.0.0.1 that ends a connection after `endAfter` echoes. */
async function echoServer(endAfter: number): Promise<{ port: number; close(): Promise<void> }> {
  const open = new Set<Socket>();
  const server = createServer((c) => {
    open.add(c);
    let n = 0;
    c.on('data', (d: Buffer) => {
      c.write(d);
      if (++n >= endAfter) c.end();
    });
    c.on('close', () => open.delete(c));
    c.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of open) c.destroy();
      }),
  };
}

/** Writes `text` on a new connection to `port` and resolves with what comes back before the connection ends. */
async function exchange(port: number, lines: string[]): Promise<{ got: string; ended: boolean }> {
  const c = connect(port, '127.0.0.1');
  let got = '';
  c.on('data', (d: Buffer) => (got += d.toString('utf8')));
  const closed = once(c, 'close').then(() => true);
  await once(c, 'connect');
  for (const l of lines) {
    const want = got.length + l.length;
    c.write(l);
    while (got.length < want && !c.destroyed) await Promise.race([once(c, 'data'), once(c, 'close')]);
  }
  const ended = await Promise.race([closed, new Promise<boolean>((r) => setTimeout(() => r(false), 2000))]);
  c.destroy();
  return { got, ended };
}

test('a port-forward carries a connection to the pod\'s port and back, ends it when the pod\'s side ends, and takes the next one; refusals are kept as the last error', async (t) => {
  const sb = await startSandbox();
  t.after(() => sb.close());
  const echo = await echoServer(2);
  t.after(() => echo.close());
  await sb.namespace('dns');
  const pod = (name: string, nodeName: string | null): Record<string, unknown> => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'dns' },
    spec: { ...(nodeName === null ? {} : { nodeName }), containers: [{ name: 'bind9', image: 'internetsystemsconsortium/bind9:9.20', ports: [{ containerPort: echo.port }] }] },
  });
  for (const [name, node, phase] of [['named-0', 'node-1', 'Running'], ['unscheduled', null, 'Pending']] as const) {
    const created = await sb.server.request({ method: 'POST', path: '/api/v1/namespaces/dns/pods', body: pod(name, node) });
    assert.equal(created.status, 201, created.text);
    const body = created.body as Record<string, unknown>;
    const st = await sb.server.request({ method: 'PUT', path: `/api/v1/namespaces/dns/pods/${name}/status`, body: { ...body, status: { phase, ...(phase === 'Running' ? { podIP: '127.0.0.1' } : {}) } } });
    assert.equal(st.status, 200, st.text);
  }
  const kc = httpKubeConfig(sb.url, sb.server.token);

  const pf = await openPortForward(kc, 'dns', { pod: 'named-0', port: echo.port });
  t.after(() => pf.close());
  const first = await exchange(pf.port, ['ping-1', 'ping-2']);
  assert.equal(first.got, 'ping-1ping-2', 'both writes came back through the API server');
  assert.equal(first.ended, true, 'the echo server ended after two: the local connection ended too');
  const second = await exchange(pf.port, ['again']);
  assert.equal(second.got, 'again', 'a new connection is carried after the first ended');
  assert.equal(pf.connections, 2);
  assert.equal(pf.lastError, null);

  for (const [name, status] of [['missing', /404/], ['unscheduled', /400/]] as const) {
    const refused = await openPortForward(kc, 'dns', { pod: name, port: echo.port });
    const r = await exchange(refused.port, []);
    assert.equal(r.ended, true, `${name}: the local connection is closed`);
    assert.match(refused.lastError ?? '', status, `${name}: ${refused.lastError}`);
    await refused.close();
  }

  // A port nothing listens on in the pod: the kubelet's error channel says so, the connection ends.
  const closed = await echoServer(1);
  const deadPort = closed.port;
  await closed.close();
  const dead = await openPortForward(kc, 'dns', { pod: 'named-0', port: deadPort });
  const d = await exchange(dead.port, []);
  assert.equal(d.ended, true);
  assert.match(dead.lastError ?? '', new RegExp(`^error forwarding port ${deadPort} to pod named-0, uid [0-9a-f-]+: connect ECONNREFUSED`));
  await dead.close();
});

test('a port-forward that looks its pod up per connection follows a replaced pod, and a lookup that fails ends that connection with its reason', async (t) => {
  const sb = await startSandbox();
  t.after(() => sb.close());
  const echo = await echoServer(1);
  t.after(() => echo.close());
  await sb.namespace('dns');
  const runningPod = async (name: string): Promise<void> => {
    const created = await sb.server.request({
      method: 'POST',
      path: '/api/v1/namespaces/dns/pods',
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'dns' }, spec: { nodeName: 'node-1', containers: [{ name: 'bind9', image: 'internetsystemsconsortium/bind9:9.20' }] } },
    });
    assert.equal(created.status, 201, created.text);
    const st = await sb.server.request({ method: 'PUT', path: `/api/v1/namespaces/dns/pods/${name}/status`, body: { ...(created.body as Record<string, unknown>), status: { phase: 'Running', podIP: '127.0.0.1' } } });
    assert.equal(st.status, 200, st.text);
  };
  await runningPod('named-a');
  const kc = httpKubeConfig(sb.url, sb.server.token);
  // The lookup a Service's selector would do: whichever pod is current.
  let current: string | null = 'named-a';
  let lookups = 0;
  const pf = await openPortForward(kc, 'dns', () => {
    lookups++;
    return current === null ? Promise.reject(new Error('no Running and Ready pod of Bind9Instance primary')) : Promise.resolve({ pod: current, port: echo.port });
  });
  t.after(() => pf.close());
  assert.equal((await exchange(pf.port, ['one'])).got, 'one');

  // The pod is replaced: deleted, and for a while no successor.
  const del = await sb.server.request({ method: 'DELETE', path: '/api/v1/namespaces/dns/pods/named-a' });
  assert.equal(del.status, 200, del.text);
  current = null;
  const during = await exchange(pf.port, ['lost']);
  assert.equal(during.got, '', 'nothing carried while there is no pod');
  assert.equal(during.ended, true, 'the connection is ended, so the client opens another');
  assert.equal(pf.lastError, 'no Running and Ready pod of Bind9Instance primary');

  await runningPod('named-b');
  current = 'named-b';
  assert.equal((await exchange(pf.port, ['two'])).got, 'two', 'the successor pod carries the next connection');
  assert.deepEqual(pf.pods, ['named-a', 'named-b']);
  assert.equal(lookups, 3, 'one lookup per connection');
  assert.equal(pf.connections, 3);
});
