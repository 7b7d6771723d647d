import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { bindyGroup, bindyKinds, bindyVersion, kindInfo, kindsOfLine } from './kinds.js';
import { needsSharedData, sharedPath } from './schemas/shared-data.js';

const crdDir = pathToFileURL(sharedPath('bindy/deploy/operator/crds') + '/');
/** The 0.8 line's CRDs shipped as data: only what it added (PTRRecord). */
const crd08Dir = pathToFileURL(sharedPath('bindy-0.8/crds') + '/');

interface Crd {
  spec: { group: string; scope: string; names: { kind: string; plural: string; singular: string; shortNames?: string[] }; versions: Array<{ name: string }> };
}

test('the kinds table agrees with bindy\'s real CRDs', needsSharedData(fileURLToPath(crdDir)), () => {
  for (const kind of bindyKinds) {
    const k = kindInfo[kind];
    const crd = parse(readFileSync(new URL(`${k.plural}.crd.yaml`, k.since === '0.8' ? crd08Dir : crdDir), 'utf8')) as Crd;
    assert.equal(crd.spec.group, bindyGroup);
    assert.equal(crd.spec.names.kind, kind);
    assert.equal(crd.spec.names.plural, k.plural);
    assert.equal(crd.spec.names.singular, k.singular);
    assert.deepEqual(crd.spec.names.shortNames ?? [], [...k.shortNames]);
    assert.equal(crd.spec.scope === 'Namespaced', k.namespaced);
    assert.deepEqual(crd.spec.versions.map((v) => v.name), [bindyVersion]);
    // A kind marked as added by 0.8 is truly absent from 0.6's CRDs, and every other one is there.
    assert.equal(existsSync(new URL(`${k.plural}.crd.yaml`, crdDir)), k.since === undefined, `${kind} in bindy 0.6's CRDs`);
  }
  assert.equal(kindsOfLine('0.6').length, 12);
  assert.deepEqual(kindsOfLine('0.8'), [...bindyKinds]);
});
