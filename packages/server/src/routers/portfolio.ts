import { zNetWorth, zNetWorthHistory, zNetWorthHistoryInput, zNetWorthInput } from '@fo/schema';
import { netWorth, netWorthHistory } from '../services/portfolio/history.js';
import { authedProcedure, router } from '../trpc/init.js';

export const portfolioRouter = router({
  netWorth: authedProcedure
    .input(zNetWorthInput)
    .output(zNetWorth)
    .query(({ ctx, input }) => netWorth(ctx, input.asOf)),
  netWorthHistory: authedProcedure
    .input(zNetWorthHistoryInput)
    .output(zNetWorthHistory)
    .query(({ ctx, input }) => netWorthHistory(ctx, input)),
});
