/** @module The resources a sandbox API server serves by default: the core kinds and the bindy kinds with bindy's schema validation. */
import { validatorFor } from '../../../model/schemas/validator.js';
import { apiextensionsResources } from './crd-registration.js';
import { bindyResources, coreResources, flowcontrolResources, workloadResources, type ResourceDefinition } from './resources.js';

/** CustomResourceDefinitions (applied at runtime, then served), the core kinds, the Job machinery's kinds (Jobs, ServiceAccounts, RBAC), API Priority and Fairness' kinds and the bindy kinds, each bindy kind validated against its CRD schema. */
export function defaultResources(): ResourceDefinition[] {
  return [...apiextensionsResources(), ...coreResources(), ...workloadResources(), ...flowcontrolResources(), ...bindyResources(validatorFor)];
}
