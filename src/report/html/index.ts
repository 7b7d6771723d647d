/** @module Public API of the HTML report: the pure renderer and the loader of the chart library it inlines. */
export { renderHtml } from './render-html.js';
export type { HtmlReportOptions } from './render-html.js';
export { loadChartAssets } from './chart-assets.js';
export type { ChartAssets } from './chart-assets.js';
