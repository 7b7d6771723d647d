/**
 * The sandbox driven by a real kubectl, as a user would: apply a DNSZone and one record of every kind
 * (plus bindy's own examples), watch them, wait for Ready, check every answer with a real dig, delete,
 * and see NXDOMAIN. Also bindy's two quiet behaviours: a record no zone selects stays
 * Ready=False/NotSelected, and a zone whose selectors match no instance gets no status at all.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { startSandbox } from '../src/targets/sandbox/supervisor/sandbox.js';
import { resolveFixtureOptions } from '../src/model/fixtures/options.js';
import { generateZone, generateZoneRecords } from '../src/model/fixtures/generate.js';
import { recordKindsOfLine, kindInfo, type RecordKind } from '../src/model/kinds.js';
import type { RecordObject } from '../src/model/fixtures/objects.js';
import { toYamlDocument } from '../src/model/output/yaml-emit.js';
import { needsSharedData, sharedPath } from '../src/model/schemas/shared-data.js';

const kubectlPath = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));
const examplesDir = pathToFileURL(sharedPath('bindy/examples') + '/');
const skip = kubectlPath === undefined ? 'kubectl is not installed (scripts/setup.sh installs it)' : needsSharedData(fileURLToPath(examplesDir)).skip;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
    // EPIPE when the program exits before reading stdin (kubectl get -w killed, dig) is not a failure: its exit code says it.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

/** Parses dig +short TXT output (`"a" "b"`) into the strings, unescaping \" \\ and \DDD. */
function txtStrings(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] ?? '').replace(/\\(\d{3}|.)/g, (_s, e: string) => (e.length === 3 ? String.fromCharCode(Number(e)) : e)));
}

function canonicalIPv6(a: string): string {
  return new URL(`http://[${a}]/`).hostname;
}

/** What dig +short must print for a record, normalised per type. */
function expectedAnswers(r: RecordObject): string[] {
  const s = r.spec as Record<string, unknown>;
  switch (r.kind) {
    case 'ARecord':
      return [...(s['ipv4Addresses'] as string[])].sort();
    case 'AAAARecord':
      return (s['ipv6Addresses'] as string[]).map(canonicalIPv6).sort();
    case 'CNAMERecord':
    case 'PTRRecord':
      return [String(s['target'])];
    case 'MXRecord':
      return [`${String(s['priority'])} ${String(s['mailServer'])}`];
    case 'TXTRecord':
      return [JSON.stringify(s['text'])];
    case 'NSRecord':
      return [String(s['nameserver'])];
    case 'SRVRecord':
      return [`${String(s['priority'])} ${String(s['weight'])} ${String(s['port'])} ${String(s['target'])}`];
    case 'CAARecord':
      return [`${String(s['flags'])} ${String(s['tag'])} "${String(s['value'])}"`];
  }
}

function normaliseDig(kind: RecordKind, out: string): string[] {
  const lines = out.trim().split('\n').filter((l) => l !== '');
  if (kind === 'TXTRecord') return lines.map((l) => JSON.stringify(txtStrings(l)));
  if (kind === 'AAAARecord') return lines.map(canonicalIPv6).sort();
  return lines.sort();
}

test('kubectl drives the sandbox: apply, get -w, wait Ready, dig answers every kind, delete → NXDOMAIN', { skip, timeout: 180_000 }, async (t) => {
  const kubectl = kubectlPath ?? 'kubectl';
  const home = await mkdtemp(join(tmpdir(), 'bl-kubectl-'));
  t.after(() => rm(home, { recursive: true, force: true }));
  const ns = 'bindy-loadtest';
  const sb = await startSandbox({ namespace: ns, detached: false, home, sidecarRateLimitOff: true });
  t.after(() => sb.stop());
  const env = { KUBECONFIG: sb.state.kubeconfig };
  const { port } = sb.state.dns;

  // Our corpus: one zone, records of every kind (equal weights; the seed gives every kind at least once).
  const o = resolveFixtureOptions({ seed: 11, runId: 'kubectl-test', namespace: ns, zones: 1, recordsPerZone: 24, kinds: Object.fromEntries(recordKindsOfLine('0.6').map((k) => [k, 1])) });
  const zone = generateZone(o, 0);
  const records = [...generateZoneRecords(o, 0)];
  for (const k of recordKindsOfLine('0.6')) assert.ok(records.some((r) => r.kind === k), `corpus has a ${k}`);

  // bindy's own examples, moved into our namespace: their zone selects instances we do not have, and
  // their records carry a label no zone selects.
  const exampleDocs = ['dns-zone.yaml', 'dns-records.yaml'].flatMap((f) =>
    parseAllDocuments(readFileSync(new URL(f, examplesDir), 'utf8'))
      .map((d) => d.toJS() as { kind?: string; metadata: { name: string; namespace?: string } } | null)
      .filter((d): d is { kind: string; metadata: { name: string; namespace?: string } } => d !== null && typeof d.kind === 'string'),
  );
  for (const d of exampleDocs) d.metadata.namespace = ns;
  const exampleZone = exampleDocs.find((d) => d.kind === 'DNSZone');
  const exampleRecord = exampleDocs.find((d) => d.kind === 'ARecord');
  assert.ok(exampleZone && exampleRecord);

  // kubectl get -w on ARecords, started before anything exists.
  const watcher: ChildProcess = spawn(kubectl, ['get', 'arecords', '-n', ns, '-w', '-o', 'name'], { env: { ...process.env, ...env } });
  let watched = '';
  watcher.stdout?.on('data', (d: Buffer) => (watched += d.toString()));
  t.after(() => watcher.kill());

  const manifest = join(home, 'objects.yaml');
  await writeFile(manifest, [zone, ...records, ...exampleDocs].map((d) => `---\n${toYamlDocument(d)}`).join(''));
  const applied = await run(kubectl, ['apply', '-f', manifest], env);
  assert.equal(applied.code, 0, applied.err);
  assert.equal(applied.out.trim().split('\n').length, 1 + records.length + exampleDocs.length, applied.out);

  const ours = [...new Set(records.map((r) => kindInfo[r.kind].plural))];
  const waited = await run(kubectl, ['wait', '--for=condition=Ready', '-n', ns, '--timeout=60s', `dnszone/${zone.metadata.name}`, ...records.map((r) => `${kindInfo[r.kind].singular}/${r.metadata.name}`)], env);
  assert.equal(waited.code, 0, `${waited.out}\n${waited.err}`);

  for (const r of records) {
    const kind = r.kind;
    const owner = r.spec.name === '@' ? `${zone.spec.zoneName}.` : `${r.spec.name}.${zone.spec.zoneName}.`;
    if (kind === 'NSRecord') {
      // NS below the apex is a delegation: an authoritative server answers with a referral, the NS
      // RRset in the authority section, not in the answer.
      const d = await run('dig', ['@127.0.0.1', '-p', String(port), '+norecurse', '+noall', '+authority', owner, 'NS']);
      const ns = d.out.split('\n').filter((l) => /\sIN\s+NS\s/.test(l)).map((l) => l.trim().split(/\s+/).at(-1) ?? '');
      assert.deepEqual(ns, expectedAnswers(r), `${kind} ${owner}`);
      continue;
    }
    const d = await run('dig', ['@127.0.0.1', '-p', String(port), '+short', '+norecurse', owner, kindInfo[kind].rrType ?? 'A']);
    assert.deepEqual(normaliseDig(kind, d.out), expectedAnswers(r), `${kind} ${owner}`);
  }

  // The example record: nobody selects it.
  const rec = await run(kubectl, ['get', 'arecord', exampleRecord.metadata.name, '-n', ns, '-o', 'json'], env);
  const cond = (JSON.parse(rec.out) as { status?: { conditions?: { type: string; status: string; reason: string }[] } }).status?.conditions ?? [];
  assert.deepEqual(cond.map((c) => [c.type, c.status, c.reason]), [['Ready', 'False', 'NotSelected']]);
  // The example zone: its selectors match no instance, so it gets no status, only the finalizer.
  const ez = JSON.parse((await run(kubectl, ['get', 'dnszone', exampleZone.metadata.name, '-n', ns, '-o', 'json'], env)).out) as { status?: unknown; metadata: { finalizers?: string[] } };
  assert.equal(ez.status, undefined);
  assert.deepEqual(ez.metadata.finalizers, ['bindy.firestoned.io/dnszone-finalizer']);

  // get -w saw every ARecord of ours.
  for (const r of records.filter((x) => x.kind === 'ARecord')) assert.ok(watched.includes(`arecord.bindy.firestoned.io/${r.metadata.name}`), `watched ${r.metadata.name}`);

  // Delete our records: kubectl waits for the finalizers; then every name is gone from DNS.
  const del = await run(kubectl, ['delete', '-n', ns, '--wait=true', '--timeout=60s', ours.join(','), '-l', `bindy.firestoned.io/zone=${zone.spec.zoneName}`], env);
  assert.equal(del.code, 0, del.err);
  for (const r of records) {
    const owner = r.spec.name === '@' ? `${zone.spec.zoneName}.` : `${r.spec.name}.${zone.spec.zoneName}.`;
    if (r.spec.name === '@') continue; // the apex keeps SOA/NS
    const d = await run('dig', ['@127.0.0.1', '-p', String(port), '+norecurse', owner, kindInfo[r.kind].rrType ?? 'A']);
    assert.match(d.out, /status: NXDOMAIN/, `${owner} after delete`);
  }
  const left = await run(kubectl, ['get', ours.join(','), '-n', ns, '-l', `bindy.firestoned.io/zone=${zone.spec.zoneName}`, '-o', 'name'], env);
  assert.equal(left.out.trim(), '');
});
