/** @module Public API of the measurement layer: HDR histograms, time series, counters, bucket quantiles. */
export {
  QuantityHistogram,
  createLatencyHistogram,
  latencySpec,
  mergeHistograms,
  summaryInMs,
  usToMs,
} from './histogram.js';
export type { HistogramSpec, HistogramSummary, OutOfRangeCounts } from './histogram.js';
export { TimeSeries, eventRatePerSecond, ratePerSecond, rateWindowEdges, rateWindowMs } from './time-series.js';
export { sumGaugeSeries, sumRateSeries } from './series-merge.js';
export type { SummedSeries } from './series-merge.js';
export type { LastStub, TimePoint, TimeSeriesData } from './time-series.js';
export { Counters } from './counters.js';
export type { CounterData } from './counters.js';
export {
  bucketEstimateMethod,
  classicHistograms,
  estimateQuantiles,
  histogramDelta,
  histogramQuantile,
  labelKey,
} from './bucket-quantile.js';
export type { Bucket, BucketQuantileEstimate, ClassicHistogram, HistogramWindow, MetricSample } from './bucket-quantile.js';
