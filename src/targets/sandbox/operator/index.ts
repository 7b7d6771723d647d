/** @module Public API of the operator twin: a bindy-like controller for any API server. */
export { createOperator, type Operator, type OperatorOptions } from './operator.js';
export { runOperator, type RunOperatorOptions, type RunningOperator } from './run.js';
export { createOperatorMetrics, type OperatorMetrics } from './metrics.js';
export { parseLabelSelector, selectorMatches, type LabelSelector, type LabelSelectorRequirement } from './label-selector.js';
export { selectInstances, selectRecords, zoneSelectsRecord, instanceRole, recordZoneRef, type KindedRecord, type ZoneRef } from './selection.js';
export { recordRrset, recordHash, ownerName, displayAddresses, defaultRecordTtl } from './rrset.js';
export { recordStatus, zoneConditions, recordMessages, rfc3339, type Condition, type RecordOutcome, type ZoneOutcome } from './conditions.js';
export { clusterInstances } from './cluster-instances.js';
export { bindcarBackoff, backoffDelay, retryWithBackoff, type BackoffPolicy } from './backoff.js';
export { WorkQueue, KindQueues, type WorkQueueOptions, type StartLimiter } from './work-queue.js';
export { MemoryLeak, leakBytesDue, leakCapBytes, type MemoryLeakOptions } from './memory-leak.js';
export { TokenBucket, capacityBurst } from './token-bucket.js';
export { CrashCounter } from './crash-counter.js';
export { LeaderElector, type LeaderElectionOptions } from './leader-election.js';
export { SidecarCallError } from './sidecar-client.js';
