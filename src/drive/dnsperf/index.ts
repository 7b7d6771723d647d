/** @module dnsperf as the DNS query engine: its output read, its process run, its figures as result sections. */
export { parseDnsperfLine, parseDnsperfStatistics, type DnsperfLine, type DnsperfStatistics } from './output.js';
export { DnsperfReader, type DnsperfInterval, type DnsperfMeasurement, type QueryExpectation, type UnexpectedAnswer } from './measure.js';
export { dnsperfArgs, dnsperfInstallHint, locateDnsperf, runDnsperf, type DnsperfExit, type DnsperfRunOptions } from './process.js';
export { dnsperfProblems, dnsperfSections, type DnsperfAsked, type DnsperfSections } from './sections.js';
export { dnsperfProgressText, runDnsperfPhase, type DnsperfLoad, type DnsperfPhaseOptions } from './phase.js';
