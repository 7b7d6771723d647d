/**
 * @module The bindcar twin's fault control (`/twin/v1/faults`): how another process (the tool's
 * chaos run, or `cleanup` after it was killed) makes the running twin answer a share of its API
 * requests with an error, and lifts it. Not a bindcar route (bindy never calls it); Bearer auth as
 * every protected route. One fault at a time, by id, with a dead-man timer: the twin lifts it by
 * itself when its duration ends, so a fault never outlives a dead tool by more than that.
 */

/** Path of the control route. */
export const faultControlPath = '/twin/v1/faults';

/** The error fault in force. */
export interface ErrorFaultState {
  readonly id: string;
  /** Share of protected requests answered `status`, 0 < errorRate ≤ 1. */
  readonly errorRate: number;
  readonly status: number;
  readonly appliedAt: string;
  readonly expiresAt?: string;
  /** Requests answered with the injected error so far. */
  readonly injected: number;
}

/** A fault no longer in force, and what ended it. */
export interface PastErrorFault extends ErrorFaultState {
  readonly clearedAt: string;
  readonly clearedBy: 'api' | 'dead-man';
}

/** What `GET /twin/v1/faults` answers. */
export interface FaultControlStatus {
  readonly active: ErrorFaultState | null;
  /** The last 20 faults cleared, newest last. */
  readonly history: readonly PastErrorFault[];
}

/** A body of `PUT /twin/v1/faults`. */
export interface ErrorFaultRequest {
  id: string;
  errorRate: number;
  status: number;
  durationMs?: number;
}

/** Parses a PUT body (pure); a string is the one-line reason it is refused. */
export function parseErrorFaultRequest(body: string): ErrorFaultRequest | string {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return 'the body is not JSON';
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'the body must be a JSON object {id, errorRate, status, durationMs?}';
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['id', 'errorRate', 'status', 'durationMs'].includes(k)) return `unknown field "${k}" (fields: id, errorRate, status, durationMs)`;
  const { id, errorRate, status, durationMs } = o;
  if (typeof id !== 'string' || !/^[a-z0-9][-a-z0-9]{0,63}$/.test(id)) return 'id must be 1-64 of a-z, 0-9 and -';
  if (typeof errorRate !== 'number' || !(errorRate > 0 && errorRate <= 1)) return `errorRate must be a number > 0 and ≤ 1 (got ${JSON.stringify(errorRate)})`;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) return `status must be an integer 400–599 (got ${JSON.stringify(status)})`;
  if (durationMs !== undefined && (typeof durationMs !== 'number' || !Number.isInteger(durationMs) || durationMs <= 0 || durationMs > 86_400_000)) return `durationMs must be an integer > 0 and ≤ 86400000 (got ${JSON.stringify(durationMs)})`;
  return { id, errorRate, status, ...(durationMs === undefined ? {} : { durationMs }) };
}

/** The twin's error fault, settable over the control route. */
export class ErrorFaultControl {
  #active: (ErrorFaultState & { timer?: NodeJS.Timeout }) | null = null;
  readonly #history: PastErrorFault[] = [];

  /** The fault in force, if any. */
  get active(): ErrorFaultState | null {
    if (this.#active === null) return null;
    const { timer: _timer, ...state } = this.#active;
    return state;
  }

  /** What the control route's GET answers. */
  status(): FaultControlStatus {
    return { active: this.active, history: [...this.#history] };
  }

  /** Sets a fault; the same id again is an idempotent retry; another id while one is in force is a conflict (null). */
  apply(r: ErrorFaultRequest, now = new Date()): ErrorFaultState | null {
    if (this.#active !== null) return this.#active.id === r.id ? this.active : null;
    const timer = r.durationMs === undefined ? undefined : setTimeout(() => this.#clear('dead-man'), r.durationMs);
    // A dead-man timer must not keep a stopping twin alive.
    timer?.unref();
    this.#active = {
      id: r.id,
      errorRate: r.errorRate,
      status: r.status,
      appliedAt: now.toISOString(),
      ...(r.durationMs === undefined ? {} : { expiresAt: new Date(now.getTime() + r.durationMs).toISOString() }),
      injected: 0,
      ...(timer === undefined ? {} : { timer }),
    };
    return this.active;
  }

  /** Clears the fault `id` (any fault when undefined); what was cleared, or null when that fault is not in force. */
  clear(id: string | undefined): PastErrorFault | null {
    if (this.#active === null || (id !== undefined && this.#active.id !== id)) return null;
    return this.#clear('api');
  }

  /** The status to answer a protected request with, or undefined to serve it (draws from `random`). */
  decide(random: () => number): number | undefined {
    const a = this.#active;
    if (a === null || random() >= a.errorRate) return undefined;
    this.#active = { ...a, injected: a.injected + 1 };
    return a.status;
  }

  #clear(by: 'api' | 'dead-man'): PastErrorFault | null {
    const a = this.#active;
    if (a === null) return null;
    if (a.timer !== undefined) clearTimeout(a.timer);
    this.#active = null;
    const { timer: _timer, ...state } = a;
    const past: PastErrorFault = { ...state, clearedAt: new Date().toISOString(), clearedBy: by };
    this.#history.push(past);
    if (this.#history.length > 20) this.#history.shift();
    return past;
  }
}
