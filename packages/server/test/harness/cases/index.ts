import type { IsolationCases } from '../types.js';
import { accountsCases } from './accounts.js';
import { analyticsCases } from './analytics.js';
import { apiTokensCases } from './apiTokens.js';
import { authCases } from './auth.js';
import { holdingsCases } from './holdings.js';
import { ledgerCases } from './ledger.js';
import { plaidCases } from './plaid.js';
import { portfolioCases } from './portfolio.js';
import { realEstateCases } from './realEstate.js';
import { systemCases } from './system.js';
import { tasksCases } from './tasks.js';
import { usersCases } from './users.js';

/** One spread per area file. */
export const isolationCases: IsolationCases = {
  ...systemCases,
  ...accountsCases,
  ...analyticsCases,
  ...authCases,
  ...usersCases,
  ...apiTokensCases,
  ...holdingsCases,
  ...ledgerCases,
  ...realEstateCases,
  ...portfolioCases,
  ...tasksCases,
  ...plaidCases,
};
