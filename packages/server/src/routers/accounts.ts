import {
  zAccount,
  zAccountCloseInput,
  zAccountCreateInput,
  zAccountIdInput,
  zAccountListInput,
  zAccountPage,
  zAccountUpdateInput,
  zBalanceHistoryInput,
  zBalanceHistoryPage,
  zRecordBalanceInput,
  zRecordBalanceResult,
  zUuid,
} from '@fo/schema';
import { z } from 'zod';
import {
  closeAccount,
  createAccount,
  deleteAccount,
  getAccount,
  listAccounts,
  reopenAccount,
  updateAccount,
} from '../services/accounts/accounts.js';
import { balanceHistory, recordBalance } from '../services/accounts/balances.js';
import { authedProcedure, router } from '../trpc/init.js';

export const accountsRouter = router({
  list: authedProcedure
    .input(zAccountListInput)
    .output(zAccountPage)
    .query(({ ctx, input }) => listAccounts(ctx, input)),
  byId: authedProcedure
    .input(zAccountIdInput)
    .output(zAccount)
    .query(({ ctx, input }) => getAccount(ctx, input.id)),
  create: authedProcedure
    .input(zAccountCreateInput)
    .output(zAccount)
    .mutation(({ ctx, input }) => createAccount(ctx, input)),
  update: authedProcedure
    .input(zAccountUpdateInput)
    .output(zAccount)
    .mutation(({ ctx, input }) => updateAccount(ctx, input)),
  close: authedProcedure
    .input(zAccountCloseInput)
    .output(zAccount)
    .mutation(({ ctx, input }) => closeAccount(ctx, input)),
  reopen: authedProcedure
    .input(zAccountIdInput)
    .output(zAccount)
    .mutation(({ ctx, input }) => reopenAccount(ctx, input.id)),
  delete: authedProcedure
    .input(zAccountIdInput)
    .output(z.object({ id: zUuid }))
    .mutation(({ ctx, input }) => deleteAccount(ctx, input.id)),
  recordBalance: authedProcedure
    .input(zRecordBalanceInput)
    .output(zRecordBalanceResult)
    .mutation(({ ctx, input }) => recordBalance(ctx, input)),
  balanceHistory: authedProcedure
    .input(zBalanceHistoryInput)
    .output(zBalanceHistoryPage)
    .query(({ ctx, input }) => balanceHistory(ctx, input)),
});
