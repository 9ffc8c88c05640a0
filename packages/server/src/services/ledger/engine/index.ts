/**
 * The ledger engine: pure, synchronous, no database. See types.ts for the model and partition.ts
 * for the rules.
 */
export * from './cash.js';
export * from './days.js';
export * from './errors.js';
export * from './fixed.js';
export {
  compareLots,
  derivedLotId,
  outcomesById,
  type ReplayInput,
  replayPartition,
  WASH_SALE_WINDOW_DAYS,
} from './partition.js';
export { type RestoreInput, restoreState, type StoredMatch } from './restore.js';
export * from './types.js';
