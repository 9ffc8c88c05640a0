import {
  zNetWorth,
  zNetWorthHistory,
  zNetWorthHistoryInput,
  zNetWorthInput,
  zSetTargetAllocationInput,
  zTargetAllocation,
} from '@fo/schema';
import { netWorth, netWorthHistory } from '../services/portfolio/history.js';
import {
  getTargetAllocation,
  resetTargetAllocation,
  setTargetAllocation,
} from '../services/portfolio/targetAllocation.js';
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
  /** The weights the `rebalance` agent steers towards: the user's own, or their default model. */
  targetAllocation: router({
    get: authedProcedure.output(zTargetAllocation).query(({ ctx }) => getTargetAllocation(ctx)),
    set: authedProcedure
      .input(zSetTargetAllocationInput)
      .output(zTargetAllocation)
      .mutation(({ ctx, input }) => setTargetAllocation(ctx, input)),
    reset: authedProcedure.output(zTargetAllocation).mutation(({ ctx }) => resetTargetAllocation(ctx)),
  }),
});
