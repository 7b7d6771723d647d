/**
 * @module The faults a run has in force, so that every one is reverted and proven reverted at the
 * end of a scenario, on failure and on interrupt: newest first, each attempt independent of the
 * others, and each ending as a record a report can list (applied/reverted times, outcome, proof).
 */
import { UsageError } from '../errors.js';
import { describeFault, type AppliedFault, type FaultMechanism, type FaultSpec, type RevertDescriptor, type RevertOutcome, type RevertProof } from './fault.js';

/** One fault's life, for the report. */
export interface FaultRecord {
  readonly id: string;
  readonly mechanism: RevertDescriptor['mechanism'];
  readonly target: string;
  readonly spec: FaultSpec;
  readonly description: string;
  /** ISO wall-clock times. */
  readonly appliedAt: string;
  readonly revertedAt: string;
  readonly outcome: RevertOutcome;
  readonly proof: RevertProof;
}

/** Options of {@link FaultLedger}. */
export interface FaultLedgerOptions {
  /** Called with each revert descriptor before its fault takes effect (the run journal's append). */
  readonly journal?: (descriptor: RevertDescriptor) => void | Promise<void>;
}

/** Tracks applied faults; one at a time per target (overlapping faults on one link are refused). */
export class FaultLedger {
  readonly #active = new Map<string, AppliedFault>();
  readonly #records: FaultRecord[] = [];

  constructor(private readonly options: FaultLedgerOptions = {}) {}

  /** Faults in force, oldest first. */
  get active(): readonly AppliedFault[] {
    return [...this.#active.values()];
  }

  /** Faults reverted so far, in the order they were reverted. */
  get records(): readonly FaultRecord[] {
    return [...this.#records];
  }

  /** Applies `spec` to `target` through `mechanism`, journalling its descriptor first. */
  async apply(mechanism: FaultMechanism, target: string, spec: FaultSpec): Promise<AppliedFault> {
    const key = `${mechanism.name}/${target}`;
    const already = this.#active.get(key);
    if (already !== undefined) throw new UsageError(`fault on ${target}: ${describeFault(spec)} overlaps ${describeFault(already.spec)}, still in force there`);
    const reason = mechanism.unsupportedReason(target, spec);
    if (reason !== undefined) throw new UsageError(`fault on ${target}: ${reason}`);
    const journal = this.options.journal;
    const applied = await mechanism.apply(target, spec, journal === undefined ? {} : { beforeApply: journal });
    this.#active.set(key, applied);
    return applied;
  }

  /**
   * Reverts one fault and proves it; never throws (a failure is a record with `reverted: false`,
   * and the fault stays in force in the ledger, for a retry or for `cleanup` from the journal).
   */
  async revert(fault: AppliedFault): Promise<FaultRecord> {
    const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
    let outcome: RevertOutcome;
    try {
      outcome = await fault.revert();
    } catch (e) {
      outcome = { reverted: false, already: false, detail: message(e) };
    }
    if (outcome.reverted) {
      for (const [key, f] of this.#active) if (f === fault) this.#active.delete(key);
    }
    const revertedAt = new Date().toISOString();
    let proof: RevertProof;
    try {
      proof = await fault.verifyReverted();
    } catch (e) {
      proof = { reverted: false, checkedAt: new Date().toISOString(), faultCleared: false, evidence: `the check failed: ${message(e)}` };
    }
    const record: FaultRecord = {
      id: fault.id,
      mechanism: fault.descriptor.mechanism,
      target: fault.target,
      spec: fault.spec,
      description: describeFault(fault.spec),
      appliedAt: fault.appliedAt,
      revertedAt,
      outcome,
      proof,
    };
    this.#records.push(record);
    return record;
  }

  /** Reverts every fault in force, newest first; one failing does not stop the others. */
  async revertAll(): Promise<FaultRecord[]> {
    const out: FaultRecord[] = [];
    for (const fault of [...this.#active.values()].reverse()) out.push(await this.revert(fault));
    return out;
  }
}
