/**
 * The cluster deployment files (deploy/loadtest/) and the CI workflow (.github/workflows/load-tests.yaml)
 * checked with real validators: action-validator for the workflow (and bash -n for its scripts),
 * kind's v1alpha4 types (a JSON schema written from them: no kind validator exists on npm),
 * kubernetes-models' Kubernetes JSON schemas for core objects (plus unknown fields from
 * @kubernetes/client-node's generated models), bindy's and Chaos Mesh's own CRDs
 * (read from shared/ as data) for their objects, named-checkconf for BIND9's options, promtool for
 * the scrape configs, and the charts' value keys for the Helm values. Under CI=true missing shared
 * data fails the test instead of skipping it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parse, parseAllDocuments } from 'yaml';
import { Ajv } from 'ajv';
import { ConfigMap, Namespace, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { unknownFields } from './helpers/kube-models.js';
import type { ValidationState } from '@action-validator/core';
import { profiles } from '../src/config/profiles.js';
import { defaultConfig as defaults } from '../src/config/defaults.js';
import { loadCrdSchemas } from '../src/model/schemas/crd-files.js';
import { toJsonSchema } from '../src/model/schemas/to-json-schema.js';
import { newAjv } from '../src/model/schemas/validator.js';
import { managedNamespaceLabel, managedNamespaceValue } from '../src/targets/cluster/namespace.js';
import { packageRoot } from '../src/package-root.js';

const run = promisify(execFile);
const root = packageRoot();
const deployDir = join(root, 'deploy/loadtest');
const workflowPath = join(root, '.github/workflows/load-tests.yaml');
const here = join(root, 'test', 'deploy');

// action-validator's core is a CommonJS wasm-bindgen module.
const actionValidator = createRequire(import.meta.url)('@action-validator/core') as { validateWorkflow(src: string): ValidationState };

/**
 * shared/ lies beside the clone (CI) or beside the folder of worktrees (a helper's worktree).
 * Outside CI a missing folder skips the tests that need it; under CI=true they run and fail.
 */
function sharedData(sub: string): { dir: string; skip: string | false } {
  const dir = [join(root, '..', 'shared', sub), join(root, '..', '..', 'shared', sub)].find((d) => existsSync(d)) ?? join(root, '..', 'shared', sub);
  const missing = !existsSync(dir);
  return { dir, skip: missing && process.env.CI !== 'true' ? `shared data not found at ${dir}` : false };
}
const bindyCrds = sharedData('bindy/deploy/operator/crds');
const chaosCrds = sharedData('chaos-mesh/crds');

type Obj = Record<string, unknown> & { apiVersion?: unknown; kind?: unknown; metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } };

async function docsOf(path: string): Promise<Obj[]> {
  const docs = parseAllDocuments(await readFile(path, 'utf8'));
  for (const d of docs) assert.deepEqual(d.errors, [], `${path}: YAML errors`);
  return docs.map((d) => d.toJS() as Obj).filter((o) => o !== null);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function workflow(): Promise<{ text: string; doc: Record<string, unknown> }> {
  const text = await readFile(workflowPath, 'utf8');
  const doc: unknown = parse(text);
  assert.ok(isRecord(doc));
  return { text, doc };
}

test('workflow: action-validator accepts it, and rejects a broken copy (the validator is live)', async () => {
  const { text } = await workflow();
  const state = actionValidator.validateWorkflow(text);
  assert.equal(state.actionType, 'workflow');
  assert.deepEqual(state.errors, [], JSON.stringify(state.errors, null, 2));
  const broken = text.replace('runs-on: ubuntu-24.04', 'runs_on: ubuntu-24.04');
  assert.notEqual(broken, text);
  assert.ok(actionValidator.validateWorkflow(broken).errors.length > 0, 'a job without runs-on is refused');
});

test('workflow: nightly and on demand by profile (the tool\'s profiles), kind, the tool, the pinned bindy, the run, artifacts, analyze, summary', async () => {
  const { text, doc } = await workflow();
  const on = doc.on;
  assert.ok(isRecord(on));
  assert.ok(Array.isArray(on.schedule) && on.schedule.length > 0, 'nightly schedule');
  const dispatch = on.workflow_dispatch;
  assert.ok(isRecord(dispatch) && isRecord(dispatch.inputs) && isRecord(dispatch.inputs.profile));
  assert.deepEqual(dispatch.inputs.profile.options, Object.keys(profiles), 'the profile input offers exactly the tool\'s profiles');
  assert.ok(Object.keys(profiles).includes(String(dispatch.inputs.profile.default)));
  const jobs = doc.jobs;
  assert.ok(isRecord(jobs));
  const steps = Object.values(jobs).flatMap((j): unknown[] => (isRecord(j) && Array.isArray(j.steps) ? (j.steps as unknown[]) : [])).filter(isRecord);
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  const uses = steps.map((s) => str(s.uses));
  const kind = steps.find((s) => str(s.uses).startsWith('helm/kind-action@'));
  assert.ok(kind && isRecord(kind.with), 'kind through helm/kind-action');
  assert.equal(kind.with.config, 'deploy/loadtest/kind-config.yaml');
  assert.ok(uses.some((u) => u.startsWith('actions/upload-artifact@')), 'results uploaded as artifacts');
  const runs = steps.map((s) => str(s.run)).join('\n');
  assert.match(runs, /bash scripts\/setup\.sh && npm ci/);
  assert.match(runs, /kubectl apply --server-side -k deploy\/loadtest\/bindy/);
  // Both jobs run the profile's suite through the one script, the kind job against the cluster.
  for (const [name, job] of Object.entries(jobs)) {
    const jobRuns = (isRecord(job) && Array.isArray(job.steps) ? (job.steps as unknown[]) : []).filter(isRecord).map((s) => str(s.run)).join('\n');
    assert.match(jobRuns, /bash scripts\/run-profile\.sh --profile "\$PROFILE" --out results/, `${name} runs the profile`);
  }
  assert.match(runs, /--global "--target cluster --context kind-\$\{CLUSTER\}"/);
  const script = await readFile(join(root, 'scripts/run-profile.sh'), 'utf8');
  assert.match(script, /baseline --input/);
  assert.match(script, /analyze --baseline/);
  assert.match(runs, /GITHUB_STEP_SUMMARY/);
  // Every file of this repository the workflow names exists.
  const named = [...text.matchAll(/(?:deploy|scripts|dashboards)\/[\w./-]+\.(?:ya?ml|sh)|deploy\/loadtest\/bindy\b/g)].map((m) => m[0]);
  assert.ok(named.length >= 6, named.join(' '));
  for (const p of new Set(named)) assert.ok(existsSync(join(root, p)), `${p} named by the workflow exists`);
});

test('workflow: every run script parses with bash -n (expressions replaced by a word)', async (t) => {
  const { doc } = await workflow();
  const dir = await mkdtemp(join(tmpdir(), 'bindy-loadtest-wf-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const jobs = isRecord(doc.jobs) ? doc.jobs : {};
  let n = 0;
  for (const job of Object.values(jobs)) {
    for (const step of isRecord(job) && Array.isArray(job.steps) ? job.steps : []) {
      if (!isRecord(step) || typeof step.run !== 'string') continue;
      const file = join(dir, `step-${n++}.sh`);
      await writeFile(file, step.run.replace(/\$\{\{[^}]*\}\}/g, 'EXPR'));
      await assert.doesNotReject(run('bash', ['-n', file]), `step "${String(step.name)}"`);
    }
  }
  assert.ok(n >= 10, `${n} run steps`);
  await writeFile(join(dir, 'bad.sh'), 'if [ x ]; then echo\n');
  await assert.rejects(run('bash', ['-n', join(dir, 'bad.sh')]), 'bash -n catches a broken script');
});

test('workflow: the baseline window keeps, per scenario, this run and the 2 newest green runs before it', async (t) => {
  const { doc } = await workflow();
  const jobs = isRecord(doc.jobs) ? doc.jobs : {};
  assert.deepEqual(Object.keys(jobs).sort(), ['kind', 'sandbox'], 'the profile on kind and on the sandbox');
  const kindJob = jobs.kind;
  const step = (isRecord(kindJob) && Array.isArray(kindJob.steps) ? (kindJob.steps as unknown[]) : []).filter(isRecord).find((s) => s.name === 'Keep this run in the baseline window (newest 3 green runs of each scenario)');
  assert.ok(step && typeof step.run === 'string');
  const dir = await mkdtemp(join(tmpdir(), 'bindy-loadtest-window-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const older = ['burst-20261201-021700-aaaa', 'burst-20261130-021700-bbbb', 'burst-20261202-021700-cccc', 'sustained-20261130-022000-eeee', 'sustained-20261202-022000-ffff'];
  for (const id of older) {
    await mkdir(join(dir, 'baseline-runs', id), { recursive: true });
    await writeFile(join(dir, 'baseline-runs', id, 'result.json'), '{}');
  }
  // scripts/run-profile.sh writes results/<scenario>/<run-id>/.
  const current = ['burst-20261203-021700-dddd', 'sustained-20261203-022000-gggg'];
  for (const id of current) {
    await mkdir(join(dir, 'results', id.split('-')[0] ?? '', id), { recursive: true });
    await writeFile(join(dir, 'results', id.split('-')[0] ?? '', id, 'result.json'), '{}');
  }
  await mkdir(join(dir, 'results', 'burst', 'not-a-run'), { recursive: true });
  await writeFile(join(dir, 'step.sh'), step.run);
  await run('bash', ['-e', join(dir, 'step.sh')], { cwd: dir });
  assert.deepEqual((await readdir(join(dir, 'baseline-next'))).sort(), [
    'burst-20261201-021700-aaaa',
    'burst-20261202-021700-cccc',
    'burst-20261203-021700-dddd',
    'sustained-20261130-022000-eeee',
    'sustained-20261202-022000-ffff',
    'sustained-20261203-022000-gggg',
  ]);
  for (const id of current) assert.ok(existsSync(join(dir, 'baseline-next', id, 'result.json')));
});

test('kind config: valid against kind\'s v1alpha4 types; 1 control plane + 3 workers; containerd reads the registry host files registry.sh writes', async () => {
  const schema: unknown = JSON.parse(await readFile(join(here, 'kind-v1alpha4.schema.json'), 'utf8'));
  assert.ok(isRecord(schema));
  const check = new Ajv({ allErrors: true, strict: false }).compile(schema);
  const [config] = await docsOf(join(deployDir, 'kind-config.yaml'));
  assert.ok(check(config), JSON.stringify(check.errors));
  const nodes = (config?.nodes ?? []) as { role?: string }[];
  assert.deepEqual(nodes.map((n) => n.role ?? 'control-plane'), ['control-plane', 'worker', 'worker', 'worker']);
  const patches = (config?.containerdConfigPatches ?? []) as string[];
  assert.ok(patches.some((p) => p.includes('config_path = "/etc/containerd/certs.d"')));
  const script = await readFile(join(deployDir, 'registry.sh'), 'utf8');
  assert.match(script, /dir="\/etc\/containerd\/certs\.d\/localhost:\$\{port\}"/);
  assert.match(script, /^cluster="\$\{1:-bindy-loadtest\}"$/m, 'registry.sh defaults to the cluster name of the config');
  assert.equal(config?.name, 'bindy-loadtest');
  await run('bash', ['-n', join(deployDir, 'registry.sh')]);
  // kind refuses unknown fields; so does the schema.
  assert.equal(check({ ...config, nodes: [{ role: 'worker', lables: {} }] }), false);
  assert.equal(check({ ...config, nodes: [{ role: 'master' }] }), false);
});


/** Core Kubernetes kinds this directory writes, each with kubernetes-models' schema validation. */
const coreModels: Record<string, (o: Obj) => { validate(): void }> = {
  'v1/ConfigMap': (o) => new ConfigMap(o),
  'v1/Namespace': (o) => new Namespace(o),
  'v1/Service': (o) => new Service(o),
  'apps/v1/Deployment': (o) => new Deployment(o),
};

test('Kubernetes objects: every core object validates against the Kubernetes schema (kubernetes-models) and has no unknown field; a wrong type or a typo does not', async () => {
  let n = 0;
  for (const file of ['local-registry-hosting.yaml', 'bind9-cluster.yaml', 'bind9-exporter.yaml']) {
    for (const o of await docsOf(join(deployDir, file))) {
      const key = `${String(o.apiVersion)}/${String(o.kind)}`;
      if (String(o.apiVersion).startsWith('bindy.firestoned.io/')) continue; // against bindy's CRDs below
      const model = coreModels[key];
      assert.ok(model, `${file}: no schema for ${key}`);
      assert.doesNotThrow(() => model(o).validate(), `${file}: ${key} ${o.metadata?.name ?? ''}`);
      assert.deepEqual(unknownFields(o, `V1${String(o.kind)}`, String(o.kind)), [], `${file}: ${key} has only fields Kubernetes knows`);
      n++;
    }
  }
  assert.ok(n >= 7, `${n} objects`);
  const [deployment] = (await docsOf(join(deployDir, 'bind9-exporter.yaml'))).filter((o) => o.kind === 'Deployment');
  assert.ok(deployment);
  const bad = structuredClone(deployment) as { spec: { template: { spec: { containers: { ports: { containerPort: unknown }[] }[] } } } };
  const port = bad.spec.template.spec.containers[0]?.ports[0];
  assert.ok(port);
  port.containerPort = 'metrics';
  assert.throws(() => coreModels['apps/v1/Deployment']?.(bad).validate());
  const typo = structuredClone(deployment) as { spec: Record<string, unknown> };
  typo.spec.selecter = typo.spec.selector;
  assert.deepEqual(unknownFields(typo, 'V1Deployment', 'Deployment'), ['Deployment.spec.selecter']);
});

test('the BIND9 cluster: Bind9Cluster valid against bindy\'s CRD (strict), in the tool\'s namespace under its label, one exporter per instance it makes', { skip: bindyCrds.skip }, async () => {
  assert.ok(existsSync(bindyCrds.dir), `bindy's CRDs are needed at ${bindyCrds.dir}`);
  const schemas = await loadCrdSchemas(bindyCrds.dir);
  const ajv = newAjv();
  const objects = await docsOf(join(deployDir, 'bind9-cluster.yaml'));
  const cluster = objects.find((o) => o.kind === 'Bind9Cluster');
  assert.ok(cluster);
  const schema = schemas.get('Bind9Cluster');
  assert.ok(schema);
  const check = ajv.compile(toJsonSchema(schema, { strict: true, root: true }));
  assert.ok(check(cluster), JSON.stringify(check.errors));
  assert.equal(check({ ...cluster, spec: { ...(cluster.spec as object), primry: { replicas: 1 } } }), false, 'a misspelt field is refused');

  assert.equal(cluster.metadata?.name, defaults.fixtures.clusterName, 'the cluster the tool selects by default');
  const ns = objects.find((o) => o.kind === 'Namespace');
  assert.equal(ns?.metadata?.name, defaults.namespace);
  assert.equal(ns?.metadata?.labels?.[managedNamespaceLabel], managedNamespaceValue, 'the preflight accepts the namespace as the tool\'s own');
  const spec = cluster.spec as { configMapRefs: { namedConfOptions: string }; primary: { replicas: number }; secondary: { replicas: number } };
  const cm = objects.find((o) => o.kind === 'ConfigMap');
  assert.equal(cm?.metadata?.name, spec.configMapRefs.namedConfOptions);
  assert.ok(isRecord(cm?.data) && typeof cm.data['named.conf.options'] === 'string');

  const instances = [
    ...Array.from({ length: spec.primary.replicas }, (_, i) => `${String(cluster.metadata?.name)}-primary-${i}`),
    ...Array.from({ length: spec.secondary.replicas }, (_, i) => `${String(cluster.metadata?.name)}-secondary-${i}`),
  ];
  const exporter = await docsOf(join(deployDir, 'bind9-exporter.yaml'));
  const selected = exporter.filter((o) => o.kind === 'Service').map((o) => (o.spec as { selector: Record<string, string> }).selector['app.kubernetes.io/instance']);
  assert.deepEqual(selected.sort(), instances.sort(), 'a stats Service for every instance the cluster makes');
  for (const d of exporter.filter((o) => o.kind === 'Deployment')) {
    const args = (d.spec as { template: { spec: { containers: { args: string[] }[] } } }).template.spec.containers[0]?.args ?? [];
    const url = args.find((a) => a.startsWith('--bind.stats-url='));
    assert.ok(url && exporter.some((s) => s.kind === 'Service' && url.includes(`//${s.metadata?.name ?? '?'}:8053/`)), `${d.metadata?.name ?? ''} reads a stats Service`);
  }
});

test('the BIND9 options file passes named-checkconf (included from a named.conf as bindy does)', async (t) => {
  const [, cm] = (await docsOf(join(deployDir, 'bind9-cluster.yaml'))).filter((o) => o.kind === 'Namespace' || o.kind === 'ConfigMap');
  const options = isRecord(cm?.data) ? cm.data['named.conf.options'] : undefined;
  assert.ok(typeof options === 'string');
  const dir = await mkdtemp(join(tmpdir(), 'bindy-loadtest-named-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'named.conf.options'), options);
  await writeFile(join(dir, 'named.conf'), `include "${join(dir, 'named.conf.options')}";\n`);
  const checkconf = existsSync('/usr/sbin/named-checkconf') ? '/usr/sbin/named-checkconf' : 'named-checkconf';
  await assert.doesNotReject(run(checkconf, [join(dir, 'named.conf')]));
  await writeFile(join(dir, 'named.conf.options'), options.replace('port 8053', 'prot 8053'));
  await assert.rejects(run(checkconf, [join(dir, 'named.conf')]), 'named-checkconf catches a broken statistics-channels');
});

test('Chaos Mesh experiments validate against Chaos Mesh\'s CRDs (strict); each is bounded and selects only the test and bindy namespaces', { skip: chaosCrds.skip }, async () => {
  assert.ok(existsSync(chaosCrds.dir), `Chaos Mesh's CRDs are needed at ${chaosCrds.dir}`);
  const schemas = await loadCrdSchemas(chaosCrds.dir);
  const ajv = newAjv();
  const dir = join(deployDir, 'chaos');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 3);
  for (const file of files) {
    for (const o of await docsOf(join(dir, file))) {
      assert.equal(o.apiVersion, 'chaos-mesh.org/v1alpha1', file);
      const schema = schemas.get(String(o.kind));
      assert.ok(schema, `${file}: no Chaos Mesh CRD for ${String(o.kind)}`);
      const check = ajv.compile(toJsonSchema(schema, { strict: true, root: true }));
      // The CRD leaves metadata to the API server (an object with no properties): check it here.
      assert.match(o.metadata?.name ?? '', /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, `${file}: metadata.name`);
      assert.ok(['bindy-loadtest', 'bindy-system'].includes(o.metadata?.namespace ?? ''), `${file}: metadata.namespace`);
      const body = { ...o, metadata: {} };
      assert.ok(check(body), `${file}: ${JSON.stringify(check.errors)}`);
      const spec = o.spec as { action: string; duration?: string; selector: { namespaces: string[] }; target?: { selector: { namespaces: string[] } } };
      for (const n of [...spec.selector.namespaces, ...(spec.target?.selector.namespaces ?? [])]) assert.ok(['bindy-loadtest', 'bindy-system'].includes(n), `${file}: namespace ${n}`);
      // A lasting fault carries its dead-man duration; a pod kill is one-shot.
      if (spec.action !== 'pod-kill') assert.match(spec.duration ?? '', /^\d+[smh]$/, `${file}: duration`);
      const broken = { ...body, spec: { ...spec, action: 'pod-explode' } };
      assert.equal(check(broken), false, `${file}: an unknown action is refused`);
    }
  }
});

test('Helm values: only keys the charts have (kube-prometheus-stack, Chaos Mesh); Chaos Mesh on containerd', async () => {
  const ajv = new Ajv({ allErrors: true, strict: false });
  for (const [values, schemaFile] of [
    ['prometheus-values.yaml', 'kube-prometheus-stack-values.schema.json'],
    ['chaos-mesh-values.yaml', 'chaos-mesh-values.schema.json'],
  ] as const) {
    const schema: unknown = JSON.parse(await readFile(join(here, schemaFile), 'utf8'));
    assert.ok(isRecord(schema));
    const check = ajv.compile(schema);
    const [doc] = await docsOf(join(deployDir, values));
    assert.ok(check(doc), `${values}: ${JSON.stringify(check.errors)}`);
    assert.equal(check({ ...doc, grafanna: {}, chaosDeamon: {} }), false, `${values}: a misspelt key is refused`);
  }
  const [chaos] = await docsOf(join(deployDir, 'chaos-mesh-values.yaml'));
  assert.deepEqual((chaos as { chaosDaemon: unknown }).chaosDaemon, { runtime: 'containerd', socketPath: '/run/containerd/containerd.sock', privileged: true });
});

test('Prometheus scrape configs pass promtool check config; they scrape bindy by annotation, bindcar, BIND9\'s exporter and the Pushgateway', async (t) => {
  const [values] = await docsOf(join(deployDir, 'prometheus-values.yaml'));
  const spec = (values as { prometheus: { prometheusSpec: { additionalScrapeConfigs: { job_name: string; honor_labels?: boolean }[]; scrapeInterval: string } } }).prometheus.prometheusSpec;
  const jobs = spec.additionalScrapeConfigs;
  assert.deepEqual(jobs.map((j) => j.job_name), ['bindy-pods', 'bindcar', 'bind9', 'pushgateway']);
  assert.equal(jobs.find((j) => j.job_name === 'pushgateway')?.honor_labels, true, 'pushed job/instance labels are kept');
  const dir = await mkdtemp(join(tmpdir(), 'bindy-loadtest-prom-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const config = join(dir, 'prometheus.yml');
  const { stringify } = await import('yaml');
  // Debian's promtool is built without Kubernetes service discovery: check each role here and let
  // promtool check the rest of the job (relabelling, regexes, options) with a static target instead.
  const checkable = jobs.map((j) => {
    const { kubernetes_sd_configs: sd, ...rest } = j as { kubernetes_sd_configs?: { role: string }[] };
    for (const c of sd ?? []) assert.ok(['pod', 'service', 'endpoints', 'endpointslice', 'node', 'ingress'].includes(c.role), `${j.job_name}: role ${c.role}`);
    return sd === undefined ? rest : { ...rest, static_configs: [{ targets: ['127.0.0.1:9'] }] };
  });
  await writeFile(config, stringify({ global: { scrape_interval: spec.scrapeInterval }, scrape_configs: checkable }));
  await assert.doesNotReject(run('promtool', ['check', 'config', config]));
  await writeFile(config, stringify({ scrape_configs: [{ ...checkable[0], relabel_configs: [{ action: 'kepp', regex: 'x' }] }] }));
  await assert.rejects(run('promtool', ['check', 'config', config]), 'promtool catches a bad relabel action');
});

test('bindy kustomization: one release tag for every manifest and the image (never latest or a branch); the CRDs are bindy\'s 12 at that release', { skip: bindyCrds.skip }, async () => {
  const [k] = await docsOf(join(deployDir, 'bindy/kustomization.yaml'));
  assert.equal(k?.kind, 'Kustomization');
  const resources = (k?.resources ?? []) as string[];
  const tags = new Set<string>();
  for (const r of resources) {
    const m = /^https:\/\/raw\.githubusercontent\.com\/firestoned\/bindy\/(v\d+\.\d+\.\d+(?:-[\w.]+)?)\/deploy\/operator\/([\w./-]+\.yaml)$/.exec(r);
    assert.ok(m, `${r}: a file of bindy's repository at a release tag`);
    tags.add(m[1] ?? '');
  }
  assert.equal(tags.size, 1, `one release for every manifest, got ${[...tags].join(', ')}`);
  const [tag] = [...tags];
  const images = (k?.images ?? []) as { name: string; newTag?: string; digest?: string }[];
  const bindy = images.find((i) => i.name === 'ghcr.io/firestoned/bindy');
  assert.ok(bindy && (bindy.newTag === tag || /^sha256:[0-9a-f]{64}$/.test(bindy.digest ?? '')), `the operator image pinned to ${tag ?? ''}`);
  for (const p of ['namespace.yaml', 'rbac/serviceaccount.yaml', 'rbac/role.yaml', 'rbac/rolebinding.yaml', 'deployment.yaml']) {
    assert.ok(resources.some((r) => r.endsWith(`/deploy/operator/${p}`)), `${p} is installed`);
  }
  assert.ok(existsSync(bindyCrds.dir), `bindy's CRDs are needed at ${bindyCrds.dir}`);
  const crds = resources.filter((r) => r.includes('/crds/')).map((r) => r.slice(r.lastIndexOf('/') + 1)).sort();
  const expected = (await readdir(bindyCrds.dir)).filter((f) => f.endsWith('.crd.yaml')).sort();
  assert.deepEqual(crds, expected);
});
