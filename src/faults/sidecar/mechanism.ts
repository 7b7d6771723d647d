/**
 * @module Error faults on the sandbox's bindcar twin as a {@link FaultMechanism} (`sandbox-sidecar`):
 * the twin's fault control (`PUT /twin/v1/faults`, Bearer token as bindcar's routes) makes it answer a
 * share of its API requests with an HTTP error; the revert deletes exactly that fault id, and the
 * proof is the twin saying it is no longer in force plus an API request it answers without an
 * injected error. The twin lifts the fault by itself after its duration (a dead-man switch), and the
 * descriptor plus state.json (the token file) is all `cleanup` needs.
 */
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../../errors.js';
import { readState } from '../../targets/sandbox/supervisor/state.js';
import { faultControlPath, type FaultControlStatus, type PastErrorFault } from '../../targets/sandbox/sidecar/fault-control.js';
import { describeFault, type AppliedFault, type ApplyOptions, type FaultMechanism, type FaultSpec, type RevertOutcome, type RevertProof, type SidecarRevertDescriptor } from '../fault.js';

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The Bearer token of the twin, from the file state.json names (never from the descriptor). */
async function tokenOf(home: string): Promise<string> {
  const state = await readState(home);
  if (state === undefined) throw new Error(`no sandbox state in ${home}`);
  return (await readFile(state.sidecarTokenFile, 'utf8')).trim();
}

/** One call to the twin's fault control; `unreachable` when nothing answers at the URL (the twin is gone, and its faults with it). */
async function call<T>(url: string, token: string, method: string, query = '', body?: unknown): Promise<{ status: number; json: T } | 'unreachable'> {
  let res: Response;
  try {
    res = await fetch(`${url}${faultControlPath}${query}`, {
      method,
      signal: AbortSignal.timeout(5000),
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (e) {
    const code = (e as { cause?: { code?: string } }).cause?.code;
    if (code === 'ECONNREFUSED') return 'unreachable';
    throw new Error(`${method} ${url}${faultControlPath}: ${message(e)}`);
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // a non-JSON answer is reported by its status
  }
  if (res.status >= 400) {
    const reason = (json as { error?: unknown } | null)?.error;
    throw new Error(`${method} ${url}${faultControlPath}: HTTP ${res.status}${typeof reason === 'string' ? ` ${reason}` : ''}`);
  }
  return { status: res.status, json: json as T };
}

/** Lifts the fault a descriptor names (only that id); safe to repeat. */
export async function revertSidecarFault(d: SidecarRevertDescriptor): Promise<RevertOutcome> {
  try {
    const token = await tokenOf(d.home).catch(() => '');
    const r = await call<{ cleared: boolean; fault: PastErrorFault | null; detail: string }>(d.url, token, 'DELETE', `?id=${encodeURIComponent(d.faultId)}`);
    if (r === 'unreachable') return { reverted: true, already: true, detail: `bindcar twin ${d.url} does not listen any more: its faults went with it` };
    return { reverted: true, already: !r.json.cleared, detail: r.json.detail };
  } catch (e) {
    return { reverted: false, already: false, detail: message(e) };
  }
}

/** Checks that the twin no longer has the fault and answers an API request without an injected error. */
export async function verifySidecarFaultReverted(d: SidecarRevertDescriptor): Promise<RevertProof> {
  const checkedAt = (): string => new Date().toISOString();
  try {
    const token = await tokenOf(d.home);
    const s = await call<FaultControlStatus>(d.url, token, 'GET');
    if (s === 'unreachable') return { reverted: true, checkedAt: checkedAt(), faultCleared: true, evidence: `bindcar twin ${d.url} does not listen any more (nothing left to revert there)` };
    const faultCleared = s.json.active?.id !== d.faultId;
    const past = s.json.history.find((h) => h.id === d.faultId);
    const started = performance.now();
    const res = await fetch(`${d.url}/api/v1/zones`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5000) });
    const body = await res.text();
    const rttMs = performance.now() - started;
    const clean = !body.includes('injected fault');
    const probe = { ok: clean, rttMs, detail: `GET ${d.url}/api/v1/zones → ${res.status}${clean ? '' : ' (an injected error)'}` };
    const said = faultCleared
      ? `fault ${d.faultId} not in force on the bindcar twin${past === undefined ? '' : ` (cleared by ${past.clearedBy} at ${past.clearedAt} after ${past.injected} injected errors)`}`
      : `fault ${d.faultId} STILL in force on the bindcar twin`;
    return { reverted: faultCleared && clean, checkedAt: checkedAt(), faultCleared, probe, evidence: `${said}; ${probe.detail}` };
  } catch (e) {
    return { reverted: false, checkedAt: checkedAt(), faultCleared: false, evidence: message(e) };
  }
}

/** HTTP error faults on the sandbox's bindcar twin (`sidecar`), behind the one fault interface. */
export class SidecarFaultMechanism implements FaultMechanism {
  readonly name = 'sandbox-sidecar' as const;
  readonly deadMan = true;

  constructor(private readonly options: { readonly home: string; readonly url: string }) {}

  unsupportedReason(target: string, spec: FaultSpec): string | undefined {
    if (spec.kind !== 'http-errors') return `${spec.kind} is not a fault of the bindcar twin (it answers errors: http-errors)`;
    if (target !== 'sidecar') return `http-errors acts on the part sidecar (the primary's bindcar twin), not on ${target}`;
    return undefined;
  }

  async apply(target: string, spec: FaultSpec, options: ApplyOptions = {}): Promise<AppliedFault> {
    const reason = this.unsupportedReason(target, spec);
    if (reason !== undefined || spec.kind !== 'http-errors') throw new UsageError(`fault on ${target}: ${reason ?? ''}`);
    const token = await tokenOf(this.options.home);
    // The id is ours, so the descriptor can be journalled before the twin knows the fault.
    const faultId = `e-${randomBytes(6).toString('hex')}`;
    const descriptor: SidecarRevertDescriptor = { mechanism: 'sandbox-sidecar', version: 1, home: this.options.home, url: this.options.url, faultId };
    await options.beforeApply?.(descriptor);
    const r = await call<{ appliedAt: string; expiresAt?: string }>(this.options.url, token, 'PUT', '', {
      id: faultId,
      errorRate: spec.share,
      status: spec.status,
      ...(spec.durationMs === undefined ? {} : { durationMs: spec.durationMs }),
    });
    if (r === 'unreachable') throw new Error(`fault on ${target}: the bindcar twin at ${this.options.url} does not answer (${describeFault(spec)} not applied)`);
    return {
      id: faultId,
      target,
      spec,
      appliedAt: r.json.appliedAt,
      ...(r.json.expiresAt === undefined ? {} : { expiresAt: r.json.expiresAt }),
      descriptor,
      revert: () => revertSidecarFault(descriptor),
      verifyReverted: () => verifySidecarFaultReverted(descriptor),
    };
  }
}
