import type { IsolationCases } from '../types.js';
import { accountsCases } from './accounts.js';
import { analyticsCases } from './analytics.js';
import { systemCases } from './system.js';

/** One spread per area file. */
export const isolationCases: IsolationCases = {
  ...systemCases,
  ...accountsCases,
  ...analyticsCases,
};
