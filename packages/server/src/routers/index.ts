/**
 * The application router: one line per area. The SDK re-exports its type.
 */
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import { createCallerFactory, mergeRouters, router } from '../trpc/init.js';
import { accountsRouter } from './accounts.js';
import { analyticsRouter } from './analytics.js';
import { apiTokensRouter } from './apiTokens.js';
import { authRouter } from './auth.js';
import { fxRouter } from './fx.js';
import { holdingsRouter } from './holdings.js';
import { plaidRouter } from './plaid.js';
import { portfolioRouter } from './portfolio.js';
import { pricesRouter } from './prices.js';
import { realEstateRouter } from './realEstate.js';
import { systemRouter } from './system.js';
import { tasksRouter } from './tasks.js';
import { holdingLotsRouter, reconciliationRouter, transactionsRouter } from './transactions.js';
import { usersRouter } from './users.js';

export const appRouter = router({
  system: systemRouter,
  accounts: mergeRouters(accountsRouter, reconciliationRouter),
  analytics: analyticsRouter,
  auth: authRouter,
  users: usersRouter,
  apiTokens: apiTokensRouter,
  holdings: mergeRouters(holdingsRouter, holdingLotsRouter),
  transactions: transactionsRouter,
  prices: pricesRouter,
  fx: fxRouter,
  realEstate: realEstateRouter,
  portfolio: portfolioRouter,
  tasks: tasksRouter,
  plaid: plaidRouter,
});

export type AppRouter = typeof appRouter;
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export const createCaller = createCallerFactory(appRouter);
