/** @module The resources a sandbox API server serves by default: the core kinds and the bindy kinds with bindy's schema validation. */
import type { BindyLine } from '../../../model/kinds.js';
import { validatorFor } from '../../../model/schemas/validator.js';
import { apiextensionsResources } from './crd-registration.js';
import { bindyResources, coreResources, flowcontrolResources, workloadResources, type ResourceDefinition } from './resources.js';

/**
 * CustomResourceDefinitions (applied at runtime, then served), the core kinds, the Job machinery's
 * kinds (Jobs, ServiceAccounts, RBAC), API Priority and Fairness' kinds and the bindy kinds of
 * release line `line` (default 0.6, the sandbox's default operator), each validated against its CRD schema.
 */
export function defaultResources(line: BindyLine = '0.6'): ResourceDefinition[] {
  return [...apiextensionsResources(), ...coreResources(), ...workloadResources(), ...flowcontrolResources(), ...bindyResources(validatorFor, line)];
}
