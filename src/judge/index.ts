/** @module Public API of the judge: criteria, verdicts, baselines and regression analysis (pure; no I/O). */
export { criteriaTable, burstMetrics, checkCriteriaMeasurable, isExplicit } from './criteria.js';
export type { CriterionKey, CriterionSpec, MeasurabilityPlan, ScenarioMetrics } from './criteria.js';
export { judge, failedVerdicts } from './judge.js';
export type { Verdict } from './judge.js';
export { figureIds, figureInfo, memoryGrowthMinimum, readFigure, readFigures } from './figures.js';
export type { Figure, FigureId, FigureInfo, FigureOptions } from './figures.js';
export { asBaseline, baselineVersion, buildBaseline } from './baseline.js';
export type { BaselineDocument, BaselineInput, BaselineRun, BaselineSection } from './baseline.js';
export { analyze, assertComparable } from './analyze.js';
export type { Analysis, AnalyzeOptions, ChangeVerdict, ComparisonRow } from './analyze.js';
export { analysisMarkdown } from './analysis-markdown.js';
export { linearFit } from './linear-fit.js';
export type { LinearFit } from './linear-fit.js';
export { mannWhitney } from './mann-whitney.js';
export type { MannWhitneyResult } from './mann-whitney.js';
export { predictionTest, twoProportionTest } from './scalar-tests.js';
export type { ScalarTest } from './scalar-tests.js';
