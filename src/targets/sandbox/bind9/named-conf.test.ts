import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderNamedConf, renderRndcConf } from './named-conf.js';
import { generateTsigKey, renderKeyClause } from './tsig-key.js';
import { runTool } from './run-tool.js';
import { locateBind9Tools } from './tools.js';

const fixed = (byte: number) => (size: number) => Buffer.alloc(size, byte);
const rndcKey = generateTsigKey('rndc-key', 'hmac-sha256', fixed(1));
const updateKey = generateTsigKey('bindcar-update', 'hmac-sha256', fixed(2));
const ports = { dns: 15353, rndc: 15953, stats: 18080 };

void test('named.conf listens only on loopback at the given ports, with control and statistics channels', () => {
  const text = renderNamedConf({ dir: '/tmp/x', ports, rndcKey, updateKey });
  assert.match(text, /listen-on port 15353 \{ 127\.0\.0\.1; \};/);
  assert.match(text, /listen-on-v6 \{ none; \};/);
  assert.match(text, /inet 127\.0\.0\.1 port 15953 allow \{ 127\.0\.0\.1; \} keys \{ "rndc-key"; \};/);
  assert.match(text, /statistics-channels \{\n\tinet 127\.0\.0\.1 port 18080 allow \{ 127\.0\.0\.1; \};/);
  for (const must of ['allow-transfer { 127.0.0.1; ::1; };', 'recursion no;', 'allow-new-zones yes;', 'dnssec-validation no;', 'notify explicit;']) {
    assert.ok(text.includes(must), must);
  }
  for (const file of ['pid-file "/tmp/x/named.pid"', 'session-keyfile "/tmp/x/session.key"', 'managed-keys-directory "/tmp/x"']) {
    assert.ok(text.includes(file), file);
  }
  assert.ok(text.includes(renderKeyClause(updateKey).trimEnd()), 'declares the update key');
});

void test('named.conf listens on ::1 only when asked', () => {
  assert.match(renderNamedConf({ dir: '/d', ports, rndcKey, updateKey, ipv6: true }), /listen-on-v6 port 15353 \{ ::1; \};/);
});

void test('a generated key has a 256-bit secret, fresh each time', () => {
  assert.equal(Buffer.from(rndcKey.secret, 'base64').length, 32);
  assert.notEqual(generateTsigKey('k').secret, generateTsigKey('k').secret);
  assert.throws(() => generateTsigKey('bad name"'), /invalid TSIG key name/);
});

void test('named-checkconf accepts the generated named.conf, and rndc.conf points at the control port', async () => {
  const tools = locateBind9Tools();
  const dir = await mkdtemp(join(tmpdir(), 'named-conf-test-'));
  try {
    const file = join(dir, 'named.conf');
    await writeFile(file, renderNamedConf({ dir, ports, rndcKey, updateKey }));
    const result = await runTool(tools.namedCheckconf, [file]);
    assert.equal(result.status, 0, result.stdout + result.stderr);
    // The check can fail: a broken file is rejected.
    await writeFile(file, renderNamedConf({ dir, ports, rndcKey, updateKey }).replace('recursion no;', 'recursion maybe;'));
    assert.notEqual((await runTool(tools.namedCheckconf, [file])).status, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const rndcConf = renderRndcConf(rndcKey, 15953);
  assert.match(rndcConf, /default-port 15953;/);
  assert.match(rndcConf, /default-key "rndc-key";/);
});
