/**
 * @module The library entry point of bindy-loadtest: configuration, bindy model and fixtures,
 * measurement primitives, the run-result format, and the sandbox twin. Namespaced by concept so
 * names never collide: `import { config, model } from 'bindy-loadtest'`.
 */
export * from './errors.js';
export { toolVersion } from './version.js';
export * as config from './config/index.js';
export * as model from './model/index.js';
export * as measure from './measure/index.js';
export * as result from './report/result/index.js';
export * as sandbox from './targets/sandbox/supervisor/index.js';
export { main } from './cli/main.js';
