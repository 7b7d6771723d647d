/** @module The resources a sandbox API server serves by default: the core kinds and the bindy kinds with bindy's schema validation. */
import { validatorFor } from '../../../model/schemas/validator.js';
import { bindyResources, coreResources, flowcontrolResources, type ResourceDefinition } from './resources.js';

/** The core kinds, API Priority and Fairness' kinds and the bindy kinds, each bindy kind validated against its CRD schema. */
export function defaultResources(): ResourceDefinition[] {
  return [...coreResources(), ...flowcontrolResources(), ...bindyResources(validatorFor)];
}
