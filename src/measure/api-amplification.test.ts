/** @module Tests of API amplification: hand-written counters, and two real scrapes of the API server twin around known creates. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrometheusText } from '../observe/prometheus-text.js';
import { aRecord, startSandbox } from '../../test/helpers/api-sandbox.js';
import { apiAmplification, apiServerProcessChange, operatorApiRequests } from './api-amplification.js';

const C = 'apiserver_request_total';
const line = (verb: string, group: string, resource: string, sub: string, code: string, v: number): string =>
  `${C}{verb="${verb}",group="${group}",version="v1",resource="${resource}",subresource="${sub}",scope="namespace",component="apiserver",code="${code}"} ${v}`;
const samples = (...lines: string[]) => parsePrometheusText(lines.join('\n')).samples;

void test('requests per verb and resource are summed over codes, ordered bindy first, then events and leases', () => {
  const before = samples(line('POST', 'bindy.firestoned.io', 'arecords', '', '201', 5), line('GET', '', 'pods', '', '200', 100));
  const after = samples(
    line('POST', 'bindy.firestoned.io', 'arecords', '', '201', 15),
    line('POST', 'bindy.firestoned.io', 'arecords', '', '409', 2), // new series: counts from 0
    line('PATCH', 'bindy.firestoned.io', 'arecords', 'status', '200', 20),
    line('POST', '', 'events', '', '201', 7),
    line('PUT', 'coordination.k8s.io', 'leases', '', '200', 3),
    line('GET', '', 'pods', '', '200', 100), // did not move: left out
    line('WATCH', '', 'configmaps', '', '200', 1),
    `${C}{verb="GET",group="",version="",resource="",subresource="",scope="",component="apiserver",code="200"} 50`, // /metrics itself
  );
  const r = apiAmplification(before, after, 10, 'twin');
  const cases: { verb: string; resource: string; count: number; perObject: number }[] = [
    { verb: 'PATCH', resource: 'arecords.bindy.firestoned.io/status', count: 20, perObject: 2 },
    { verb: 'POST', resource: 'arecords.bindy.firestoned.io', count: 12, perObject: 1.2 },
    { verb: 'POST', resource: 'events', count: 7, perObject: 0.7 },
    { verb: 'PUT', resource: 'leases.coordination.k8s.io', count: 3, perObject: 0.3 },
  ];
  assert.deepEqual(r.highlights, cases);
  assert.deepEqual(r.section.requests, [...cases.map(({ verb, resource, count }) => ({ verb, resource, count })), { verb: 'WATCH', resource: 'configmaps', count: 1 }]);
  assert.equal(r.total, 43);
  assert.equal(r.section.requestsPerObject, 4.3);
  assert.equal(r.reset, false);
  assert.match(r.section.method, /twin/);
});

void test('no objects created → requestsPerObject null; an API server restart counts the later value and says so', () => {
  const r = apiAmplification(samples(line('GET', '', 'pods', '', '200', 100)), samples(line('GET', '', 'pods', '', '200', 4)), 0, 'x');
  assert.equal(r.section.requestsPerObject, null);
  assert.deepEqual(r.section.requests, [{ verb: 'GET', resource: 'pods', count: 4 }]);
  assert.equal(r.reset, true);
  assert.match(r.section.method, /reset/);
});

void test('two real scrapes of the API server twin around N creates: exactly one POST per created ARecord', async () => {
  const sb = await startSandbox();
  try {
    await sb.namespace('amp');
    const scrape = async () => parsePrometheusText(await (await fetch(`${sb.url}/metrics`)).text()).samples;
    for (const n of [3, 7]) {
      const before = await scrape();
      for (let i = 0; i < n; i++) {
        const res = await sb.client.create(aRecord(`r${n}-${i}`, 'amp', 'run1'));
        assert.ok(res.ok);
      }
      const after = await scrape();
      const r = apiAmplification(before, after, n, `${sb.url}/metrics`);
      const post = r.section.requests.find((x) => x.verb === 'POST' && x.resource === 'arecords.bindy.firestoned.io');
      assert.equal(post?.count, n, `${n} creates → ${n} POSTs`);
      assert.equal(r.highlights.find((x) => x.verb === 'POST')?.perObject, 1);
      // Nothing else talked to this server in between: the total is exactly the creates.
      assert.equal(r.total, n);
      assert.equal(r.section.requestsPerObject, 1);
    }
  } finally {
    await sb.close();
  }
});

void test('scrapes from different API server processes (restart, or another replica) are told apart by process_start_time_seconds', () => {
  const start = (t: number): string => `process_start_time_seconds ${t}`;
  const a = samples(line('POST', 'bindy.firestoned.io', 'arecords', '', '201', 5), start(1700000000.5));
  const sameProcess = samples(line('POST', 'bindy.firestoned.io', 'arecords', '', '201', 9), start(1700000000.5));
  const otherReplica = samples(line('POST', 'bindy.firestoned.io', 'arecords', '', '201', 9), start(1700000123.25));
  assert.equal(apiServerProcessChange(a, sameProcess), null);
  assert.match(apiServerProcessChange(a, otherReplica) ?? '', /different API server processes \(process_start_time_seconds 1700000000\.5 then 1700000123\.25/);
  assert.equal(apiServerProcessChange(samples(line('GET', '', 'pods', '', '200', 1)), otherReplica), null, 'nothing to tell by without the metric in both');
});

void test("bindy 0.8's own request counter: the operator's requests per verb and resource, named as the API server names them; absent under 0.6", () => {
  const B = 'bindy_firestoned_io_kube_api_requests_total';
  const own = (resource: string, verb: string, status: string, v: number): string => `${B}{resource="${resource}",verb="${verb}",status="${status}"} ${v}`;
  const before = samples(own('arecords', 'get', '200', 4), own('dnszones/status', 'patch', '200', 1));
  const after = samples(own('arecords', 'get', '200', 14), own('arecords', 'get', '404', 1), own('dnszones/status', 'patch', '200', 6), own('events', 'create', '201', 10), own('arecords/status', 'patch', '200', 10));
  const r = operatorApiRequests(before, after, 10, 'the operator');
  assert.ok(r !== null);
  assert.deepEqual(
    r.section.requests.map((x) => `${x.verb} ${x.resource} ${x.count}`),
    ['GET arecords.bindy.firestoned.io 11', 'PATCH arecords.bindy.firestoned.io/status 10', 'PATCH dnszones.bindy.firestoned.io/status 5', 'CREATE events 10'],
  );
  assert.equal(r.total, 36);
  assert.equal(r.section.requestsPerObject, 3.6);
  assert.deepEqual(r.codes, { '200': 25, '404': 1, '201': 10 });
  assert.match(r.section.method, /the operator's requests only/);
  assert.equal(operatorApiRequests(before, samples('bindy_firestoned_io_reconciliations_total{resource_type="ARecord",status="success"} 3'), 10, 'the operator'), null);
});
