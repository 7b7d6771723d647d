/** @module The data the report's browser script turns into uPlot charts: one plain, JSON-safe object per chart. */

/** One line or bar series of a chart; null leaves a gap. */
export interface ChartSeries {
  label: string;
  /** Shown after the label in the legend (a line series' peak and last value). */
  note?: string;
  /** Drawn dashed and without points: a line fitted to another series, not samples. */
  dashed?: boolean;
  values: (number | null)[];
}

/** One chart. `x` is shared by every series; `kind` picks how the browser script draws it. */
export interface ChartSpec {
  /** Element id suffix: the chart is drawn into `#chart-<id>`. */
  id: string;
  /** `line`: time series; `curve`: percentile curve on a nines axis; `bars`: distribution over bins. */
  kind: 'line' | 'curve' | 'bars';
  xLabel: string;
  yLabel: string;
  x: number[];
  /** For `bars`: the label of each x position (the bin's range); for `curve`: unused. */
  xLabels?: string[];
  series: ChartSeries[];
  /** Shaded x ranges (a chaos fault in force, then its recovery; the quiet window), each labelled at the top. */
  bands?: ChartBand[];
}

/** One shaded range of a chart's x axis. */
export interface ChartBand {
  from: number;
  to: number;
  label: string;
  /**
   * `fault`: the fault in force; `recovery`: from its revert until the steady state came back (or
   * the run ended); `quiet`: the sustained scenario's quiet window at rest after the load; `spike`:
   * an e2e run's churn spike.
   */
  kind: 'fault' | 'recovery' | 'quiet' | 'spike';
}
