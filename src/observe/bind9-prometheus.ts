/**
 * @module BIND9's memory and CPU on a cluster, from Prometheus (`--prometheus URL`): the kubelet's
 * cAdvisor series of every `bind9` container in the run's namespace (the container bindy's BIND9
 * pods run named in), per pod. Memory is the container's working set (what the kubelet evicts and
 * OOM-kills by), not named's resident set as on the sandbox: the series are named apart.
 */
import type { TimeSeriesData } from '../measure/index.js';
import type { Bind9Resources } from './bind9-resources.js';
import { promDuration, type PrometheusClient, type PrometheusWindow, type RangeSeries } from './prometheus-query.js';

/** The container bindy runs named in (its BIND9 pods' `bind9`). */
export const bind9Container = 'bind9';

const mib = 1024 * 1024;

/** The PromQL asked for the `bind9` containers of `namespace` over a run of `windowSec` (pure). */
export function bind9Queries(namespace: string, windowSec: number): { memory: string; cpu: (stepSec: number) => string; cpuSeconds: string } {
  const sel = `{namespace=${JSON.stringify(namespace)},container="${bind9Container}"}`;
  return {
    memory: `sum by (pod) (container_memory_working_set_bytes${sel})`,
    // rate() needs at least two samples in its window: four steps, and at least a minute for a 15 s scrape interval.
    cpu: (stepSec) => `sum by (pod) (rate(container_cpu_usage_seconds_total${sel}[${promDuration(Math.max(4 * stepSec, 60))}]))`,
    cpuSeconds: `sum by (pod) (increase(container_cpu_usage_seconds_total${sel}[${promDuration(windowSec)}]))`,
  };
}

/**
 * Per pod: the working-set series (bytes) and its start, peak and end (MiB), the CPU series (cores)
 * and the CPU seconds over the run, asked of Prometheus for the run window. Points are placed at
 * (Prometheus timestamp − run start) × 1000 ms: another machine's clock, so approximate. No series
 * is a note saying what was asked, never a zero.
 */
export async function bind9FromPrometheus(client: PrometheusClient, win: PrometheusWindow, source: string, namespace: string): Promise<Bind9Resources> {
  const q = bind9Queries(namespace, win.endSec - win.startSec);
  const [memory, cpu, spent] = await Promise.all([
    client.queryRange(q.memory, win.startSec, win.endSec, win.stepSec),
    client.queryRange(q.cpu(win.stepSec), win.startSec, win.endSec, win.stepSec),
    client.query(q.cpuSeconds, win.endSec),
  ]);
  const out: Bind9Resources = { counters: {}, timeSeries: [], notes: [] };
  if (memory.length === 0) {
    out.notes.push(`BIND9 memory and CPU: ${source} has no cAdvisor series of container ${bind9Container} in ${namespace} for the run (${q.memory}): is the kubelet's cAdvisor scraped?`);
    return out;
  }
  const points = (r: RangeSeries): TimeSeriesData['points'] => r.values.filter(([, v]) => Number.isFinite(v)).map(([ts, v]) => ({ t: (ts - win.startSec) * 1000, value: v }));
  const round = (v: number): number => Math.round((v / mib) * 10) / 10;
  for (const m of [...memory].sort((a, b) => (a.metric.pod ?? '').localeCompare(b.metric.pod ?? ''))) {
    const pod = m.metric.pod ?? 'unknown-pod';
    const p = points(m);
    if (p.length === 0) continue;
    const c = (name: string, value: number, unit: string, description: string): void => {
      out.counters[`bind9_${name}.${pod}`] = { value, unit, description };
    };
    c('working_set_start', round(p[0]?.value ?? 0), 'MiB', `container ${bind9Container}'s working set when the run started (${source})`);
    c('working_set_peak', round(p.reduce((x, y) => Math.max(x, y.value), 0)), 'MiB', `container ${bind9Container}'s highest working set over the run, every ${win.stepSec} s (${source}; a peak between Prometheus' scrapes is not seen)`);
    c('working_set_end', round(p.at(-1)?.value ?? 0), 'MiB', `container ${bind9Container}'s working set when the run ended (${source})`);
    out.timeSeries.push({ name: `bind9_memory_working_set.${pod}`, unit: 'bytes', description: `${q.memory} from ${source}, every ${win.stepSec} s (the container's working set, not named's resident set)`, points: p });
    const cores = cpu.find((x) => x.metric.pod === m.metric.pod);
    if (cores !== undefined && cores.values.length > 0) out.timeSeries.push({ name: `bind9_cpu.${pod}`, unit: 'cores', description: `${q.cpu(win.stepSec)} from ${source}, every ${win.stepSec} s`, points: points(cores) });
    const s = spent.find((x) => x.metric.pod === m.metric.pod)?.value;
    if (s !== undefined && Number.isFinite(s)) c('cpu_seconds', Math.round(s * 100) / 100, 's', `CPU time of container ${bind9Container} over the run: ${q.cpuSeconds} at its end (${source}; increase() extrapolates to the window's edges)`);
  }
  return out;
}
