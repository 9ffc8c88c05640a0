import {
  zHolding,
  zHoldingCreateInput,
  zHoldingIdInput,
  zHoldingListInput,
  zHoldingPage,
  zHoldingUpdateInput,
  zUuid,
} from '@fo/schema';
import { z } from 'zod';
import {
  createHolding,
  deleteHolding,
  getHolding,
  listHoldings,
  updateHolding,
} from '../services/holdings/holdings.js';
import { authedProcedure, router } from '../trpc/init.js';

export const holdingsRouter = router({
  list: authedProcedure
    .input(zHoldingListInput)
    .output(zHoldingPage)
    .query(({ ctx, input }) => listHoldings(ctx, input)),
  byId: authedProcedure
    .input(zHoldingIdInput)
    .output(zHolding)
    .query(({ ctx, input }) => getHolding(ctx, input.id)),
  create: authedProcedure
    .input(zHoldingCreateInput)
    .output(zHolding)
    .mutation(({ ctx, input }) => createHolding(ctx, input)),
  update: authedProcedure
    .input(zHoldingUpdateInput)
    .output(zHolding)
    .mutation(({ ctx, input }) => updateHolding(ctx, input)),
  delete: authedProcedure
    .input(zHoldingIdInput)
    .output(z.object({ id: zUuid }))
    .mutation(({ ctx, input }) => deleteHolding(ctx, input.id)),
});
