/** @module The sandbox supervisor: start, inspect and stop a sandbox whose parts run as their own processes. */
export { startSandbox, stopSandbox, type StartSandboxOptions, type RunningSandbox, type ApiServerReadyLine, type SidecarReadyLine, type OperatorReadyLine } from './sandbox.js';
export { sandboxHealth, partHealth, type PartHealth } from './health.js';
export { readState, writeState, sandboxHome, stateFile, sourceClusterName, sourceClusterPartNames, type SandboxState, type SourceClusterState, type PartState, type PartName, type FaultProxyLinkState } from './state.js';
export { restartPart, type RestartOutcome } from './restart.js';
export { isAlive, stopPid } from './part-process.js';
