/**
 * `bind query` against the sandbox's real named, with the real dnsperf: the per-query percentiles
 * come from exactly the queries dnsperf completed and agree with dnsperf's own average, min and
 * max; every answer has the rcode its query expects; a known delay put between dnsperf and named
 * (the fault proxy's client-bind link) shows up in p50 and p99. `bind resperf` on the same sandbox:
 * a maximum throughput within the loss limit, and, with a known latency and outstanding limit, the
 * generator's own ceiling reported as such. Bad input is one line, exit 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { startSandbox } from '../src/targets/sandbox/supervisor/sandbox.js';
import { readState } from '../src/targets/sandbox/supervisor/state.js';
import { ProxyFaultMechanism } from '../src/faults/proxy/mechanism.js';
import { parseResult } from '../src/report/result/index.js';
import { runToken } from '../src/model/fixtures/options.js';

const namespace = 'bindy-loadtest';

async function result(out: string, runId: string): Promise<ReturnType<typeof parseResult>> {
  const path = join(out, runId, 'result.json');
  return parseResult(await readFile(path, 'utf8'), path);
}

test('bind query on the sandbox: percentiles from every completed query, rcodes as expected, a known delay recovered; bind resperf finds a maximum throughput and says when the limit was its own', { timeout: 240_000 }, async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'bl-bindq-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const sb = await startSandbox({ namespace, detached: false, home, faultProxy: true, operatorArgs: ['--no-leader-election'] });
  t.after(() => sb.stop());
  const state = await readState(home);
  assert.ok(state?.faultProxy !== undefined);
  const env = { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home };
  const out = join(home, 'results');

  // Direct to named: 30 records over 2 zones created through the operator, then 300/s for 3 s.
  const a = await runCli(['--output', out, 'bind', 'query', '--records', '30', '--zones', '2', '--qps', '300/s', '--duration', '3s', '--run-id', 'bqa', '--keep', '--format', 'markdown'], { env });
  assert.equal(a.code, 0, a.stderr);
  const ra = await result(out, 'bqa');
  const c = (name: string): number => {
    const v = ra.counters[name]?.value;
    assert.ok(v !== undefined, `counter ${name}`);
    return v;
  };
  assert.deepEqual(ra.metadata.commandLine.slice(0, 4), ['--output', out, 'bind', 'query'], 'the command line names the subcommand');
  const dns = ra.latencies['dns_query'];
  assert.ok(dns !== undefined);
  assert.ok(c('dns_queries_sent') >= 800, `${c('dns_queries_sent')} sent at 300/s for 3 s`);
  assert.equal(c('dns_queries_answered'), c('dnsperf_completed'), "every query dnsperf completed was read, none more");
  assert.equal(dns.summary.count, c('dnsperf_completed'), 'the histogram holds every completed query');
  assert.equal(c('dns_queries_lost'), 0);
  assert.equal(c('dns_answers_unexpected_rcode'), 0, 'every created record answered NOERROR, every missing name NXDOMAIN');
  assert.equal(c('dns_rcode_noerror') + c('dns_rcode_nxdomain'), c('dns_queries_answered'));
  assert.ok(c('dns_rcode_nxdomain') > 0, 'the NXDOMAIN share was asked');
  // Against dnsperf's own figures: HDR keeps 3 significant digits (0.1 %), dnsperf prints whole µs.
  const close = (ours: number | null, theirs: number, what: string): void => {
    assert.ok(ours !== null && Math.abs(ours - theirs) <= theirs * 0.002 + 2, `${what}: histogram ${ours} µs vs dnsperf ${theirs} µs`);
  };
  close(dns.summary.mean, c('dnsperf_latency_average'), 'mean');
  close(dns.summary.min, c('dnsperf_latency_min'), 'min');
  close(dns.summary.max, c('dnsperf_latency_max'), 'max');
  const qps = ra.timeSeries.find((s) => s.name === 'dns_answers_per_second');
  assert.ok(qps !== undefined && qps.points.length >= 3, 'answers each second, and the last stretch');
  // Whole seconds (the last point is the shorter stretch after the final -S line): about the 300/s asked, on average.
  const whole = qps.points.slice(0, -1);
  const mean = whole.reduce((s, p) => s + p.value, 0) / whole.length;
  assert.ok(mean > 240 && mean < 360, JSON.stringify(qps.points));
  assert.equal(ra.criteria.find((x) => x.metric === 'dns_query.p99')?.verdict, 'pass');
  const direct = dns.summary.p50 ?? Infinity;

  // 25 ms more on every query through client-bind: the delay is in every answer, p50 and p99 included.
  const link = state.faultProxy.links.find((l) => l.name === 'client-bind');
  assert.ok(link !== undefined);
  const mechanism = await ProxyFaultMechanism.connect(state.faultProxy.controlUrl);
  const fault = await mechanism.apply('client-bind', { kind: 'latency', ms: 25 });
  const file = join(home, 'zones.txt');
  // The zones the first run kept (--keep), named after its run id.
  const kept = runToken('bqa');
  await writeFile(file, `zone-0.${kept}.example.com SOA\nzone-1.${kept}.example.com SOA\n`);
  const b = await runCli(['--output', out, 'bind', 'query', '--query-file', file, '--server', `127.0.0.1:${link.listen.port}`, '--qps', '100/s', '--duration', '2s', '--run-id', 'bqb', '--format', 'markdown'], { env });
  await fault.revert();
  assert.equal(b.code, 0, b.stderr);
  const rb = await result(out, 'bqb');
  const delayed = rb.latencies['dns_query']?.summary;
  assert.ok(delayed !== undefined && delayed.count >= 150, `${delayed?.count} answers`);
  assert.ok(direct < 25_000, `without the delay p50 was ${direct} µs`);
  for (const [k, v] of [['min', delayed.min], ['p50', delayed.p50], ['p99', delayed.p99]] as const) assert.ok(v !== null && v >= 25_000, `${k} ${v} µs includes the 25 ms`);
  assert.ok((delayed.p50 ?? Infinity) < 100_000, `p50 ${delayed.p50} µs is the delay plus named's time, not more`);
  assert.equal(rb.counters['dns_answers_unexpected_rcode']?.value, 0, "a user's file has no expectations");
  assert.equal(rb.counters['creates_started'], undefined, 'nothing was created');

  // A query file dnsperf cannot read a single query from: exit 2 naming the file and what dnsperf said.
  const garbage = join(home, 'garbage.txt');
  await writeFile(garbage, 'garbage\n');
  const g = await runCli(['--output', out, 'bind', 'query', '--query-file', garbage, '--qps', '10/s', '--duration', '1s', '--run-id', 'bqg'], { env });
  assert.equal(g.code, 2, g.stderr);
  assert.match(g.stderr, /--query-file .*garbage\.txt: dnsperf sent no query \(exit 0\): Warning: invalid query input format: garbage/);

  // bind resperf over the records it creates: a ramp to 2000/s in 3 s, every answer NOERROR or
  // NXDOMAIN, the maximum throughput within the loss limit, the ramp kept as series.
  const r1 = await runCli(['--output', out, 'bind', 'resperf', '--records', '20', '--zones', '2', '--max-qps', '2000/s', '--ramp', '3s', '--max-loss', '5%', '--run-id', 'brp', '--format', 'json'], { env });
  assert.equal(r1.code, 0, r1.stderr);
  const rr = await result(out, 'brp');
  assert.equal(rr.metadata.scenario, 'bind-resperf');
  const n = (name: string): number => rr.counters[name]?.value ?? NaN;
  assert.equal(n('resperf_statistics_missing'), 0);
  assert.ok(n('resperf_max_throughput') > 0, `maximum throughput ${n('resperf_max_throughput')}`);
  assert.ok(n('resperf_lost_at_max') <= 0.05, 'within the loss limit');
  assert.equal(n('dns_queries_answered') + n('dns_queries_lost'), n('dns_queries_sent'));
  assert.equal(n('dns_answers_unexpected_rcode'), 0);
  assert.ok(n('dns_rcode_noerror') > 0 && n('dns_rcode_nxdomain') > 0, 'the records and the NXDOMAIN share were asked');
  const target = rr.timeSeries.find((x) => x.name === 'dns_target_qps')?.points ?? [];
  assert.ok(target.length >= 3 && (target.at(-1)?.value ?? 0) > (target[0]?.value ?? Infinity), `the ramp rises: ${JSON.stringify(target)}`);
  assert.equal(rr.latencies['dns_query'], undefined, 'resperf times no single query: no percentiles are made up');

  // Ground truth for the generator's limit: 20 ms on every query and at most 10 outstanding allow
  // 10 / 0.02 = 500 answers/s. A ramp to 4000/s cannot be kept: resperf stops at its outstanding
  // limit, and the result says the figure is a lower bound set by that limit, not the server's.
  const slow = await mechanism.apply('client-bind', { kind: 'latency', ms: 20 });
  const r2 = await runCli(['--output', out, 'bind', 'resperf', '--query-file', file, '--server', `127.0.0.1:${link.listen.port}`, '--max-qps', '4000/s', '--ramp', '4s', '--max-outstanding', '10', '--run-id', 'brq', '--format', 'json'], { env });
  await slow.revert();
  assert.equal(r2.code, 0, r2.stderr);
  const rq = await result(out, 'brq');
  assert.equal(rq.counters['resperf_ended_early']?.value, 1);
  const max = rq.counters['resperf_max_throughput']?.value ?? NaN;
  assert.ok(max > 0 && max <= 550, `maximum throughput ${max}/s at most the 500/s that 10 outstanding × 20 ms allow`);
  assert.ok(rq.notes.some((x) => /ended its ramp early: .*10 outstanding.*lower bound.*\(raise --max-outstanding/.test(x)), rq.notes.join('\n'));

  const rg = await runCli(['--output', out, 'bind', 'resperf', '--query-file', garbage, '--max-qps', '100/s', '--ramp', '1s', '--run-id', 'brg'], { env });
  assert.equal(rg.code, 2, rg.stderr);
  assert.match(rg.stderr, /--query-file .*garbage\.txt: resperf sent no query/);

  const cleaned = await runCli(['--output', out, 'cleanup', '--run-id', 'bqa'], { env });
  assert.equal(cleaned.code, 0, cleaned.stderr);
});

test('bind query bad input: one line, exit 2, nothing started', async () => {
  const home = await mkdtemp(join(tmpdir(), 'bl-bindq-bad-'));
  try {
    const env = { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home };
    const cases: [string[], RegExp][] = [
      [['--query-file', join(home, 'missing.txt')], /^bindy-loadtest: --query-file .*missing\.txt: no readable file there$/m],
      [['--server', '127.0.0.1:53,127.0.0.2:53'], /^bindy-loadtest: --server: one server \(dnsperf queries one\), got 2/m],
      [['--max-outstanding', '0'], /--max-outstanding/],
      [['--qps', 'fast'], /--qps/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['--output', join(home, 'out'), 'bind', 'query', ...args], { env });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').filter((l) => !l.startsWith('  ')).length, 1, `one line: ${r.stderr}`);
    }
    assert.equal(await readState(home), undefined, 'no sandbox was started');
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});
