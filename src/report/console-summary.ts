/** @module The console summary printed on stderr at the end of a run, rendered from the JSON run result (pure). */
import type { RunResult } from './result/index.js';
import { formatNumber, formatUs } from './markdown.js';
import { configuredIn, formatWithUnit } from './units.js';
import { verdictLine } from './verdict-line.js';

function counter(r: RunResult, name: string): string {
  const c = r.counters[name];
  return c === undefined ? '—' : formatNumber(c.value);
}

/** A few lines for a person: the verdict line first, then outcome, counts, rates, the main latencies' percentiles, where the files are. */
export function renderConsoleSummary(r: RunResult, files: { dir: string; files?: readonly string[] } | null): string {
  const m = r.metadata;
  const lines: string[] = [verdictLine(r)];
  lines.push(`${m.scenario} ${m.runId}: ${m.status}${m.durationMs === null ? '' : ` in ${(m.durationMs / 1000).toFixed(1)} s`} (${m.target.kind})`);
  // e2e: the story's headline first (did it hold, the worst interval, the run in one line).
  for (const h of r.e2e?.headline ?? []) lines.push(`  ${h}`);
  // Chaos: each experiment's invariants first, they are its answer.
  for (const e of r.chaos?.experiments ?? []) {
    const failed = e.invariants.filter((i) => i.verdict === 'fail');
    lines.push(
      `  ${e.key} ${e.kind}: ${failed.length === 0 ? 'every invariant held' : `FAILED ${failed.map((i) => i.name).join(', ')}`}; ` +
        `${e.convergenceMs === null ? 'did not converge' : `converged ${(e.convergenceMs / 1000).toFixed(1)} s after the revert`}; ` +
        `${e.invariants.filter((i) => i.name.startsWith('DNS gap')).map((i) => `${i.name} ${i.observed === null ? '—' : `${i.observed.toFixed(2)} s`}`).join(', ')}; revert ${e.reverted ? 'proven' : 'NOT proven'}`,
    );
  }
  const b = r.backpressure;
  if (b?.knee !== undefined && b.knee !== null) lines.push(`  knee: ${b.knee.rate === null ? 'not found' : `${b.knee.rate}/s`}: ${b.knee.text}`);
  if (b?.pressure !== undefined && b.pressure !== null) {
    const failed = b.pressure.invariants.filter((i) => i.verdict === 'fail');
    lines.push(
      `  ${b.mode}: ${failed.length === 0 ? 'every check held' : `FAILED ${failed.map((i) => i.name).join(', ')}`}; ` +
        `${b.pressure.convergenceMs === null ? 'did not recover within the bound' : `recovered ${(b.pressure.convergenceMs / 1000).toFixed(1)} s after the lift`}; lift ${b.pressure.reverted ? 'proven' : 'NOT proven'}`,
    );
  }
  const fin = r.chaos?.final;
  if (fin !== undefined && fin !== null) lines.push(`  end state: ${fin.ready} of ${fin.objects} Ready; DNS ${fin.auditClean ? 'serves exactly what the CRs say' : `DIFFERS from the CRs: ${fin.audit}`}${(fin.lostWrites ?? 0) > 0 ? `; data loss: ${fin.lostWrites ?? 0} acknowledged writes not served` : ''}`);
  if (r.counters['operations_attempted'] !== undefined) {
    // A scheduled run (sustained): operations of every type, the rates, the backlog verdict.
    lines.push(
      `  operations: ${counter(r, 'operations_due')} due, ${counter(r, 'operations_attempted')} started, ${counter(r, 'operations_succeeded')} took effect, ` +
        `${counter(r, 'operations_failed')} failed, ${counter(r, 'operations_dropped')} dropped, ${counter(r, 'operations_retried')} retried` +
        ((r.counters['operations_refused_by_quota']?.value ?? 0) > 0 ? `, ${counter(r, 'operations_refused_by_quota')} refused by a quota` : ''),
    );
    lines.push(`  rates: ${counter(r, 'offered_rate')}/s offered, ${counter(r, 'sustained_ops_rate')}/s took effect over the steady phase; backlog slope ${counter(r, 'backlog_slope')} objects/min`);
  } else if (r.counters['discovery_services_created'] !== undefined) {
    // Discovery: each stage's count, from the sources to DNS answers and back.
    const ingresses = r.counters['discovery_ingresses_created']?.value ?? 0;
    const clusters = r.counters['discovery_clusters']?.value ?? 1;
    const sources = `${counter(r, 'discovery_services_created')} Services${ingresses > 0 ? ` + ${counter(r, 'discovery_ingresses_created')} Ingresses` : ''}${clusters > 1 ? ` (in ${clusters} clusters)` : ''}`;
    const expected = r.counters['discovery_arecords_expected'] === undefined ? '' : ` (${counter(r, 'discovery_arecords_expected')} expected)`;
    lines.push(
      `  publish: ${sources} → ${counter(r, 'discovery_arecords_published')} ARecords by scout${expected} → ${counter(r, 'discovery_arecords_ready')} Ready → ` +
        `${counter(r, 'discovery_answered')} answered by DNS (${counter(r, 'discovery_wrong_data')} with another address)`,
    );
    lines.push(`  flips: ${counter(r, 'discovery_flips')} ARecords' sources moved → ${counter(r, 'discovery_flips_ready')} Ready at the new address → ${counter(r, 'discovery_flips_answered')} answered with it`);
    const deleted = `${counter(r, 'discovery_services_deleted')} Services${ingresses > 0 ? ` + ${counter(r, 'discovery_ingresses_deleted')} Ingresses` : ''}`;
    lines.push(`  remove: ${deleted} deleted → ${counter(r, 'discovery_arecords_gone')} ARecords gone → ${counter(r, 'discovery_nxdomain')} NXDOMAIN; orphans: ${counter(r, 'discovery_orphans')}${r.counters['discovery_arecords_lost'] === undefined ? '' : `; lost while their source existed: ${counter(r, 'discovery_arecords_lost')}`}`);
  } else if (r.counters['bindcar_requests_sent'] !== undefined) {
    // bind rndc: what bindcar answered, then each route's latency (from the intended start; service time from the send).
    lines.push(
      `  bindcar: ${counter(r, 'bindcar_requests_due')} due, ${counter(r, 'bindcar_requests_sent')} sent, ${counter(r, 'bindcar_ok')} ok, ${counter(r, 'bindcar_429')} 429 (rate limiter), ` +
        `${counter(r, 'bindcar_errors')} errors, ${counter(r, 'bindcar_connection_errors')} connection errors, ${counter(r, 'bindcar_timeouts')} timeouts, ${counter(r, 'bindcar_requests_dropped')} dropped`,
    );
    for (const [name, l] of Object.entries(r.latencies)) {
      if (!name.startsWith('bindcar_') || name.endsWith('_service')) continue;
      const s = l.summary;
      const v = r.latencies[`${name}_service`]?.summary;
      lines.push(`  ${name.padEnd(24)} n=${s.count}  p50 ${formatUs(s.p50)}  p99 ${formatUs(s.p99)}  max ${formatUs(s.max)}  (service p50 ${formatUs(v?.p50 ?? null)}  p99 ${formatUs(v?.p99 ?? null)})`);
    }
  } else if (r.counters['zones_planned'] !== undefined) {
    // bind zones: the load's answer (all served, how fast, named's memory), then its latencies below.
    const all = r.counters['zones_all_served_ms'];
    lines.push(
      `  zones: ${counter(r, 'zones_planned')} planned, ${counter(r, 'zones_created')} created, ${counter(r, 'zones_served')} served, ${counter(r, 'zones_not_served')} not served, ${counter(r, 'zones_refused')} refused; ` +
        `${counter(r, 'records_loaded')} records${all === undefined ? '' : `, all served ${(all.value / 1000).toFixed(1)} s after the first create (${counter(r, 'records_served_per_second')} records/s)`}; ${counter(r, 'zone_requests_429')} creates answered 429`,
    );
    for (const [name, c] of Object.entries(r.counters)) {
      const server = /^bind9_rss_peak\.(.+)$/.exec(name)?.[1];
      if (server === undefined) continue;
      lines.push(`  named ${server}: RSS ${counter(r, `bind9_rss_start.${server}`)} → peak ${formatNumber(c.value)} → end ${counter(r, `bind9_rss_end.${server}`)} MiB, CPU ${counter(r, `bind9_cpu_seconds.${server}`)} s`);
    }
  } else {
    lines.push(
    `  creates: ${counter(r, 'creates_started')} started, ${counter(r, 'creates_accepted')} accepted, ${counter(r, 'creates_rejected')} rejected, ${counter(r, 'create_errors')} errors; ` +
      `Ready: ${counter(r, 'objects_ready')} (+${counter(r, 'objects_ready_at_relist')} at re-list), not Ready: ${counter(r, 'objects_not_ready')}`,
  );
    lines.push(`  rates: ${counter(r, 'create_rate')} creates/s accepted, ${counter(r, 'ready_rate')} Ready/s; first create → last Ready ${formatWithUnit(r.counters['first_create_to_last_ready']?.value ?? null, 'ms')}`);
  }
  if (r.counters['resperf_statistics_missing'] !== undefined) {
    // bind resperf: the answer (maximum throughput within the loss limit) first, and whose limit it is.
    const early = (r.counters['resperf_ended_early']?.value ?? 0) > 0;
    lines.push(
      `  maximum throughput (resperf): ${counter(r, 'resperf_max_throughput')} answers/s, ${((r.counters['resperf_lost_at_max']?.value ?? 0) * 100).toFixed(2)} % lost there` +
        (early ? ' — resperf ended its ramp early (see the notes): a lower bound, not the server\'s limit' : ''),
    );
    lines.push(
      `  dns queries (resperf): ${counter(r, 'dns_queries_sent')} sent, ${counter(r, 'dns_queries_answered')} answered, ${counter(r, 'dns_queries_lost')} lost, ` +
        `${counter(r, 'dns_answers_unexpected_rcode')} neither NOERROR nor NXDOMAIN`,
    );
  } else if (r.counters['dns_queries_sent'] !== undefined) {
    // bind query: what dnsperf did, before the records' own figures (those were its setup).
    lines.push(
      `  dns queries (dnsperf): ${counter(r, 'dns_queries_sent')} sent, ${counter(r, 'dns_queries_answered')} answered, ${counter(r, 'dns_queries_lost')} lost, ` +
        `${counter(r, 'dns_answers_unexpected_rcode')} with an unexpected rcode; ${counter(r, 'dns_query_rate')}/s`,
    );
  }
  if (r.counters['changes_planned'] !== undefined) {
    // bind transfer: how the changes reached each server, before the population's figures.
    lines.push(
      `  changes: ${counter(r, 'changes_planned')} planned, ${counter(r, 'changes_accepted')} accepted, ${counter(r, 'changes_failed')} refused, ${counter(r, 'changes_dropped')} dropped; ` +
        `answered by the primary ${counter(r, 'changes_on_primary')}, by the secondaries ${counter(r, 'changes_on_secondary')}; never on a secondary ${counter(r, 'changes_never_on_secondary')}` +
        ` (${counter(r, 'changes_superseded_on_secondary')} superseded); serial lag max ${counter(r, 'serial_lag_max')}`,
    );
  }
  // e2e: each change's stages (Ready, then answered by DNS), per operation type, first; elsewhere
  // the DNS figures (burst and sustained with the prober) follow the Ready ones.
  const dns = ['create_to_resolvable', 'update_to_resolvable', 'delete_to_gone_from_dns'];
  const stages = r.e2e === undefined ? [] : ['create_to_observed', ...dns];
  const after = r.e2e === undefined ? dns : [];
  for (const name of ['zone_create', 'zone_served', 'dns_query', ...stages, 'change_to_primary', 'change_to_secondary', 'primary_to_secondary', 'discovery_create_to_arecord', 'discovery_create_to_ready', 'discovery_create_to_resolvable', 'discovery_flip_to_resolvable', 'discovery_delete_to_arecord_gone', 'discovery_delete_to_nxdomain', 'create_to_ready', 'update_to_ready', 'delete_to_gone', ...after, 'api_create']) {
    const s = r.latencies[name]?.summary;
    if (s === undefined) continue;
    lines.push(`  ${name.padEnd(name.startsWith('discovery_') || name.includes('resolvable') || name.includes('from_dns') || name.includes('observed') ? 32 : 16)} n=${s.count}  p50 ${formatUs(s.p50)}  p90 ${formatUs(s.p90)}  p99 ${formatUs(s.p99)}  p99.9 ${formatUs(s.p999)}  max ${formatUs(s.max)}`);
  }
  for (const v of r.criteria) {
    const observed = v.observed === null ? 'not measured' : formatWithUnit(v.observed, v.unit);
    lines.push(
      `  criterion ${v.verdict === 'fail' ? 'FAIL' : v.verdict === 'pass' ? 'pass' : '—   '} ${v.metric}: ${observed} (limit ${v.comparison} ${formatWithUnit(v.limit, v.unit)}${configuredIn(v.limit, v.unit)})` +
        `${v.verdict === 'not-measured' ? `: ${v.reason}` : ''}`,
    );
  }
  for (const f of r.failures.slice(0, 3)) lines.push(`  failed: ${f.kind} ${f.name}: ${f.reason}: ${f.message}`);
  if (r.failures.length > 3) lines.push(`  … ${r.failures.length - 3} more failures in result.json`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  if (r.e2e !== undefined) lines.push(`  timeline: ${r.e2e.intervals.length} intervals of ${(r.e2e.intervalMs / 1000).toFixed(0)} s with every figure, and the phases, in summary.md, report.html and result.json (e2e)`);
  if (files !== null) lines.push(`  written to ${files.dir}/: ${(files.files ?? ['result.json']).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
