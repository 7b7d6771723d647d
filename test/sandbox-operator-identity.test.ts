/**
 * The sandbox's operator twin talks to the API server with a token of its own (bindy's
 * ServiceAccount): state.json records its identity, and the API server classifies its requests by
 * the `service-accounts` FlowSchema while the tool's admin requests are `exempt`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../src/targets/sandbox/supervisor/sandbox.js';
import { readState } from '../src/targets/sandbox/supervisor/state.js';

test('the operator twin authenticates as system:serviceaccount:bindy-system:bindy; state.json says so; APF sees it under service-accounts', { timeout: 90_000 }, async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'bl-opid-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const sb = await startSandbox({ namespace: 'bindy-loadtest', detached: false, home, operatorArgs: ['--no-leader-election'] });
  t.after(() => sb.stop());
  const state = await readState(home);
  assert.deepEqual(state?.operatorIdentity, {
    user: 'system:serviceaccount:bindy-system:bindy',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:bindy-system', 'system:authenticated'],
    serviceAccount: { namespace: 'bindy-system', name: 'bindy' },
  });
  const opArgs = state.parts.find((p) => p.name === 'operator')?.args ?? [];
  const opKubeconfig = await readFile(opArgs[opArgs.indexOf('--kubeconfig') + 1] ?? '', 'utf8');
  const token = (text: string): string => /token: (\S+)/.exec(text)?.[1] ?? '';
  assert.notEqual(token(opKubeconfig), '');
  assert.notEqual(token(opKubeconfig), token(await readFile(state.kubeconfig, 'utf8')), 'the operator has its own token');
  // The API server's certificate is self-signed: trust its CA file.
  const ca = await readFile(state.caFile ?? '', 'utf8');
  const metrics = await new Promise<string>((resolve, reject) => {
    httpsGet(`${state.apiServerUrl}/metrics`, { ca }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
  assert.match(metrics, /apiserver_flowcontrol_dispatched_requests_total\{flow_schema="service-accounts",priority_level="workload-low"\} [1-9]/);
  assert.match(metrics, /apiserver_flowcontrol_dispatched_requests_total\{flow_schema="exempt",priority_level="exempt"\} [1-9]/);
});
