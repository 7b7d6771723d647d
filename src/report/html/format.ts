/** @module Number formatting for the HTML report: the report-wide units ({@link ../units.ts}) under the names the HTML modules use. */
export { formatNumber, formatWithUnit, formatLatencyUs as formatMicros } from '../units.js';
