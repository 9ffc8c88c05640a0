import { zFxLatestInput, zFxLatestResult, zFxUpsertInput, zUpsertResult } from '@fo/schema';
import { latestFx, upsertFx } from '../services/market/fx.js';
import { authedProcedure, router } from '../trpc/init.js';

export const fxRouter = router({
  /** Up to 10,000 (date, base, quote, rate) rows in one statement; idempotent. */
  upsert: authedProcedure
    .input(zFxUpsertInput)
    .output(zUpsertResult)
    .mutation(({ ctx, input }) => upsertFx(ctx, input)),
  latest: authedProcedure
    .input(zFxLatestInput)
    .output(zFxLatestResult)
    .query(({ ctx, input }) => latestFx(ctx, input)),
});
