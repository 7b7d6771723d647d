/** @module Public API of the sandbox BIND9: real named processes, rndc and nsupdate wrappers, config text. */
export { startNamed, type StartNamedOptions, type NamedServer, type NamedHealth, type NamedStopResult } from './named-process.js';
export { renderNamedConf, renderRndcConf, type NamedConfOptions, type NamedPorts } from './named-conf.js';
export { generateTsigKey, renderKeyClause, isValidKeyName, type TsigKey, type TsigAlgorithm } from './tsig-key.js';
export { Rndc, parseRndcConf, readRndcConf, type RndcOptions, type RndcKey, type CommandObserver } from './rndc.js';
export { Nsupdate, renderUpdateScript, type NsupdateOptions, type UpdateOp, type UpdateScript } from './nsupdate.js';
export { Bind9CommandError } from './command-error.js';
export { locateBind9Tools, bind9InstallHint, type Bind9Tools } from './tools.js';
export { udpQuery, type UdpAnswer } from './udp-query.js';
export { runNamed, type NamedReadyLine } from './run.js';
export { freePorts, freePort } from '../ports.js';
