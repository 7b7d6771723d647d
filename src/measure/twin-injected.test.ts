import { test } from 'node:test';
import assert from 'node:assert/strict';
import { twinInjectedMetricName, twinInjectedNote } from './twin-injected.js';
import { twinInjectedMetric } from '../targets/sandbox/operator/metrics.js';

test('the injected tunables the twin exposes become one note; none, no note', () => {
  assert.equal(twinInjectedMetricName, twinInjectedMetric, 'measure/ names the metric as the twin declares it');
  const s = (tunable: string, value: number) => ({ name: twinInjectedMetricName, labels: { tunable }, value });
  assert.equal(
    twinInjectedNote([s('leak_mib_per_minute', 30), s('capacity_reconciles_per_second', 5), s('capacity_burst', 5), s('crash_after_reconciles', 100), s('error_rate', 0.05), { name: 'process_resident_memory_bytes', labels: {}, value: 1 }]),
    `operator twin injected (its /metrics, ${twinInjectedMetricName}): memory leak 30 MiB/min (1800 MiB/h); capacity 5 reconciles/s; capacity burst 5; crash after 100 reconciles; error rate 5 %`,
  );
  assert.equal(twinInjectedNote([{ name: 'bindy_firestoned_io_reconciliations_total', labels: {}, value: 3 }]), null);
  assert.equal(twinInjectedNote([s('bindcar_retry_budget_ms', 10_000)]), `operator twin injected (its /metrics, ${twinInjectedMetricName}): bindcar retry budget 10 s (bindy's: 120 s)`);
});
