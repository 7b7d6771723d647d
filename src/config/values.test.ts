import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as v from './values.js';
import { suggest } from './suggest.js';

function value<T>(p: v.Parsed<T>): T {
  assert.ok(p.ok, p.ok ? '' : p.message);
  return p.value;
}
function message<T>(p: v.Parsed<T>): string {
  assert.ok(!p.ok, `expected a failure, got ${JSON.stringify(p)}`);
  return p.message;
}

test('durations parse to milliseconds and format back to the same value', () => {
  const table: Array<[unknown, number]> = [
    ['500ms', 500], ['90s', 90_000], ['30m', 1_800_000], ['1h', 3_600_000], ['1h30m', 5_400_000],
    ['1.5s', 1500], ['2m30s', 150_000], [0, 0], ['0', 0], [' 10s ', 10_000],
  ];
  for (const [raw, ms] of table) {
    assert.equal(value(v.parseDuration(raw)), ms, String(raw));
    assert.equal(value(v.parseDuration(v.formatDuration(ms))), ms, `round trip ${ms}`);
  }
  assert.equal(v.formatDuration(90_000), '1m30s');
  assert.equal(v.formatDuration(250), '250ms');
});

test('bad durations say what was expected, with an example', () => {
  for (const raw of ['5 minutes', '90', 90, '', '1x', 's', '-5s', '1h 30m', null, true]) {
    assert.match(message(v.parseDuration(raw)), /^expected a duration like 90s, 30m or 1h, got /, String(raw));
  }
  assert.equal(message(v.parseDuration('5 minutes')), "expected a duration like 90s, 30m or 1h, got '5 minutes'");
});

test('rates parse to events per second', () => {
  const table: Array<[unknown, number]> = [[50, 50], ['50', 50], ['50/s', 50], ['3000/m', 50], ['7200/h', 2], ['0.5/s', 0.5]];
  for (const [raw, perSecond] of table) assert.equal(value(v.parseRate(raw)), perSecond, String(raw));
  for (const raw of ['fast', '50/d', '-1', 0, '0/s', '/s']) assert.match(message(v.parseRate(raw)), /expected a rate like 50\/s/, String(raw));
  assert.equal(v.formatRate(50), '50/s');
  assert.equal(v.formatRate(0.5), '30/m');
  assert.equal(v.formatRate(1 / 3600), '1/h');
});

test('percentages become fractions; above 100 % is refused', () => {
  const table: Array<[unknown, number]> = [['1%', 0.01], ['0.5%', 0.005], [0.01, 0.01], ['0.01', 0.01], ['100%', 1], [0, 0]];
  for (const [raw, fraction] of table) assert.equal(value(v.parsePercentage(raw)), fraction, String(raw));
  assert.match(message(v.parsePercentage('150%')), /between 0% and 100%/);
  assert.match(message(v.parsePercentage(2)), /fraction between 0 and 1/);
  assert.match(message(v.parsePercentage('lots')), /expected a percentage like 1%/);
  assert.equal(v.formatPercentage(0.005), '0.5%');
});

test('kind mixes accept RR types or kinds and normalise the weights', () => {
  assert.deepEqual(value(v.parseKindMix('A=70,AAAA=10,CNAME=10,TXT=10')), { ARecord: 0.7, AAAARecord: 0.1, CNAMERecord: 0.1, TXTRecord: 0.1 });
  assert.deepEqual(value(v.parseKindMix({ ARecord: 3, mx: 1 })), { ARecord: 0.75, MXRecord: 0.25 });
  assert.match(message(v.parseKindMix('A=70,AAAAA=10')), /unknown key 'AAAAA'.*did you mean 'AAAA'/);
  assert.match(message(v.parseKindMix('A=-1,TXT=2')), /weights ≥ 0/);
  assert.match(message(v.parseKindMix('A=0,TXT=0')), /sum above 0/);
  assert.match(message(v.parseKindMix('A=1,A=2')), /twice/);
  assert.match(message(v.parseKindMix('60,30,10')), /expected a mix like A=70/);
});

test('operation mixes are positional create,update,delete or keyed', () => {
  assert.deepEqual(value(v.parseOperationMix('60,30,10')), { create: 0.6, update: 0.3, delete: 0.1 });
  assert.deepEqual(value(v.parseOperationMix('create=1,delete=1')), { create: 0.5, delete: 0.5 });
  assert.match(message(v.parseOperationMix('60,30')), /expected 3 weights/);
  assert.match(message(v.parseOperationMix('creat=1')), /did you mean 'create'/);
  assert.equal(v.formatMix(value(v.parseOperationMix('60,30,10')), v.operations), 'create=60,update=30,delete=10');
});

test('ranges: a..b, one number, or {min, max}; min ≤ max', () => {
  assert.deepEqual(value(v.parseRange('100..1000')), { min: 100, max: 1000 });
  assert.deepEqual(value(v.parseRange(60)), { min: 60, max: 60 });
  assert.deepEqual(value(v.parseRange({ min: 60, max: 3600 })), { min: 60, max: 3600 });
  assert.match(message(v.parseRange('1000..100')), /min ≤ max/);
  assert.match(message(v.parseRange({ min: 1, maxx: 2 })), /unknown key 'maxx'/);
  assert.match(message(v.parseRange('a..b')), /expected a range like 60..3600/);
  assert.equal(v.formatRange({ min: 60, max: 3600 }), '60..3600');
});

test('sizes are MiB; decimal and binary units are told apart', () => {
  const table: Array<[unknown, number]> = [['512Mi', 512], ['512MiB', 512], ['1GiB', 1024], ['1Gi', 1024], [256, 256], ['1000000B', 0.954]];
  for (const [raw, mib] of table) assert.equal(value(v.parseSizeMiB(raw)), mib, String(raw));
  assert.match(message(v.parseSizeMiB('lots')), /expected a size like 512Mi/);
});

test('byte sizes may be 0; a bare number is bytes; they print in the largest whole binary unit', () => {
  const table: Array<[unknown, number]> = [[0, 0], ['0', 0], [4096, 4096], ['64Ki', 65536], ['4Mi', 4194304], ['1GiB', 2 ** 30]];
  for (const [raw, bytes] of table) assert.equal(value(v.parseSizeBytes(raw)), bytes, String(raw));
  for (const bad of [-1, 1.5, 'lots', '-4Mi']) assert.match(message(v.parseSizeBytes(bad)), /expected a size like 0, 512Ki, 4Mi or 1GiB/, String(bad));
  assert.deepEqual([0, 1536, 65536, 4194304].map(v.formatSizeBytes), ['0', '1536', '64Ki', '4Mi']);
});

test('distributions: a fixed duration or uniform(min,max)', () => {
  assert.deepEqual(value(v.parseDistribution('300ms')), { kind: 'fixed', ms: 300 });
  assert.deepEqual(value(v.parseDistribution('uniform(200ms, 400ms)')), { kind: 'uniform', minMs: 200, maxMs: 400 });
  assert.match(message(v.parseDistribution('uniform(400ms,200ms)')), /min ≤ max/);
  assert.match(message(v.parseDistribution('normal(1s,2s)')), /uniform\(200ms,400ms\)/);
  assert.equal(v.formatDistribution({ kind: 'uniform', minMs: 200, maxMs: 400 }), 'uniform(200ms,400ms)');
});

test('integers, booleans, URLs and names', () => {
  assert.equal(value(v.parseInteger('7', 0)), 7);
  assert.equal(message(v.parseInteger('abc', 0)), "expected a non-negative integer, got 'abc'");
  assert.equal(message(v.parseInteger(-5, 1)), 'expected a positive integer, got -5');
  assert.match(message(v.parseInteger(1.5, 1)), /positive integer/);
  assert.equal(value(v.parseBoolean('false')), false);
  assert.match(message(v.parseBoolean('yes please')), /true or false/);
  assert.equal(value(v.parseUrl('http://prometheus:9090')), 'http://prometheus:9090');
  assert.match(message(v.parseUrl('ftp://x')), /http\(s\) URL/);
  assert.match(message(v.parseDnsLabel('Bad_Name')), /Kubernetes name/);
});

test('suggestions only for likely typos', () => {
  assert.equal(suggest('recrods', ['records', 'zones']), 'records');
  assert.equal(suggest('zonez', ['records', 'zones']), 'zones');
  assert.equal(suggest('completely', ['records', 'zones']), undefined);
});

test('memory leak rates: a size per second, minute or hour, in MiB per minute', () => {
  const table: Array<[string, number]> = [['30Mi/m', 30], ['1800MiB/h', 30], ['512Ki/s', 30], ['1GiB/h', 1024 / 60], ['30/m', 30]];
  for (const [raw, perMinute] of table) assert.ok(Math.abs(value(v.parseLeakRate(raw)) - perMinute) < 1e-9, raw);
  for (const bad of ['30', 30, '30Mi', '0Mi/m', '30Mi/day', 'leaky']) assert.match(message(v.parseLeakRate(bad)), /expected a memory rate like 30Mi\/m/, String(bad));
  assert.equal(v.formatLeakRate(30), '30Mi/m');
  // Sizes are read to 0.001 MiB, so a formatted rate parses back to within that.
  assert.ok(Math.abs(value(v.parseLeakRate(v.formatLeakRate(1024 / 60))) - 1024 / 60) <= 0.001);
});
