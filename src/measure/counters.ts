/** @module Named counters with units: plain totals a run accumulates (writes, errors, late starts). */
import { UsageError } from '../errors.js';

/** One counter as stored in the result. */
export interface CounterData {
  value: number;
  /** Unit of `value`, e.g. `requests`, `objects`, `bytes`. */
  unit: string;
  /** What was counted and how. */
  description: string;
}

/** A set of counters keyed by name; each is declared once with its unit before it is added to. */
export class Counters {
  readonly #counters = new Map<string, CounterData>();

  /** Declares counter `name` (starting at 0); declaring it again with another unit is an error. */
  declare(name: string, unit: string, description: string): void {
    const existing = this.#counters.get(name);
    if (existing !== undefined) {
      if (existing.unit !== unit) throw new UsageError(`counter ${name} is already declared in ${existing.unit}, not ${unit}`);
      return;
    }
    this.#counters.set(name, { value: 0, unit, description });
  }

  /** Adds `delta` (default 1) to a declared counter. */
  add(name: string, delta = 1): void {
    const c = this.#counters.get(name);
    if (c === undefined) throw new UsageError(`counter ${name} was never declared`);
    c.value += delta;
  }

  /** Current value, or undefined for an undeclared counter. */
  get(name: string): number | undefined {
    return this.#counters.get(name)?.value;
  }

  /** A copy as plain data for the result, keyed by name in sorted order. */
  toJSON(): Record<string, CounterData> {
    const out: Record<string, CounterData> = {};
    for (const name of [...this.#counters.keys()].sort()) {
      const c = this.#counters.get(name);
      if (c !== undefined) out[name] = { ...c };
    }
    return out;
  }
}
