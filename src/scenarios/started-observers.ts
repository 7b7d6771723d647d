/** @module The run's observers once started: stopped in reverse order, once, keeping what they measured (every scenario's drive). */
import type { DriveContext, ObserverSections, RunObserver } from './scenario.js';

/** The run's observers once started: stopped in reverse order, once, keeping what they measured. */
export class StartedObservers {
  readonly #started: RunObserver[] = [];
  /** What the observers returned when stopped (empty until then). */
  sections: ObserverSections[] = [];

  /** Starts every observer of `ctx` (API amplification is per measured operation: call just before the schedule). */
  async start(ctx: DriveContext, plan: { runId: string; namespace: string }): Promise<void> {
    for (const o of ctx.observers) {
      await o.start({ target: ctx.target, runId: plan.runId, namespace: plan.namespace });
      this.#started.push(o);
    }
  }

  /** Stops the started ones (a second call does nothing); `objectsCreated` is what amplification is divided by. */
  async stop(objectsCreated: number): Promise<void> {
    const out: ObserverSections[] = [];
    for (const o of this.#started.splice(0).reverse()) out.push(await o.stop({ objectsCreated }));
    if (out.length > 0) this.sections = out;
  }
}
