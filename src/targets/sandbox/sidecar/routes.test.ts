import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchRoute } from './routes.js';

const cases: [string, string, string, string | undefined, boolean][] = [
  ['GET', '/api/v1/health', 'health', undefined, true],
  ['GET', '/api/v1/ready', 'ready', undefined, true],
  ['GET', '/metrics', 'metrics', undefined, true],
  ['POST', '/api/v1/zones', 'createZone', undefined, false],
  ['GET', '/api/v1/zones', 'listZones', undefined, false],
  ['GET', '/api/v1/zones/example.com', 'getZone', 'example.com', false],
  ['DELETE', '/api/v1/zones/example.com', 'deleteZone', 'example.com', false],
  ['PATCH', '/api/v1/zones/example.com', 'modifyZone', 'example.com', false],
  ['POST', '/api/v1/zones/example.com/reload', 'reloadZone', 'example.com', false],
  ['POST', '/api/v1/zones/example.com/freeze', 'freezeZone', 'example.com', false],
  ['POST', '/api/v1/zones/example.com/thaw', 'thawZone', 'example.com', false],
  ['POST', '/api/v1/zones/example.com/notify', 'notifyZone', 'example.com', false],
  ['POST', '/api/v1/zones/example.com/retransfer', 'retransferZone', 'example.com', false],
  ['GET', '/api/v1/zones/example.com/status?x=1', 'zoneStatus', 'example.com', false],
  ['POST', '/api/v1/zones/example.com/records', 'addRecord', 'example.com', false],
  ['DELETE', '/api/v1/zones/example.com/records', 'removeRecord', 'example.com', false],
  ['PUT', '/api/v1/zones/example.com/records', 'updateRecord', 'example.com', false],
  ['GET', '/api/v1/server/status', 'serverStatus', undefined, false],
];

void test('every bindcar route matches, with its zone and whether it is open', () => {
  for (const [method, path, id, zone, open] of cases) {
    const m = matchRoute(method, path);
    assert.equal(m.kind, 'route', `${method} ${path}`);
    if (m.kind !== 'route') continue;
    assert.equal(m.route.id, id, `${method} ${path}`);
    assert.equal(m.zone, zone);
    assert.equal(m.route.open, open);
  }
});

void test('unknown paths are 404, known paths with another method are 405 with Allow', () => {
  assert.deepEqual(matchRoute('GET', '/api/v1/zones/'), { kind: 'notFound' });
  assert.deepEqual(matchRoute('GET', '/api/v1/zones/a/b'), { kind: 'notFound' });
  assert.deepEqual(matchRoute('GET', '/api/v1/health/'), { kind: 'notFound' });
  assert.deepEqual(matchRoute('PUT', '/api/v1/zones/a.test'), { kind: 'methodNotAllowed', allow: ['GET', 'DELETE', 'PATCH'] });
  assert.deepEqual(matchRoute('GET', '/api/v1/zones/a.test/reload'), { kind: 'methodNotAllowed', allow: ['POST'] });
});
