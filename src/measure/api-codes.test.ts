/** @module Response codes on bindy's resources between two scrapes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindyGroup } from '../model/kinds.js';
import { bindyResponseCodes } from './api-codes.js';

const sample = (value: number, labels: Record<string, string>): { name: string; labels: Record<string, string>; value: number } => ({ name: 'apiserver_request_total', labels, value });

void test("the increase per code on bindy's resources only; a new series counts whole; a reset counts from zero", () => {
  const status = { verb: 'PUT', group: bindyGroup, resource: 'arecords', subresource: 'status' };
  const before = [sample(10, { ...status, code: '200' }), sample(2, { ...status, code: '409' }), sample(50, { verb: 'GET', group: '', resource: 'pods', code: '200' }), sample(7, { verb: 'PATCH', group: bindyGroup, resource: 'dnszones', code: '200' })];
  const after = [
    sample(25, { ...status, code: '200' }),
    sample(9, { ...status, code: '409' }),
    sample(3, { verb: 'POST', group: bindyGroup, resource: 'arecords', code: '409' }),
    sample(90, { verb: 'GET', group: '', resource: 'pods', code: '200' }),
    sample(4, { verb: 'PATCH', group: bindyGroup, resource: 'dnszones', code: '200' }),
    { name: 'other_total', labels: { group: bindyGroup, code: '409' }, value: 100 },
  ];
  assert.deepEqual(bindyResponseCodes(before, after), { '200': 15 + 4, '409': 7 + 3 });
  assert.deepEqual(bindyResponseCodes(after, after), {});
});
