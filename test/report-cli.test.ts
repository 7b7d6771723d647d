/** @module `bindy-loadtest report` end to end in process: formats, --output, bad input (exit 2), unreachable Pushgateway (exit 3). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';

const example = 'examples/result.example.json';

test('report: json re-serialises the same result; markdown and prometheus go to stdout', async () => {
  const json = await runCli(['report', '--input', example, '--format', 'json']);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), JSON.parse(await readFile(example, 'utf8')));
  const md = await runCli(['report', '--input', example, '--format', 'markdown']);
  assert.equal(md.code, 0, md.stderr);
  assert.match(md.stdout, /^\*\*PASS\*\* \(1 criterion passed, 1 not measured\)\n\n# bindy-loadtest burst: completed/);
  const prom = await runCli(['report', '--input', example, '--format', 'prometheus']);
  assert.equal(prom.code, 0, prom.stderr);
  assert.match(prom.stdout, /^bindy_loadtest_run_info\{run_id="lt-20260112-0930-7f3a",scenario="burst",profile="quick"/m);
});

test('report: html to --output (before or after the format flag), nothing on stdout', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'report-cli-'));
  try {
    for (const argv of [
      ['report', '--input', example, '--format', 'html', '--output', join(dir, 'a.html')],
      ['report', '-o', join(dir, 'b.html'), '--input', example, '--format', 'html'],
    ]) {
      const r = await runCli(argv);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /report: wrote html to .*\.html \(\d+ bytes\)/);
    }
    const html = await readFile(join(dir, 'a.html'), 'utf8');
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /Charts drawn by uPlot \d/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('report: bad input exits 2 with one line', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'report-cli-'));
  try {
    const doc = JSON.parse(await readFile(example, 'utf8')) as Record<string, unknown>;
    const v7 = join(dir, 'v7.json');
    await writeFile(v7, JSON.stringify({ ...doc, schemaVersion: 7 }));
    const cases: [string[], RegExp][] = [
      [['report', '--input', v7, '--format', 'html'], /v7\.json: schemaVersion 7 is not supported by bindy-loadtest .* \(it reads version 1\)/],
      [['report', '--input', join(dir, 'missing.json'), '--format', 'json'], /missing\.json: cannot read the result file \(ENOENT\)/],
      [['report', '--input', example], /give --format \(json, markdown, html, prometheus\) or --pushgateway URL/],
      [['report', '--input', example, '--format', 'pdf'], /argument 'pdf' is invalid/],
      [['report', '--format', 'json'], /required option '--input <file>' not specified/],
      [['report', '--input', example, '--pushgateway', 'ftp://x'], /--pushgateway ftp:\/\/x: must be an http:\/\/ or https:\/\/ URL/],
    ];
    for (const [argv, message] of cases) {
      const r = await runCli(argv);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('report: an unreachable Pushgateway exits 3', async () => {
  // A port that was free a moment ago: nothing listens there.
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((resolve) => srv.close(resolve));
  const r = await runCli(['report', '--input', example, '--pushgateway', `http://127.0.0.1:${port}`]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, new RegExp(`pushgateway http://127\\.0\\.0\\.1:${port}: unreachable \\(ECONNREFUSED\\)`));
});
