import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLinkFlag, parseLinkSpec } from './link-spec.js';
import { parseProxyArgs } from './run.js';

void test('the flag form and the JSON form give the same link', () => {
  const want = { name: 'dns', protocol: 'udp', listenPort: 0, upstream: { host: '127.0.0.1', port: 5353 } };
  assert.deepEqual(parseLinkFlag('dns=udp:127.0.0.1:5353'), want);
  assert.deepEqual(parseLinkFlag('dns=udp:0:127.0.0.1:5353'), want);
  assert.deepEqual(parseLinkSpec({ name: 'dns', protocol: 'udp', upstream: { port: 5353 } }), want);
  assert.deepEqual(parseLinkFlag('api=tcp:7000:localhost:6443'), { name: 'api', protocol: 'tcp', listenPort: 7000, upstream: { host: '127.0.0.1', port: 6443 } });
});

void test('bad links are one line naming what is wrong; upstreams must be loopback', () => {
  assert.throws(() => parseLinkFlag('dns=sctp:1.2.3.4:53'), /--link: "dns=sctp:1\.2\.3\.4:53" is not NAME=tcp\|udp/);
  assert.throws(() => parseLinkFlag('dns=udp:10.0.0.1:53'), /dns: upstream\.host must be a loopback address/);
  assert.throws(() => parseLinkSpec({ name: 'Bad_Name', protocol: 'tcp', upstream: { port: 1 } }), /name must be a DNS label/);
  assert.throws(() => parseLinkSpec({ name: 'x', protocol: 'tcp', upstream: { port: 0 } }), /x: upstream\.port must be an integer 1-65535/);
  assert.throws(() => parseLinkSpec({ name: 'x', protocol: 'tcp', listenPort: 70000, upstream: { port: 1 } }), /listenPort must be an integer 0-65535/);
  assert.throws(() => parseLinkSpec({ name: 'x', protocol: 'tcp', upstream: { port: 1 }, extra: 1 }), /unknown field "extra"/);
});

void test('the entry takes repeated --link and --links-json, and refuses a name used twice', () => {
  const r = parseProxyArgs(['--link', 'a=tcp:127.0.0.1:1', '--links-json', '[{"name":"b","protocol":"udp","upstream":{"port":2}}]', '--control-port', '9']);
  assert.deepEqual(r.links.map((l) => l.name), ['a', 'b']);
  assert.equal(r.controlPort, 9);
  assert.throws(() => parseProxyArgs(['--link', 'a=tcp:127.0.0.1:1', '--link', 'a=udp:127.0.0.1:1']), /the name a is used twice/);
  assert.throws(() => parseProxyArgs(['--control-port', 'x']), /--control-port: x is not a port/);
  assert.throws(() => parseProxyArgs(['--bogus']), /fault proxy: Unknown option '--bogus'/);
});
