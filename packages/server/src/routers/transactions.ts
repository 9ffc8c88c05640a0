import {
  zCompleteReconciliationInput,
  zHoldingLots,
  zHoldingLotsInput,
  zRealizedGains,
  zRealizedGainsInput,
  zReconcileInput,
  zReconcileResult,
  zReconciliation,
  zTransaction,
  zTransactionCreateInput,
  zTransactionCreateResult,
  zTransactionDeleteInput,
  zTransactionIdInput,
  zTransactionImportInput,
  zTransactionImportResult,
  zTransactionListInput,
  zTransactionPage,
  zTransactionUpdateInput,
} from '@fo/schema';
import { z } from 'zod';
import { getTransaction, holdingLots, listTransactions, realizedGains } from '../services/ledger/reads.js';
import { completeReconciliation, reconcileAccount } from '../services/ledger/reconcile.js';
import {
  createTransaction,
  deleteTransaction,
  importTransactions,
  updateTransaction,
} from '../services/ledger/writes.js';
import { authedProcedure, router } from '../trpc/init.js';

export const transactionsRouter = router({
  list: authedProcedure
    .input(zTransactionListInput)
    .output(zTransactionPage)
    .query(({ ctx, input }) => listTransactions(ctx, input)),
  byId: authedProcedure
    .input(zTransactionIdInput)
    .output(zTransaction)
    .query(({ ctx, input }) => getTransaction(ctx, input.id)),
  create: authedProcedure
    .input(zTransactionCreateInput)
    .output(zTransactionCreateResult)
    .mutation(({ ctx, input }) => createTransaction(ctx, input)),
  update: authedProcedure
    .input(zTransactionUpdateInput)
    .output(zTransaction)
    .mutation(({ ctx, input }) => updateTransaction(ctx, input)),
  delete: authedProcedure
    .input(zTransactionDeleteInput)
    .output(z.object({ id: z.string(), counterpartId: z.string().nullable() }))
    .mutation(({ ctx, input }) => deleteTransaction(ctx, input)),
  import: authedProcedure
    .input(zTransactionImportInput)
    .output(zTransactionImportResult)
    .mutation(({ ctx, input }) => importTransactions(ctx, input)),
  realizedGains: authedProcedure
    .input(zRealizedGainsInput)
    .output(zRealizedGains)
    .query(({ ctx, input }) => realizedGains(ctx, input)),
});

/** Merged into holdings.*: a holding's tax lots. */
export const holdingLotsRouter = router({
  lots: authedProcedure
    .input(zHoldingLotsInput)
    .output(zHoldingLots)
    .query(({ ctx, input }) => holdingLots(ctx, input.holdingId)),
});

/** Merged into accounts.*: statement reconciliation. */
export const reconciliationRouter = router({
  reconcile: authedProcedure
    .input(zReconcileInput)
    .output(zReconcileResult)
    .query(({ ctx, input }) => reconcileAccount(ctx, input)),
  completeReconciliation: authedProcedure
    .input(zCompleteReconciliationInput)
    .output(zReconciliation)
    .mutation(({ ctx, input }) => completeReconciliation(ctx, input)),
});
