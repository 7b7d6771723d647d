/** @module The one table of scenarios (STYLE rule 1): an unknown name is a usage error listing the known ones. */
import { UsageError } from '../errors.js';
import { burstScenario } from './burst.js';
import { sustainedScenario } from './sustained.js';
import { chaosScenario } from './chaos.js';
import { bindQueryScenario, bindResperfScenario } from './bind-query.js';
import { bindTransferScenario } from './bind-transfer.js';
import { bindRndcScenario } from './bind-rndc.js';
import { bindZonesScenario } from './bind-zones.js';
import { discoveryScenario } from './discovery.js';
import { backpressureScenario } from './backpressure.js';
import { e2eScenario } from './e2e.js';
import type { Scenario } from './scenario.js';

/** Every scenario, by name. */
export const scenarios = {
  burst: burstScenario,
  sustained: sustainedScenario,
  chaos: chaosScenario,
  'bind-query': bindQueryScenario,
  'bind-resperf': bindResperfScenario,
  'bind-transfer': bindTransferScenario,
  'bind-rndc': bindRndcScenario,
  'bind-zones': bindZonesScenario,
  discovery: discoveryScenario,
  backpressure: backpressureScenario,
  e2e: e2eScenario,
} as const satisfies Record<string, Scenario>;

/** The scenario called `name`, or a UsageError (exit 2) listing the known names. */
export function scenarioNamed(name: string): Scenario {
  const found = Object.entries(scenarios).find(([n]) => n === name)?.[1];
  if (found === undefined) throw new UsageError(`unknown scenario ${JSON.stringify(name)} (known: ${Object.keys(scenarios).join(', ')})`);
  return found;
}

export type { Scenario, ScenarioPlan, PlanInput, DriveContext, DriveOutcome, RunObserver, ObserverSections, Verification } from './scenario.js';
export { generateRunId } from './scenario.js';
