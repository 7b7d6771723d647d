/**
 * The committed sandbox baselines (baselines/<profile>/<scenario>.json) are what the load-tests
 * workflow's sandbox job judges each scenario against (scripts/run-profile.sh): each must be a
 * baseline of the scenario and profile its path names, on the sandbox, merged from at least 3
 * runs that ran to their end (a failed criterion kept as it was), with merged histograms that add up to its runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { readResultFile } from '../src/report/result/index.js';
import { asBaseline } from '../src/judge/baseline.js';
import { analyze } from '../src/judge/analyze.js';
import { profiles } from '../src/config/profiles.js';
import { join } from 'node:path';
import { packageRoot } from '../src/package-root.js';

const root = packageRoot();
const runner = await readFile(join(root, 'scripts', 'run-profile.sh'), 'utf8');

for (const [profile, scenario] of [['quick', 'burst'], ['standard', 'burst'], ['quick', 'sustained'], ['standard', 'sustained']] as const) {
  test(`baselines/${profile}/${scenario}.json: a ${scenario} baseline of the ${profile} profile on the sandbox, from ≥ 3 runs that ran to their end`, async () => {
    const file = join(root, 'baselines', profile, `${scenario}.json`);
    const b = asBaseline(await readResultFile(file), file);
    assert.ok(profiles[profile].suite !== undefined && (profiles[profile].suite as readonly string[]).includes(scenario), `${scenario} is in the ${profile} profile's suite`);
    assert.equal(b.metadata.scenario, scenario);
    assert.equal(b.metadata.profile, profile);
    assert.equal(b.metadata.target.kind, 'sandbox');
    assert.ok(b.baseline.count >= 3, `${b.baseline.count} runs`);
    assert.equal(b.baseline.runs.length, b.baseline.count);
    // A run that failed a criterion (the twin with bindcar's limiter misses the quick profile's 30 s) is kept as it was; an aborted one is not a baseline.
    for (const r of b.baseline.runs) assert.ok(r.status === 'completed' || r.status === 'failed', `${r.runId} ran to its end (${r.status})`);
    assert.equal(new Set(b.baseline.runs.map((r) => r.runId)).size, b.baseline.count, 'distinct runs');
    // Every merged latency is the runs' histograms added: its count is the sum of theirs.
    const ready = b.latencies['create_to_ready'];
    assert.ok(ready !== undefined, 'create_to_ready is in the baseline');
    assert.equal(ready.summary.count, b.baseline.runs.reduce((n, r) => n + (r.latencies['create_to_ready']?.count ?? 0), 0));
    // One of its own runs compared with it finds no regression (the merge is consistent with its runs).
    const analysis = analyze(b, b, { threshold: 0.1 });
    assert.equal(analysis.regressions, 0);
    assert.match(runner, /\$baselines\/\$\{scenario\}\.json/, 'run-profile reads <baselines>/<scenario>.json');
  });
}
