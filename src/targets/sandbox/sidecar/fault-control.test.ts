import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { createSidecar, type SidecarRequest } from './sidecar.js';
import { ErrorFaultControl, parseErrorFaultRequest } from './fault-control.js';
import type { NsupdateLike, RndcLike } from './handlers.js';

const unused = (): Promise<string> => Promise.reject(new Error('not used here'));
const rndc: RndcLike = { status: unused, addzone: unused, delzone: unused, modzone: unused, showzone: unused, zonestatus: unused, notify: unused, reload: unused, freeze: unused, thaw: unused, retransfer: unused };
const nsupdate: NsupdateLike = { send: unused };

/** The refusal text (a parsed request is not one). */
function refusal(r: ReturnType<typeof parseErrorFaultRequest>): string {
  return typeof r === 'string' ? r : 'accepted';
}

test('PUT bodies: the fields and ranges, each refusal in one line', () => {
  assert.deepEqual(parseErrorFaultRequest('{"id":"e-1","errorRate":0.5,"status":503,"durationMs":1000}'), { id: 'e-1', errorRate: 0.5, status: 503, durationMs: 1000 });
  assert.equal(parseErrorFaultRequest('nope'), 'the body is not JSON');
  assert.match(refusal(parseErrorFaultRequest('{"id":"e-1","errorRate":0,"status":503}')), /^errorRate must be a number > 0 and ≤ 1 \(got 0\)$/);
  assert.match(refusal(parseErrorFaultRequest('{"id":"e-1","errorRate":1,"status":302}')), /^status must be an integer 400–599/);
  assert.match(refusal(parseErrorFaultRequest('{"id":"E 1","errorRate":1,"status":500}')), /^id must be/);
  assert.match(refusal(parseErrorFaultRequest('{"id":"e-1","errorRate":1,"status":500,"share":1}')), /^unknown field "share"/);
});

test('one fault at a time by id: a retry is idempotent, another id conflicts, a stale id clears nothing, the dead-man clears it', async () => {
  const c = new ErrorFaultControl();
  assert.equal(c.apply({ id: 'a', errorRate: 1, status: 503 })?.id, 'a');
  assert.equal(c.apply({ id: 'a', errorRate: 1, status: 503 })?.id, 'a');
  assert.equal(c.apply({ id: 'b', errorRate: 1, status: 503 }), null);
  assert.equal(c.decide(() => 0), 503);
  assert.equal(c.clear('b'), null);
  const past = c.clear('a');
  assert.equal(past?.injected, 1);
  assert.equal(past?.clearedBy, 'api');
  assert.equal(c.decide(() => 0), undefined, 'no fault, no error');
  c.apply({ id: 'c', errorRate: 1, status: 500, durationMs: 20 });
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(c.active, null);
  assert.equal(c.status().history.at(-1)?.clearedBy, 'dead-man');
});

test('the twin\'s control route: Bearer auth as bindcar\'s, a share of API requests answered with the status, health untouched, bindcar\'s metrics without the control requests', async () => {
  let draw = 0;
  // Alternating draws: 0.25, 0.75, … so a 50 % fault fails every other request.
  const sidecar = createSidecar({ zoneDir: tmpdir(), rndc, nsupdate, token: 't', rateLimit: { enabled: false }, random: () => (draw++ % 2 === 0 ? 0.25 : 0.75) });
  const req = (method: string, path: string, body?: unknown, token = 't'): SidecarRequest => ({ method, path, headers: { authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  assert.equal((await sidecar.handler(req('PUT', '/twin/v1/faults', { id: 'e-1', errorRate: 0.5, status: 503 }, 'wrong'))).status, 401);
  assert.equal((await sidecar.handler(req('PUT', '/twin/v1/faults', { id: 'e-1', errorRate: 2, status: 503 }))).status, 400);
  assert.equal((await sidecar.handler(req('PUT', '/twin/v1/faults', { id: 'e-1', errorRate: 0.5, status: 503 }))).status, 201);
  assert.equal((await sidecar.handler(req('PUT', '/twin/v1/faults', { id: 'e-2', errorRate: 0.5, status: 503 }))).status, 409);
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) statuses.push((await sidecar.handler(req('GET', '/api/v1/zones'))).status);
  assert.deepEqual(statuses, [503, 200, 503, 200]);
  assert.equal((await sidecar.handler(req('GET', '/api/v1/health'))).status, 200, 'an open route never fails');
  const got = JSON.parse((await sidecar.handler(req('GET', '/twin/v1/faults'))).body) as { active: { injected: number } };
  assert.equal(got.active.injected, 2);
  const del = JSON.parse((await sidecar.handler(req('DELETE', '/twin/v1/faults?id=e-1'))).body) as { cleared: boolean; detail: string };
  assert.deepEqual(del, { ...del, cleared: true, detail: 'fault e-1 cleared after 2 injected errors' });
  assert.equal((await sidecar.handler(req('GET', '/api/v1/zones'))).status, 200);
  const metrics = await sidecar.metrics.registry.metrics();
  assert.match(metrics, /bindcar_http_requests_total\{method="GET",path="\/api\/v1\/zones",status="503"\} 2/);
  assert.doesNotMatch(metrics, /twin\/v1/);
});
