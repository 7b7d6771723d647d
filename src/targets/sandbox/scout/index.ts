/**
 * @module Public API of the scout twin: bindy's service discovery (LoadBalancer Services and
 * Ingresses → ARecords) for any API server. Like the rest of the sandbox twin it imports only
 * errors, model, config, observe's pooled client and other sandbox parts (the operator's work queue).
 */
export { createScout, type Scout, type ScoutOptions, type ScoutEvent, type SourceRef, type DeleteCause } from './scout.js';
export { runScout, type RunScoutOptions, type RunningScout } from './run.js';
export {
  planReconcile,
  scoutSettings,
  annotationKeys,
  arecordName,
  sanitizeName,
  sourceView,
  zoneView,
  ownSelector,
  staleSelector,
  defaultAnnotationPrefix,
  scoutFinalizer,
  scoutFieldManager,
  scoutLabels,
  managedByScout,
  type ScoutSettings,
  type ScoutSettingsInput,
  type ScoutPlan,
  type ScoutARecord,
  type SourceKind,
  type SourceView,
  type ZoneView,
  type ScopedCleanup,
} from './mapping.js';
