/** @module The operator twin's injected crash: counts finished reconciles and says when the Nth is done (pure). */

/** Counts reconciles towards a crash after `after` of them. */
export class CrashCounter {
  readonly #after: number;
  #done = 0;

  constructor(after: number) {
    if (!Number.isInteger(after) || after < 1) throw new RangeError(`crash after needs a positive integer of reconciles, got ${after}`);
    this.#after = after;
  }

  /** Reconciles finished so far (success or error). */
  get done(): number {
    return this.#done;
  }

  /** Counts one finished reconcile; true exactly once, for the `after`th. */
  count(): boolean {
    this.#done += 1;
    return this.#done === this.#after;
  }
}
