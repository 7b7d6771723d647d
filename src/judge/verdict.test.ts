import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../config/index.js';
import type { ValueOrigin } from '../config/index.js';
import { syntheticResult } from '../../test/helpers/synthetic-result.js';
import { renderConsoleSummary } from '../report/console-summary.js';
import { renderMarkdown } from '../report/markdown.js';
import { verdictLine } from '../report/verdict-line.js';
import { judge } from './judge.js';
import { decideVerdict } from './verdict.js';

const origins = new Map<string, ValueOrigin>();
const counters = { creates_started: 1000, creates_rejected: 0, create_errors: 0, creates_abandoned: 0, objects_not_ready: 0 };

test('FAIL names the failed criteria first, then the expected behaviours that did not hold', () => {
  const r = syntheticResult({ seed: 1, latency: { n: 2000, medianUs: 20_000_000 }, counters, reconcileP99S: 0.5 });
  const criteria = judge(r, { ...defaultConfig.criteria, createToReadyP99: 15_000 }, origins);
  r.verdict = decideVerdict({ criteria, problems: ['3 of 60 created objects did not become Ready'], stoppedBy: null });
  assert.equal(r.verdict.outcome, 'fail');
  assert.match(r.verdict.reasons[0] ?? '', /^create_to_ready\.p99 \d+ ms \(limit <= 15000 ms\)$/);
  assert.equal(r.verdict.reasons[1], '3 of 60 created objects did not become Ready');
  const line = verdictLine(r);
  assert.match(line, /^FAIL: create_to_ready\.p99 /);
  assert.equal(renderConsoleSummary(r, null).split('\n')[0], line, 'the console summary starts with it');
  assert.equal(renderMarkdown(r).split('\n')[0], `**FAIL**: ${line.slice('FAIL: '.length)}`, 'summary.md starts with it');
});

test('a failed criterion says where its limit came from', () => {
  const r = syntheticResult({ seed: 5, latency: { n: 500, medianUs: 20_000_000 }, counters });
  const criteria = judge(r, { ...defaultConfig.criteria, createToReadyP99: 15_000 }, new Map([['criteria.createToReadyP99', { kind: 'profile', profile: 'standard' }]]));
  r.verdict = decideVerdict({ criteria, problems: [], stoppedBy: null });
  assert.match(verdictLine(r), /^FAIL: create_to_ready\.p99 \d+ ms \(limit <= 15000 ms, profile standard\)$/);
});

test('PASS counts the criteria that passed and those not measured', () => {
  const r = syntheticResult({ seed: 2, latency: { n: 2000, medianUs: 200_000 }, counters, reconcileP99S: 0.5 });
  const criteria = judge(r, defaultConfig.criteria, origins);
  r.verdict = decideVerdict({ criteria, problems: [], stoppedBy: null });
  const passed = criteria.filter((c) => c.verdict === 'pass').length;
  assert.ok(passed >= 3, 'create→Ready, reconcile and error rate pass');
  assert.equal(verdictLine(r), `PASS (${passed} criteria passed, ${criteria.length - passed} not measured)`);
});

test('ABORTED wins over failures: a partial run is not judged', () => {
  const r = syntheticResult({ seed: 3, latency: { n: 10, medianUs: 200_000 }, counters: { creates_started: 1000, objects_not_ready: 997 } });
  const criteria = judge(r, defaultConfig.criteria, origins, { notJudged: 'interrupted by SIGINT' });
  r.verdict = decideVerdict({ criteria, problems: ['997 of 1000 created objects did not become Ready'], stoppedBy: 'interrupted by SIGINT' });
  assert.deepEqual(r.verdict, { outcome: 'aborted', reasons: ['interrupted by SIGINT'] });
  assert.equal(verdictLine(r), 'ABORTED: interrupted by SIGINT; criteria not judged (a partial result)');
  assert.ok(criteria.every((c) => c.verdict !== 'fail'), 'no criterion FAILs on a partial run');
});

test('a result written before the verdict existed gets one from its status and criteria', () => {
  const r = syntheticResult({ seed: 4, latency: { n: 100, medianUs: 200_000 }, counters });
  r.metadata.status = 'aborted';
  assert.match(verdictLine(r), /^ABORTED: the run did not finish/);
  r.metadata.status = 'failed';
  assert.match(verdictLine(r), /^FAIL: the scenario's expected behaviours did not hold/);
});
