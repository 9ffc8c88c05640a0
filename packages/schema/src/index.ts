export * from './accounts.js';
export * from './amounts.js';
export * from './common.js';
export * from './dates.js';
export * from './decimal.js';
export * from './enums.js';
export * from './errors.js';
export * from './system.js';
