/** @module Fault mechanisms behind one interface, and the sandbox fault proxy. */
export * from './fault.js';
export { runProbe, type ProbeResult } from './probe.js';
export { revertFromDescriptor, type DescriptorRevert } from './revert.js';
export { FaultLedger, type FaultRecord, type FaultLedgerOptions } from './fault-ledger.js';
export { ProxyFaultMechanism, revertProxyFault, verifyProxyFaultReverted, type KnownLink, type ProxyFaultMechanismOptions } from './proxy/mechanism.js';
export { ProcessFaultMechanism, revertProcessFault, verifyProcessFaultReverted, type ProcessFaultMechanismOptions } from './process/mechanism.js';
export { SidecarFaultMechanism, revertSidecarFault, verifySidecarFaultReverted } from './sidecar/mechanism.js';
export { FlowControlMechanism, revertFlowControl, verifyFlowControlReverted, throttleObjects } from './flowcontrol/throttle.js';
export { CgroupLimitMechanism, revertCgroupLimit, verifyCgroupLimitReverted, memoryLimitText } from './limits/part-limits.js';
export { FdLimitMechanism, revertFdLimit, verifyFdLimitReverted } from './limits/fd-limit.js';
export { DiskFullMechanism, revertDiskFull, verifyDiskFullReverted } from './storage/disk-full.js';
export { ZoneCorruptionMechanism, revertZoneCorruption, verifyZoneCorruptionReverted } from './storage/zone-corruption.js';
export { ProxyControlClient } from './proxy/client.js';
export { ProxyControlError, ProxyUnreachableError } from './proxy/control-errors.js';
export { startFaultProxy, type FaultProxyOptions, type RunningFaultProxy } from './proxy/proxy.js';
export { runFaultProxy, parseProxyArgs, type FaultProxyReadyLine } from './proxy/run.js';
export { parseLinkSpec, parseLinkFlag, type LinkSpec } from './proxy/link-spec.js';
export type { LinkStatus, LinkCounters, ActiveFault, PastFault } from './proxy/link.js';
