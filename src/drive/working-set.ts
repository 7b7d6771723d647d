/**
 * @module The live working set of an open-loop run (pure): objects this run created that are
 * settled (their last write's effect was seen) and free (no write of ours in flight on them), and
 * the choice of the next operation over it: a weighted create/update/delete mix, or churn
 * (create+delete pairs that keep the set at its size).
 */
import type { Rng } from '../model/fixtures/prng.js';
import type { OperationType } from '../model/operation.js';

/** A set with O(1) add, remove and uniform random pick (swap-remove over an array). */
export class WorkingSet<T> {
  readonly #items: T[] = [];
  readonly #index = new Map<T, number>();

  /** Objects in the set. */
  get size(): number {
    return this.#items.length;
  }

  /** Adds `item` (no-op when present). */
  add(item: T): void {
    if (this.#index.has(item)) return;
    this.#index.set(item, this.#items.length);
    this.#items.push(item);
  }

  /** Removes `item`; true when it was there. */
  delete(item: T): boolean {
    const i = this.#index.get(item);
    if (i === undefined) return false;
    const last = this.#items.pop() as T;
    this.#index.delete(item);
    if (i < this.#items.length) {
      this.#items[i] = last;
      this.#index.set(last, i);
    }
    return true;
  }

  /** Whether `item` is in the set. */
  has(item: T): boolean {
    return this.#index.has(item);
  }

  /** Removes and returns a uniformly drawn item, or undefined when empty. */
  take(rng: Rng): T | undefined {
    if (this.#items.length === 0) return undefined;
    const item = this.#items[Math.floor(rng.next() * this.#items.length)] as T;
    this.delete(item);
    return item;
  }
}

/** How the next operation is chosen. */
export type MixPolicy =
  | { kind: 'weighted'; weights: Readonly<Partial<Record<OperationType, number>>> }
  /** Keep the objects this run holds at `size`: below it create, above it delete, at it alternate. */
  | { kind: 'churn'; size: number };

/** The operation chosen, and whether it replaced the one drawn because no object was free for it. */
export interface MixChoice {
  type: OperationType;
  /** The type first drawn when it had to become a create (no settled, free object to update or delete). */
  substitutedFor?: OperationType;
}

/**
 * The next operation. `free`: settled objects with no write in flight (the ones an update or a
 * delete may take); `held`: every object this run created and has not deleted (for churn's size);
 * `lastChurn`: the previous churn choice, so creates and deletes alternate at the target size.
 */
export function chooseOperation(policy: MixPolicy, rng: Rng, free: number, held: number, lastChurn: OperationType | null): MixChoice {
  let drawn: OperationType;
  if (policy.kind === 'churn') {
    if (held < policy.size) drawn = 'create';
    else if (held > policy.size) drawn = 'delete';
    else drawn = lastChurn === 'create' ? 'delete' : 'create';
  } else {
    const w = policy.weights;
    const c = w.create ?? 0;
    const u = w.update ?? 0;
    const d = w.delete ?? 0;
    const x = rng.next() * (c + u + d);
    drawn = x < c ? 'create' : x < c + u ? 'update' : 'delete';
  }
  if (drawn !== 'create' && free === 0) return { type: 'create', substitutedFor: drawn };
  return { type: drawn };
}
