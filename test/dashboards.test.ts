/**
 * The Grafana dashboards (dashboards/*.json): each is a well-formed dashboard on one Prometheus data
 * source, every panel query parses (promtool), and every query returns data from a real Prometheus
 * (Debian's) scraping a sandbox run as the cluster jobs of deploy/loadtest/prometheus-values.yaml
 * would: the operator twin (bindy-pods), the bindcar twin (bindcar), BIND9's statistics through
 * Debian's bind_exporter (bind9), and the Pushgateway the run pushed to (pushgateway).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { runCli } from './helpers/cli.js';
import { startListening } from './helpers/listening-process.js';
import { pushgatewaySkip, startPushgateway } from './helpers/pushgateway.js';
import { startSandbox } from '../src/targets/sandbox/supervisor/sandbox.js';
import { prometheusClient } from '../src/observe/prometheus-query.js';
import { packageRoot } from '../src/package-root.js';

const run = promisify(execFile);
const dashboardsDir = join(packageRoot(), 'dashboards');
const prometheusBin = '/usr/bin/prometheus';
const exporterBin = '/usr/bin/prometheus-bind-exporter';
const missing = [prometheusBin, exporterBin, '/usr/bin/promtool'].filter((b) => !existsSync(b));
const toolsSkip = missing.length > 0 ? `${missing.join(', ')} missing: run scripts/setup.sh (Debian packages prometheus, prometheus-bind-exporter)` : false;

interface Target { refId: string; expr: string; legendFormat?: string }
interface Panel { id: number; type: string; title: string; description?: string; gridPos: { x: number; y: number; w: number; h: number }; datasource: { type: string; uid: string }; targets: Target[] }
interface Variable { name: string; type: string; allValue?: string }
interface Dashboard { uid: string; title: string; schemaVersion: number; templating: { list: Variable[] }; panels: Panel[] }

async function dashboards(): Promise<[string, Dashboard][]> {
  const files = (await readdir(dashboardsDir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(files.map(async (f): Promise<[string, Dashboard]> => [f, JSON.parse(await readFile(join(dashboardsDir, f), 'utf8')) as Dashboard]));
}

/**
 * The query Grafana sends, each query variable as "All" (its allValue), with a rate interval that
 * spans the whole run: the queries are asked after the run (and its cleanup) ended, which on a busy
 * machine is more than a minute after the last DNS query; a 1 m window would then hold no increase.
 */
function substitute(expr: string, d: Dashboard): string {
  let out = expr.replaceAll('$__rate_interval', '15m');
  for (const v of d.templating.list) if (v.type === 'query') out = out.replaceAll(`$${v.name}`, v.allValue ?? '.+');
  return out;
}

/**
 * Panels that stay empty on a clean run of bindy 0.6.2's twin, each with why. Their queries are
 * still parsed and executed; only an empty answer is accepted.
 */
const emptyOnACleanRun: Record<string, string> = {
  'bindy-operator/Errors/s by kind and type': 'no series until the operator counts its first error',
  'bindy-operator/Kubernetes API requests/s (bindy 0.8 line)': 'only bindy 0.8 exposes it; the twin follows 0.6.2',
  'bindy-operator/Client rate-limit hits/s (bindy 0.8 line)': 'only bindy 0.8 exposes it; the twin follows 0.6.2',
  'bindy-bindcar/Rate-limited (429)/s': 'no series until bindcar refuses a request with 429',
};

test('dashboards: four well-formed dashboards on one Prometheus data source; every variable defined; every query parses (promtool)', { skip: toolsSkip }, async (t) => {
  const all = await dashboards();
  assert.deepEqual(all.map(([f]) => f), ['bind9.json', 'bindcar.json', 'bindy-loadtest.json', 'bindy-operator.json']);
  const dir = await mkdtemp(join(tmpdir(), 'bindy-loadtest-dash-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const uids = new Set<string>();
  const rules: { record: string; expr: string }[] = [];
  for (const [file, d] of all) {
    assert.ok(d.uid !== '' && !uids.has(d.uid) && d.title !== '', `${file}: a unique uid and a title`);
    uids.add(d.uid);
    assert.ok(d.schemaVersion >= 36, `${file}: schemaVersion`);
    const names = new Set(d.templating.list.map((v) => v.name));
    assert.ok(d.templating.list.some((v) => v.name === 'datasource' && v.type === 'datasource'), `${file}: a data source variable`);
    const ids = new Set<number>();
    for (const p of d.panels) {
      assert.ok(!ids.has(p.id), `${file}: panel ids unique (${p.id})`);
      ids.add(p.id);
      assert.ok(p.gridPos.w > 0 && p.gridPos.h > 0 && p.gridPos.x + p.gridPos.w <= 24, `${file}/${p.title}: gridPos`);
      assert.deepEqual(p.datasource, { type: 'prometheus', uid: '${datasource}' }, `${file}/${p.title}: the dashboard's data source`);
      assert.ok((p.description ?? '') !== '', `${file}/${p.title}: says what it shows`);
      assert.ok(p.targets.length > 0, `${file}/${p.title}: queries`);
      for (const q of p.targets) {
        for (const m of q.expr.matchAll(/\$(\w+)/g)) assert.ok(m[1] === '__rate_interval' || names.has(m[1] ?? ''), `${file}/${p.title}: $${m[1] ?? ''} is defined`);
        rules.push({ record: `dashboard:${d.uid.replaceAll('-', '_')}:${p.id}_${q.refId}`, expr: substitute(q.expr, d) });
      }
    }
  }
  assert.ok(rules.length >= 30, `${rules.length} queries`);
  // promtool parses every expression of a rules file: the dashboards' queries as recording rules.
  const file = join(dir, 'rules.yml');
  await writeFile(file, stringify({ groups: [{ name: 'dashboards', rules }] }));
  await assert.doesNotReject(run('promtool', ['check', 'rules', file]));
  await writeFile(file, stringify({ groups: [{ name: 'broken', rules: [{ record: 'x:y', expr: 'sum by (le (rate(x[1m]))' }] }] }));
  await assert.rejects(run('promtool', ['check', 'rules', file]), 'promtool catches a broken query');
});

test('dashboards: every panel query returns data from a real Prometheus scraping a sandbox run and the Pushgateway it pushed to', { skip: toolsSkip || pushgatewaySkip, timeout: 240_000 }, async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'bl-dashboards-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const sb = await startSandbox({ namespace: 'bindy-loadtest', detached: false, home });
  t.after(() => sb.stop());
  const gw = await startPushgateway();
  t.after(() => gw.stop());
  const exporter = await startListening(exporterBin, [`--bind.stats-url=${sb.state.bind9StatsUrl}`, '--bind.stats-groups=server,view,tasks', '--web.listen-address=127.0.0.1:0']);
  t.after(() => exporter.stop());

  const hostOf = (url: string): { host: string; path: string } => {
    const u = new URL(url);
    return { host: u.host, path: u.pathname };
  };
  const metricsOf = (name: string): string => {
    const url = sb.state.parts.find((p) => p.name === name)?.metricsUrl;
    assert.ok(url !== undefined, `the sandbox's ${name} serves metrics`);
    return url;
  };
  const job = (name: string, url: string, extra: Record<string, unknown> = {}): Record<string, unknown> => {
    const { host, path } = hostOf(url);
    return { job_name: name, metrics_path: path, static_configs: [{ targets: [host], labels: { pod: `${name}-0` } }], ...extra };
  };
  const config = join(home, 'prometheus.yml');
  await writeFile(config, stringify({
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    scrape_configs: [
      job('bindy-pods', metricsOf('operator')),
      job('bindcar', metricsOf('sidecar')),
      job('bind9', `${exporter.url}/metrics`),
      job('pushgateway', `${gw.url}/metrics`, { honor_labels: true }),
    ],
  }));
  const prom = await startListening(prometheusBin, [`--config.file=${config}`, `--storage.tsdb.path=${join(home, 'tsdb')}`, '--web.listen-address=127.0.0.1:0']);
  t.after(() => prom.stop());
  const client = prometheusClient(prom.url);

  // Every job scraped once before the run: a counter's increase needs a sample from before it (the
  // run's DNS queries come in its first seconds, which may precede Prometheus' first scrape).
  const ready = Date.now() + 60_000;
  // (Prometheus answers 503 until its storage is open: not yet.)
  const scraped = async (): Promise<number> => (await client.query('up == 1', Date.now() / 1000).catch(() => [])).length;
  while ((await scraped()) < 4) {
    assert.ok(Date.now() < ready, 'Prometheus scraped every job within 60 s of its start');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  // The run, scraped while it happens, pushed at its end.
  const env = { ...process.env, BINDY_LOADTEST_SANDBOX_HOME: home };
  const r = await runCli(['--output', join(home, 'results'), 'burst', '--records', '60', '--zones', '3', '--pushgateway', gw.url], { env });
  assert.equal(r.code, 0, r.stderr.split('\n').slice(-10).join('\n'));

  // Wait until Prometheus has scraped every job, the Pushgateway after the push, at least twice more
  // (rate() needs two samples): a condition on Prometheus' own answers, with a deadline.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const now = Date.now() / 1000;
    const up = await client.query('count_over_time(up[1m]) >= 3 and up == 1', now);
    const pushed = await client.query('bindy_loadtest_run_info', now);
    if (up.length === 4 && pushed.length === 1) break;
    assert.ok(Date.now() < deadline, `Prometheus scraped ${up.map((s) => s.metric.job).join(', ')} and ${pushed.length} run(s) within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  const now = Date.now() / 1000;
  const empty: string[] = [];
  for (const [file, d] of await dashboards()) {
    for (const p of d.panels) {
      const key = `${d.uid}/${p.title}`;
      for (const q of p.targets) {
        const answer = await client.query(substitute(q.expr, d), now);
        if (emptyOnACleanRun[key] !== undefined) continue;
        if (answer.length === 0) empty.push(`${file}: "${p.title}" ${q.refId}: ${q.expr}`);
      }
    }
  }
  assert.deepEqual(empty, [], 'every panel query returns data');
});
