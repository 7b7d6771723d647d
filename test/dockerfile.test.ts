/**
 * The repository's Dockerfile, the image the shard Job's pods run, read by a real Dockerfile parser
 * (dockerfile-ast, the one behind VS Code's Dockerfile language server): it parses, its runtime
 * stage is Node 20 slim with production dependencies only and a numeric non-root user (a pod with
 * runAsNonRoot can verify only a numeric one), and its entry point is the CLI, which takes the
 * arguments the Job's container gets. No Docker runs here: docs/cluster.md says how to build it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { Copy, DockerfileParser } from 'dockerfile-ast';
import { runCli } from './helpers/cli.js';
import { shardJobObjects } from '../src/scenarios/shard-job-manifest.js';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root.js';

const root = packageRoot();

test('the Dockerfile parses: a build stage, a Node 20 slim runtime with npm ci --omit=dev, user 1000, the CLI as entry point', async () => {
  const text = await readFile(join(root, 'Dockerfile'), 'utf8');
  const d = DockerfileParser.parse(text);
  const froms = d.getFROMs();
  assert.equal(froms.length, 2, 'a build stage and a runtime stage');
  const runtime = froms.at(-1);
  assert.equal(runtime?.getImageName(), 'node');
  assert.match(runtime?.getImageTag() ?? '', /^20(\.\d+)*-.*slim$/);
  const after = (i: { getRange(): { start: { line: number } } }): boolean => i.getRange().start.line > (runtime?.getRange().start.line ?? 0);
  const runtimeSteps = d.getInstructions().filter(after).map((i) => `${i.getKeyword()} ${i.getArgumentsContent() ?? ''}`);
  assert.ok(runtimeSteps.some((s) => /^RUN npm ci --omit=dev\b/.test(s)), runtimeSteps.join('\n'));
  const dist = d.getInstructions().filter(after).find((i): i is Copy => i instanceof Copy && i.getArgumentsContent() === '/app/dist ./dist');
  assert.equal(dist?.getFromFlag()?.getValue(), 'build', 'dist/ is built in the build stage and copied from it');
  assert.ok(!runtimeSteps.some((s) => /^RUN npm (ci|install)(?!.*--omit=dev)/.test(s)), 'no dev dependencies in the image');
  // The in-cluster bind query/resperf pod runs this image: dnsperf (with resperf) from Debian's package, installed as root before USER.
  const dnsperf = runtimeSteps.findIndex((s) => /^RUN apt-get update && apt-get install -y --no-install-recommends dnsperf\b/.test(s));
  assert.ok(dnsperf >= 0 && dnsperf < runtimeSteps.findIndex((s) => s.startsWith('USER ')), 'dnsperf installed in the runtime stage, before the user changes');
  const user = runtimeSteps.filter((s) => s.startsWith('USER ')).at(-1);
  assert.match(user ?? '', /^USER [1-9]\d*(:\d+)?$/, 'a numeric non-root user');
  const [entry] = d.getENTRYPOINTs();
  assert.ok(entry, 'an ENTRYPOINT');
  const argv = entry.getJSONStrings().map((s) => s.getJSONValue());
  assert.deepEqual(argv, ['node', '--max-semi-space-size=4', '--optimize-for-size', '/app/bin/bindy-loadtest.js'], 'exec form: node runs the launcher (signals reach it)');
  // The image runs Node with the launcher's own flags (its shebang is not read when node runs the file).
  const shebang = readFileSync(join(root, 'bin', 'bindy-loadtest.js'), 'utf8').split('\n')[0] ?? '';
  assert.deepEqual(argv.slice(1, -1), shebang.replace(/^#!\/usr\/bin\/env -S node /, '').split(' '), shebang);
  assert.ok(runtimeSteps.includes('COPY bin ./bin'), 'the launcher is in the image');
  assert.equal(d.getInstructions().some((i) => i.getKeyword() === 'ENTRYPOINT' && !after(i)), false);
});

test('the entry point takes the Job container\'s arguments: burst-shard --spec-configmap NS/NAME (outside a pod: exit 2 naming the missing index)', async () => {
  const job = shardJobObjects({ runId: 'r', namespace: 'ns', count: 2, image: 'i', specText: '{}', kinds: ['DNSZone'], runBoundSeconds: 1, toolVersion: '0' }).at(-1) as { spec: { template: { spec: { containers: { args: string[] }[] } } } };
  const args = job.spec.template.spec.containers[0]?.args ?? [];
  assert.deepEqual(args.slice(0, 2), ['burst-shard', '--spec-configmap']);
  const r = await runCli(args, { env: {} });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^bindy-loadtest: burst-shard --spec-configmap runs in a pod of an Indexed Job: JOB_COMPLETION_INDEX is not set\n$/);
});
