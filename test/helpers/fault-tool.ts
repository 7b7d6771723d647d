/**
 * @module Test helper run as its own process: stands for the tool in the middle of a fault. It
 * applies `argv[3]` (a fault spec as JSON) to link `argv[2]` of the proxy at `argv[1]`, prints the
 * revert descriptor as one JSON line before the fault takes effect (as the journal would get it),
 * prints `applied`, and then waits to be killed.
 */
import { ProxyFaultMechanism } from '../../src/faults/proxy/mechanism.js';
import { parseFaultSpec, type ProbeSpec } from '../../src/faults/fault.js';

const [controlUrl, link, specJson, probeJson] = process.argv.slice(2);
if (controlUrl === undefined || link === undefined || specJson === undefined) {
  process.stderr.write('usage: fault-tool.ts CONTROL_URL LINK SPEC_JSON [PROBE_JSON]\n');
  process.exit(2);
}
const probes = probeJson === undefined ? undefined : { [link]: JSON.parse(probeJson) as ProbeSpec };
const mechanism = await ProxyFaultMechanism.connect(controlUrl, probes);
await mechanism.apply(link, parseFaultSpec(JSON.parse(specJson)), {
  beforeApply: (d) => {
    process.stdout.write(`${JSON.stringify(d)}\n`);
  },
});
process.stdout.write('applied\n');
setInterval(() => undefined, 60_000); // hold on until SIGKILL
