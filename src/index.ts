/** @module The library entry point of bindy-loadtest. */
export * from './errors.js';
export { toolVersion } from './version.js';
