import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { ApiStatusError } from './status.js';

const labels = { app: 'web', tier: 'front', 'bindy.firestoned.io/zone': 'example.com', n: '5' };

test('label selectors match like apimachinery', () => {
  const cases: [string, boolean][] = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app=db', false],
    ['app!=db', true],
    ['app!=web', false],
    ['missing!=x', true],
    ['app in (web,db)', true],
    ['app in (db)', false],
    ['app notin (db, cache)', true],
    ['app notin (web)', false],
    ['missing notin (x)', true],
    ['missing in (x)', false],
    ['tier', true],
    ['missing', false],
    ['!missing', true],
    ['!tier', false],
    ['bindy.firestoned.io/zone=example.com', true],
    ['app=web,tier=front', true],
    ['app=web,tier=back', false],
    ['app in (web, db),!missing,tier', true],
    ['n>4', true],
    ['n<5', false],
  ];
  for (const [sel, want] of cases) assert.equal(matchLabels(parseLabelSelector(sel), labels), want, sel);
});

test('malformed label selectors are a 400 BadRequest', () => {
  for (const sel of ['app=we b', 'in (a)', '-bad=x', 'n>x']) {
    assert.throws(() => parseLabelSelector(sel), (e: unknown) => e instanceof ApiStatusError && e.status.code === 400, sel);
  }
});

test('field selectors support metadata.name/namespace and reject other fields like a CRD does', () => {
  const obj = { metadata: { name: 'a', namespace: 'ns1' }, involvedObject: { name: 'x' } };
  const cases: [string, boolean][] = [
    ['metadata.name=a', true],
    ['metadata.name==a', true],
    ['metadata.name!=a', false],
    ['metadata.namespace=ns1,metadata.name=a', true],
    ['metadata.namespace=ns2', false],
  ];
  for (const [sel, want] of cases) assert.equal(matchFields(parseFieldSelector(sel), obj), want, sel);
  assert.equal(matchFields(parseFieldSelector('involvedObject.name=x', ['involvedObject.name']), obj), true);
  assert.throws(
    () => parseFieldSelector('spec.name=a'),
    (e: unknown) => e instanceof ApiStatusError && e.status.code === 400 && e.status.message === 'field label not supported: spec.name',
  );
});
