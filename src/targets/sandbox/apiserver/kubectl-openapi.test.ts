/**
 * The OpenAPI documents through real kubectls against a real twin: `apply -f` of a `kind: List`
 * passes client-side validation (and a typo inside one is caught by it, naming the field), and
 * `kubectl explain dnszone.spec` lists the spec's fields. Runs with every kubectl present, once per
 * client version (Debian's 1.20 and a current one here; see test/helpers/kubectls.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runApiServer } from './run.js';
import { kubectlPaths, kubectls } from '../../../../test/helpers/kubectls.js';

const run = promisify(execFile);

const list = (ns: string, addressField: string): string => `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    name: ${ns}
- apiVersion: bindy.firestoned.io/v1beta1
  kind: DNSZone
  metadata:
    name: example
    namespace: ${ns}
  spec:
    zoneName: example.com
    soaRecord: {primaryNs: ns1.example.com., adminEmail: hostmaster.example.com., serial: 1, refresh: 3600, retry: 600, expire: 604800, negativeTtl: 300}
    recordsFrom:
    - selector: {matchLabels: {bindy.firestoned.io/zone: example.com}}
- apiVersion: bindy.firestoned.io/v1beta1
  kind: ARecord
  metadata:
    name: www
    namespace: ${ns}
    labels: {bindy.firestoned.io/zone: example.com}
  spec:
    name: www
    ${addressField}: ["192.0.2.10"]
`;

test('kubectl apply -f of a List and kubectl explain, with every kubectl present', { skip: kubectlPaths().length === 0 ? 'no kubectl installed' : false, timeout: 180_000 }, async (t) => {
  for (const { path: kubectl, version } of await kubectls()) {
    await t.test(`kubectl ${version} (${kubectl})`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'apiserver-openapi-'));
      const running = await runApiServer({ kubeconfigPath: join(dir, 'kubeconfig') });
      const env = { ...process.env, KUBECONFIG: join(dir, 'kubeconfig'), KUBECACHEDIR: join(dir, 'cache') };
      const k = (...args: string[]): Promise<{ stdout: string; stderr: string }> => run(kubectl, args, { env, timeout: 60_000 });
      try {
        await writeFile(join(dir, 'list.yaml'), list('lt-list', 'ipv4Addresses'));
        const applied = await k('apply', '-f', join(dir, 'list.yaml'));
        assert.match(applied.stdout, /namespace\/lt-list created/);
        assert.match(applied.stdout, /dnszone\.bindy\.firestoned\.io\/example created/);
        assert.match(applied.stdout, /arecord\.bindy\.firestoned\.io\/www created/);

        // A typo inside a List item is caught by client-side validation against the published schema.
        await writeFile(join(dir, 'typo.yaml'), list('lt-typo', 'ipv4Adresses'));
        await assert.rejects(k('apply', '-f', join(dir, 'typo.yaml')), (e: Error & { stderr?: string }) => {
          assert.match(e.stderr ?? '', /unknown field "ipv4Adresses"/);
          assert.match(e.stderr ?? '', /missing required field "ipv4Addresses"/);
          return true;
        });
        await assert.rejects(k('get', 'ns', 'lt-typo'), /NotFound/, 'nothing of the refused List was created');

        const explained = await k('explain', 'dnszone.spec');
        assert.match(explained.stdout, /KIND:\s+DNSZone/);
        assert.match(explained.stdout, /zoneName\s+<string> -required-/);
        assert.match(explained.stdout, /soaRecord\s+<Object> -required-/);
        const soa = await k('explain', 'dnszone.spec.soaRecord');
        assert.match(soa.stdout, /primaryNs\s+<string> -required-/);
      } finally {
        await running.stop();
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
