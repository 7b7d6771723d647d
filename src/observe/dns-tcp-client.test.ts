/** @module Tests of questions over one pipelined TCP connection, against a scripted TCP-only DNS server on loopback (real sockets). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Answer } from 'dns-packet';
import { PipelinedDnsClient } from './dns-tcp-client.js';
import { tcpOnlyDns } from '../../test/helpers/tcp-only-dns.js';

function soa(name: string): Answer[] {
  return [{ type: 'SOA', name, ttl: 300, data: { mname: `ns1.${name}`, rname: `admin.${name}`, serial: 7, refresh: 3600, retry: 600, expire: 86400, minimum: 60 } }];
}

void test('many questions share one connection, answers out of order reach their own question; a closed connection is opened again for the next ones', async (t) => {
  const dns = await tcpOnlyDns((q) => (q.name.startsWith('missing') ? { rcode: 3, answers: [] } : { rcode: 0, answers: soa(q.name) }), { delayMs: 10, closeAfter: 25 });
  t.after(() => dns.close());
  const client = new PipelinedDnsClient({ host: '127.0.0.1', port: dns.port }, { retryMs: 50 });
  t.after(() => client.close());
  const names = Array.from({ length: 20 }, (_, i) => (i % 5 === 4 ? `missing-${i}.example.` : `zone-${i}.example.`));
  const answers = await Promise.all(names.map((n) => client.query(n, 'SOA', { timeoutMs: 2000 })));
  for (const [i, a] of answers.entries()) {
    assert.equal(a.packet.questions?.[0]?.name, names[i]?.replace(/\.$/, ''), 'each answer is its own question\'s');
    assert.equal((a.packet.flags ?? 0) & 0xf, names[i]?.startsWith('missing') === true ? 3 : 0, 'its own RCODE');
  }
  assert.equal(client.connections, 1, 'one connection for 20 questions');
  assert.ok(dns.maxPipelined > 1, `questions pipelined (at most ${dns.maxPipelined} waiting at once)`);
  // The server closes after 25 answers: 5 more on this connection, then a new one.
  const more = await Promise.all(Array.from({ length: 10 }, (_, i) => client.query(`more-${i}.example.`, 'SOA', { timeoutMs: 3000 }).then(() => 'answered', (e: unknown) => String(e))));
  const later = await Promise.all(Array.from({ length: 5 }, (_, i) => client.query(`later-${i}.example.`, 'SOA', { timeoutMs: 3000 })));
  assert.equal(later.length, 5);
  assert.ok(more.filter((m) => m === 'answered').length >= 5, more.join('\n'));
  assert.equal(client.connections, 2, 'opened again after the server closed it');
});

void test('no answer: the question times out naming the server; a refused connection is named; abort rejects at once', async (t) => {
  const dns = await tcpOnlyDns(() => 'drop', { delayMs: 1, closeAfter: 1000 });
  t.after(() => dns.close());
  const client = new PipelinedDnsClient({ host: '127.0.0.1', port: dns.port });
  t.after(() => client.close());
  await assert.rejects(client.query('zone.example.', 'SOA', { timeoutMs: 200 }), new RegExp(`^Error: zone\\.example\\. SOA over TCP from 127\\.0\\.0\\.1:${dns.port}: no answer within 200 ms$`));
  const ac = new AbortController();
  const asked = client.query('zone.example.', 'SOA', { timeoutMs: 5000, signal: ac.signal });
  ac.abort(new Error('run stopped'));
  await assert.rejects(asked, /run stopped/);

  await dns.close();
  const refused = new PipelinedDnsClient({ host: '127.0.0.1', port: dns.port });
  t.after(() => refused.close());
  await assert.rejects(refused.query('zone.example.', 'SOA', { timeoutMs: 300 }), /no answer within 300 ms \(connection: connect ECONNREFUSED/);
});
