/** @module dnsperf and resperf as the DNS query engines: its output read, its process run, its figures as result sections. */
export { parseDnsperfLine, parseDnsperfStatistics, type DnsperfLine, type DnsperfStatistics } from './output.js';
export { DnsperfReader, type DnsperfInterval, type DnsperfMeasurement, type QueryExpectation, type UnexpectedAnswer } from './measure.js';
export { dnsperfArgs, dnsperfInstallHint, locateDnsperf, runDnsperf, type DnsperfExit, type DnsperfRunOptions } from './process.js';
export { dnsperfProblems, dnsperfSections, type DnsperfAsked, type DnsperfSections } from './sections.js';
export { dnsperfProgressText, runDnsperfPhase, runResperfPhase, type DnsperfLoad, type DnsperfPhaseOptions, type ResperfPhaseOptions } from './phase.js';
export { parseResperfEndedEarly, parseResperfPlot, parseResperfStatistics, type ResperfEndedEarly, type ResperfInterval, type ResperfStatistics } from './resperf-output.js';
export { resperfArgs, runResperf, type ResperfLoad, type ResperfRunOptions } from './resperf-process.js';
export { resperfProblems, resperfSections, type ResperfAsked } from './resperf-sections.js';
