/**
 * The analytics engine: pure functions over typed arrays, no I/O. The data layer feeds it a
 * ModelInput; it can run on the main thread or in a worker (see ../host.ts).
 */
export * from './allocation.js';
export * from './analyze.js';
export * from './calendar.js';
export * from './prepare.js';
export * from './ranges.js';
export * from './returns.js';
export * from './stats.js';
export * from './types.js';
export * from './valuation.js';
export * from './xirr.js';
