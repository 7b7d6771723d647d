import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateTsigKey, parseKeyFile, renderKeyClause } from './tsig-key.js';

test('a key clause we render parses back to the same key', () => {
  const key = generateTsigKey('bindcar-update');
  assert.deepEqual(parseKeyFile(renderKeyClause(key)), key);
});

test('parseKeyFile reads tsig-keygen layout and refuses what is not a key', () => {
  const k = parseKeyFile('key "k1" {\n\talgorithm hmac-sha512;\n\tsecret "c2VjcmV0";\n};\n');
  assert.deepEqual(k, { name: 'k1', algorithm: 'hmac-sha512', secret: 'c2VjcmV0' });
  assert.throws(() => parseKeyFile('options { };', 'f.key'), /f\.key: not a BIND key clause/);
  assert.throws(() => parseKeyFile('key "k" { algorithm hmac-md5; secret "eA=="; };', 'f.key'), /hmac-md5 is not supported/);
});
