/**
 * @module BIND9's memory and CPU over a run, for every server whose named runs on this machine (the
 * sandbox): `/proc/<pid>` sampled each interval, as series (RSS in bytes, CPU in cores) and as the
 * figures a person asks for (RSS at the start, its peak, at the end; CPU seconds spent), following a
 * named a fault restarted as a new process. Servers
 * without a local process are named in a note: on a cluster their containers' metrics are needed.
 */
import type { CounterData, TimeSeriesData } from '../measure/index.js';
import { ratePerSecond } from '../measure/time-series.js';
import type { DnsServer } from '../targets/target.js';
import { createMetricsSampler, type MetricsSampler, type SamplerSnapshot } from './metrics-sampler.js';
import { processStatsSource, type FollowingProcessSource } from './process-stats.js';

/** What the sampling found: result sections to merge. */
export interface Bind9Resources {
  counters: Record<string, CounterData>;
  timeSeries: TimeSeriesData[];
  notes: string[];
}

/** A started sampling of BIND9's processes. */
export interface Bind9ResourceSampling {
  /** Takes the last reading of each process and returns the figures. */
  stop(): Promise<Bind9Resources>;
}

const rssName = 'process_resident_memory_bytes';
const cpuName = 'process_cpu_seconds_total';
const mib = 1024 * 1024;

function pick(name: string) {
  return (s: readonly { name: string; value: number }[]): number | null => s.find((x) => x.name === name)?.value ?? null;
}

/** Starts sampling every server with a local named (`pid`) every `intervalMs`; `now` is the run's clock (ms since its start). */
export async function sampleBind9Resources(servers: readonly DnsServer[], o: { intervalMs: number; now: () => number }): Promise<Bind9ResourceSampling> {
  const local = servers.filter((s): s is DnsServer & { pid: number } => s.pid !== undefined);
  const samplers: { server: string; sampler: MetricsSampler; source: FollowingProcessSource }[] = local.map((s) => {
    const source = processStatsSource(s.pid, `named of ${s.name ?? 'the server'}`, s.pidNow);
    return {
      server: s.name ?? `${s.host}:${s.port}`,
      source,
      sampler: createMetricsSampler({
        source,
        intervalMs: o.intervalMs,
        now: o.now,
        track: { rss: { kind: 'gauge', pick: pick(rssName) }, cpu: { kind: 'counter', pick: pick(cpuName) } },
      }),
    };
  });
  await Promise.all(samplers.map((s) => s.sampler.start()));
  const remote = servers.filter((s) => s.pid === undefined).map((s) => s.name ?? `${s.host}:${s.port}`);
  return {
    async stop() {
      const out: Bind9Resources = { counters: {}, timeSeries: [], notes: [] };
      for (const { server, sampler, source } of samplers) {
        figuresOf(server, await sampler.stop(), o.intervalMs, out);
        if (source.replacements.length > 0) {
          const pids = source.replacements.map((r) => `${r.from} → ${r.to}`).join(', ');
          out.notes.push(`named of ${server} was replaced during the run (pid ${pids}): its memory is the new process's from then on; its CPU time is summed over them`);
        }
      }
      if (remote.length > 0) out.notes.push(`BIND9 memory and CPU not sampled for ${remote.join(', ')}: no named process of ${remote.length === 1 ? 'it' : 'theirs'} on this machine (on a cluster, its container's metrics)`);
      return out;
    },
  };
}

/** The counters and series of one server's snapshot, appended to `out` (pure). */
export function figuresOf(server: string, snap: SamplerSnapshot, intervalMs: number, out: Bind9Resources): void {
  const rss = snap.series['rss']?.points ?? [];
  const cpu = snap.series['cpu']?.points ?? [];
  const first = snap.first;
  const last = snap.last;
  if (first === null || last === null || rss.length === 0) {
    out.notes.push(`BIND9 memory and CPU of ${server}: ${snap.source} could not be read (${snap.recentFailures.at(-1)?.message ?? 'no reading'})`);
    return;
  }
  const c = (name: string, value: number, unit: string, description: string): void => {
    out.counters[`bind9_${name}.${server}`] = { value, unit, description };
  };
  const startRss = rss[0]?.value ?? 0;
  const endRss = rss.at(-1)?.value ?? 0;
  const peak = rss.reduce((m, p) => Math.max(m, p.value), 0);
  c('rss_start', Math.round((startRss / mib) * 10) / 10, 'MiB', `named's resident memory when the run's sampling started (${snap.source})`);
  c('rss_peak', Math.round((peak / mib) * 10) / 10, 'MiB', `named's highest resident memory over the run, sampled every ${intervalMs} ms (${snap.source})`);
  c('rss_end', Math.round((endRss / mib) * 10) / 10, 'MiB', `named's resident memory when the sampling stopped (${snap.source})`);
  const cpuSpent = (cpu.at(-1)?.value ?? 0) - (cpu[0]?.value ?? 0);
  c('cpu_seconds', Math.round(cpuSpent * 100) / 100, 's', `CPU time named used over the run, user + system (${snap.source}; clock-tick resolution)`);
  out.timeSeries.push({ name: `bind9_memory_rss.${server}`, unit: 'bytes', description: `named's resident set size (${snap.source}), every ${intervalMs} ms`, points: rss.map((p) => ({ ...p })) });
  const cores = ratePerSecond(cpu, intervalMs);
  if (cores.length > 0) out.timeSeries.push({ name: `bind9_cpu.${server}`, unit: 'cores', description: `named's CPU use, rate of its user + system time over ${intervalMs} ms windows (${snap.source})`, points: cores });
}
