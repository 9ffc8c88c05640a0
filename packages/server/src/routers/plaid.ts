import {
  zPlaidCreateLinkTokenInput,
  zPlaidExchangeInput,
  zPlaidExchangeResult,
  zPlaidItemIdInput,
  zPlaidItemList,
  zPlaidLinkToken,
  zPlaidRemoveResult,
  zPlaidSyncNowResult,
} from '@fo/schema';
import {
  createLinkToken,
  exchangePublicToken,
  listItems,
  removeItem,
  syncNow,
} from '../services/plaid/items.js';
import { authedProcedure, router } from '../trpc/init.js';

/** Linked institutions. Without Plaid's configuration every procedure answers PRECONDITION_FAILED. */
export const plaidRouter = router({
  createLinkToken: authedProcedure
    .input(zPlaidCreateLinkTokenInput)
    .output(zPlaidLinkToken)
    .mutation(({ ctx, input }) => createLinkToken(ctx, input)),
  exchangePublicToken: authedProcedure
    .input(zPlaidExchangeInput)
    .output(zPlaidExchangeResult)
    .mutation(({ ctx, input }) => exchangePublicToken(ctx, input)),
  items: authedProcedure.output(zPlaidItemList).query(({ ctx }) => listItems(ctx)),
  removeItem: authedProcedure
    .input(zPlaidItemIdInput)
    .output(zPlaidRemoveResult)
    .mutation(({ ctx, input }) => removeItem(ctx, input)),
  syncNow: authedProcedure
    .input(zPlaidItemIdInput)
    .output(zPlaidSyncNowResult)
    .mutation(({ ctx, input }) => syncNow(ctx, input)),
});
