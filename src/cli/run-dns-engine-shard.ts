/**
 * @module The pod of an in-cluster DNS engine Job (`bind query`/`bind resperf` on a cluster): runs
 * dnsperf or resperf next to BIND9 with the same phase, parser and HDR histogram as a run from this
 * machine, behind the coordinator's start, and sends the figures back through its report
 * ConfigMap: encoded histograms and counts, never dnsperf's per-query lines (megabytes a second).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InterruptedError } from '../errors.js';
import { dnsperfProgressText, locateDnsperf, runDnsperfPhase, runResperfPhase, type DnsperfPhaseOptions, type DnsperfSections } from '../drive/dnsperf/index.js';
import type { DnsEngineWork } from '../scenarios/shard-protocol.js';
import type { Interrupts } from './interrupts.js';
import type { ShardChannel } from './parent-channel.js';

/** How often the pod sends dnsperf's latest second to the coordinator, ms. */
const statusEveryMs = 5000;

/** What a DNS engine pod sends as its result (JSON in the `result` message). */
export interface DnsEngineResult {
  sections: DnsperfSections;
}

/** Runs the engine `work` names; throws InterruptedError (130) when stopped before the go. */
export async function runDnsEngineShard(work: DnsEngineWork, channel: ShardChannel, interrupts: Interrupts): Promise<void> {
  // Located before the gate: an image without the program fails its pod at once (exit 3, with the install line), not after the go.
  const program = locateDnsperf(work.engine);
  const dir = await mkdtemp(join(tmpdir(), 'bindy-loadtest-engine-'));
  try {
    let queries: DnsperfPhaseOptions['queries'];
    if ('generated' in work.queries) queries = { generated: work.queries.generated, what: work.queries.what };
    else {
      // The user's file came in the spec; the pod asks a copy of it.
      const copy = join(dir, 'queries.txt');
      await writeFile(copy, work.queries.fileText);
      queries = { file: copy, shownAs: `${work.queries.file} (a copy in the pod)` };
    }
    await channel.send({ type: 'ready' });
    const stop = interrupts.stopStarting.signal;
    await channel.go(stop);
    if (stop.aborted) throw new InterruptedError(`${work.engine} was stopped before it started: no DNS query was sent`);
    const startedMs = performance.now();
    // dnsperf's seconds as the coordinator's progress line: the first at once, then one every statusEveryMs
    // (each is a write to the API server). Best effort: a lost one is made good by the next.
    let lastStatusMs = -Infinity;
    const onInterval: DnsperfPhaseOptions['onInterval'] = (i) => {
      const now = performance.now();
      if (now - lastStatusMs < statusEveryMs) return;
      lastStatusMs = now;
      void channel.send({ type: 'status', text: dnsperfProgressText(i) }).catch(() => undefined);
    };
    const sections =
      work.engine === 'resperf'
        ? await runResperfPhase({ program, server: work.server, load: work.resperf, queries, startedMs, signal: stop })
        : await runDnsperfPhase({ program, server: work.server, load: work.dnsperf, queries, startedMs, signal: stop, onInterval, outstandingSetting: 'scenarios.bind.maxOutstanding (--max-outstanding)' });
    const result: DnsEngineResult = { sections };
    await channel.send({ type: 'result', text: JSON.stringify(result) });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
