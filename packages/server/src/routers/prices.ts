import { zPricesLatestInput, zPricesLatestResult, zPricesUpsertInput, zUpsertResult } from '@fo/schema';
import { latestPrices, upsertPrices } from '../services/market/prices.js';
import { authedProcedure, router } from '../trpc/init.js';

export const pricesRouter = router({
  /** Up to 10,000 (symbol, date, close, currency) rows in one statement; idempotent. */
  upsert: authedProcedure
    .input(zPricesUpsertInput)
    .output(zUpsertResult)
    .mutation(({ ctx, input }) => upsertPrices(ctx, input)),
  latest: authedProcedure
    .input(zPricesLatestInput)
    .output(zPricesLatestResult)
    .query(({ ctx, input }) => latestPrices(ctx, input)),
});
