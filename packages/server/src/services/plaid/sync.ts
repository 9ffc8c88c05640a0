/**
 * One sync of a Plaid item, the work of a `plaid_sync` task:
 *
 * 1. accounts and balances (/accounts/get): accounts created or matched, today's balances into the
 *    balance history;
 * 2. cash transactions (/transactions/sync) from the stored cursor, page by page. Each page —
 *    added, modified and removed — is applied in ONE database transaction together with the
 *    cursor that follows it, so a sync that dies half-way resumes from the last page applied:
 *    nothing lost, nothing twice (and the (account, provider id) unique constraint would refuse a
 *    second copy anyway). The write also checks that the stored cursor is still the one the page
 *    was asked with, so two syncs of one item cannot interleave pages.
 *    TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION asks again from the page's starting cursor;
 * 3. investments (services/plaid/investments.ts), for items with the investments product and
 *    investment accounts: trades, dividends and cash into the ledger, holdings reconciled;
 * 4. status: the item and its accounts go `syncing` → `ok` (with last_synced_at and the next
 *    scheduled sync), or `error` / `requires_reauth` with Plaid's code and message.
 *
 * Errors are thrown on to the task queue, which retries the transient ones with backoff; the
 * agent (agents/plaid-sync.ts) decides which are permanent.
 */
import {
  type PlaidHoldingDifference,
  type PlaidSyncReason,
  type PlaidSyncResult,
  type SyncStatus,
  todayIso,
} from '@fo/schema';
import type { PlaidApi, TransactionsSyncResponse } from 'plaid';
import type { Actor } from '../../actor.js';
import type { Knex } from '../../db/knex.js';
import type { Logger } from '../../logger.js';
import type { PlaidItem } from '../../models/index.js';
import { DomainError, NotFoundError } from '../errors.js';
import { applyProviderCashRows, type ProviderCashRow, type ProviderRemoval } from '../ledger/provider.js';
import { refreshNetWorth } from '../portfolio/refresh.js';
import { type LinkedAccount, recordPlaidBalances, upsertPlaidAccounts } from './accounts.js';
import { PlaidApiError, plaidCall } from './client.js';
import { getPlaidSettings, type PlaidSettings } from './config.js';
import { syncInvestments } from './investments.js';
import { openAccessToken, withLockedItem } from './store.js';
import { toProviderRemoval, toProviderRow } from './transactions.js';

export interface PlaidSyncContext {
  db: Knex;
  actor: Actor;
  signal: AbortSignal;
  progress(fraction: number, message?: string): Promise<void>;
  logger: Logger;
}

/** How many times one page is asked again after Plaid reports a mutation during pagination. */
const MAX_MUTATION_RESTARTS = 5;
/** How many times the cursor may be found moved by another sync before this one gives up. */
const MAX_CURSOR_CONFLICTS = 5;
const DEFAULT_PAGE_SIZE = 500;

/** A sync step whose failure says something about the item's state, for `last_error_message`. */
function failureOf(err: unknown): { status: SyncStatus; code: string; message: string } {
  if (err instanceof PlaidApiError) {
    return { status: err.requiresReauth ? 'requires_reauth' : 'error', code: err.code, message: err.message };
  }
  if (err instanceof DomainError) return { status: 'error', code: err.reason, message: err.message };
  return {
    status: 'error',
    code: 'INTERNAL_ERROR',
    message: 'The sync stopped on an unexpected error (details in the server log)',
  };
}

async function markSyncing(ctx: PlaidSyncContext, itemId: string): Promise<PlaidItem> {
  return withLockedItem(ctx.db, ctx.actor, itemId, async (trx, item) => {
    const updated = await item
      .$query(trx)
      .patchAndFetch({ status: 'syncing', last_attempt_at: trx.fn.now() as unknown as Date });
    await trx('accounts')
      .where({ user_id: ctx.actor.userId, plaid_item_id: item.item_id })
      .whereNull('closed_at')
      .update({ sync_status: 'syncing' });
    return updated;
  });
}

async function markFailed(
  ctx: PlaidSyncContext,
  itemId: string,
  settings: PlaidSettings | null,
  err: unknown,
) {
  const failure = failureOf(err);
  await withLockedItem(ctx.db, ctx.actor, itemId, async (trx, item) => {
    await item.$query(trx).patch({
      status: failure.status,
      last_error_code: failure.code,
      last_error_message: failure.message,
      ...(settings ? { next_sync_at: new Date(Date.now() + settings.syncIntervalMs) } : {}),
    });
    await trx('accounts')
      .where({ user_id: ctx.actor.userId, plaid_item_id: item.item_id })
      .whereNull('closed_at')
      .update({ sync_status: failure.status, sync_error: failure.message });
  }).catch((writeErr: unknown) => {
    // The item was removed meanwhile: there is no status left to record.
    if (!(writeErr instanceof NotFoundError)) throw writeErr;
  });
}

interface Outcome {
  result: PlaidSyncResult;
  linked: Map<string, LinkedAccount>;
}

function call<T>(
  settings: PlaidSettings,
  operation: string,
  signal: AbortSignal,
  fn: (api: PlaidApi, options: { signal: AbortSignal }) => Promise<{ data: T }>,
): Promise<T> {
  return plaidCall(operation, (api) => fn(api, { signal }), settings);
}

async function syncAccounts(
  ctx: PlaidSyncContext,
  settings: PlaidSettings,
  itemId: string,
  accessToken: string,
  outcome: Outcome,
): Promise<void> {
  const response = await call(settings, '/accounts/get', ctx.signal, (api, o) =>
    api.accountsGet({ access_token: accessToken }, o),
  );
  await withLockedItem(ctx.db, ctx.actor, itemId, async (trx, item) => {
    const institutionName = response.item.institution_name ?? item.institution_name;
    const upserted = await upsertPlaidAccounts(
      trx,
      { userId: ctx.actor.userId, plaidItemId: item.item_id, institutionName },
      response.accounts,
    );
    outcome.linked = upserted.accounts;
    outcome.result.accounts = { created: upserted.created, updated: upserted.updated };
    const balances = await recordPlaidBalances(
      trx,
      ctx.actor.userId,
      response.accounts,
      upserted.accounts,
      todayIso(),
    );
    outcome.result.balancesRecorded = balances.recorded;
    outcome.result.warnings.push(...balances.warnings);
    const products = [
      ...new Set([...(response.item.billed_products ?? []), ...(response.item.products ?? [])]),
    ].sort();
    await item.$query(trx).patch({
      institution_id: response.item.institution_id ?? item.institution_id,
      institution_name: institutionName,
      ...(products.length ? { products } : {}),
      consent_expires_at: response.item.consent_expiration_time
        ? new Date(response.item.consent_expiration_time)
        : item.consent_expires_at,
    });
    if (upserted.created + balances.recorded > 0) await refreshNetWorth(trx, ctx.actor.userId);
  });
}

/** The page's changes as ledger rows; transactions of accounts the page cannot use become warnings. */
function pageRows(
  page: TransactionsSyncResponse,
  linked: ReadonlyMap<string, LinkedAccount>,
  leaveToInvestments: boolean,
  skipped: Map<string, number>,
): { upserts: ProviderCashRow[]; removals: ProviderRemoval[] } {
  const upserts: ProviderCashRow[] = [];
  const removals: ProviderRemoval[] = [];
  const note = (reason: string) => skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
  const target = (plaidAccountId: string | undefined): LinkedAccount | null => {
    const account = plaidAccountId ? linked.get(plaidAccountId) : undefined;
    if (!account) {
      note('account not among those Plaid reported');
      return null;
    }
    if (account.investment && leaveToInvestments) {
      note('investment account (imported with its investment transactions)');
      return null;
    }
    return account;
  };
  for (const txn of [...page.added, ...page.modified]) {
    const account = target(txn.account_id);
    if (!account) continue;
    const mapped = toProviderRow(txn, account.id);
    if (mapped.ok) upserts.push(mapped.row);
    else note(mapped.reason);
  }
  for (const removed of page.removed) {
    const account = removed.account_id ? linked.get(removed.account_id) : undefined;
    if (account) removals.push(toProviderRemoval(removed, account.id));
    else {
      // Older API versions omit the account: look in all of the item's accounts.
      for (const a of linked.values()) removals.push(toProviderRemoval(removed, a.id));
    }
  }
  return { upserts, removals };
}

async function syncTransactions(
  ctx: PlaidSyncContext,
  settings: PlaidSettings,
  itemId: string,
  accessToken: string,
  startCursor: string | null,
  leaveToInvestments: boolean,
  outcome: Outcome,
): Promise<void> {
  const counts = outcome.result.transactions;
  const skipped = new Map<string, number>();
  let cursor = startCursor;
  let mutationRestarts = 0;
  let cursorConflicts = 0;
  for (;;) {
    ctx.signal.throwIfAborted();
    let page: TransactionsSyncResponse;
    try {
      page = await call(settings, '/transactions/sync', ctx.signal, (api, o) =>
        api.transactionsSync(
          {
            access_token: accessToken,
            ...(cursor ? { cursor } : {}),
            count: settings.transactionsPageSize ?? DEFAULT_PAGE_SIZE,
          },
          o,
        ),
      );
    } catch (err) {
      if (
        err instanceof PlaidApiError &&
        err.code === 'TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION' &&
        mutationRestarts < MAX_MUTATION_RESTARTS
      ) {
        // The data changed under the pagination: ask again from this page's starting cursor
        // (the one stored with the last page applied).
        mutationRestarts += 1;
        ctx.logger.info(
          { itemId, restarts: mutationRestarts },
          'Plaid data changed during pagination; restarting the page',
        );
        continue;
      }
      throw err;
    }
    const rows = pageRows(page, outcome.linked, leaveToInvestments, skipped);
    const applied = await withLockedItem(ctx.db, ctx.actor, itemId, async (trx, item) => {
      if (item.transactions_cursor !== cursor) return { moved: item.transactions_cursor };
      const changes = await applyProviderCashRows(trx, ctx.actor, rows);
      await item.$query(trx).patch({ transactions_cursor: page.next_cursor });
      return { changes };
    });
    if ('moved' in applied) {
      // Another sync of this item applied pages meanwhile: continue from where it got.
      cursorConflicts += 1;
      if (cursorConflicts > MAX_CURSOR_CONFLICTS) {
        throw new Error('Another sync of this item kept moving its cursor');
      }
      cursor = applied.moved ?? null;
      continue;
    }
    const { changes } = applied;
    for (const skip of changes.skipped) {
      skipped.set(skip.reason, (skipped.get(skip.reason) ?? 0) + 1);
    }
    // Rows Plaid reported as modified that were new here (skipped before) count as added.
    counts.added += changes.inserted;
    counts.modified += changes.updated;
    counts.removed += changes.removed;
    counts.pages += 1;
    cursor = page.next_cursor;
    await ctx.progress(
      Math.min(0.75, 0.25 + counts.pages * 0.05),
      `cash transactions: ${counts.pages} page${counts.pages === 1 ? '' : 's'} applied`,
    );
    if (!page.has_more) break;
  }
  for (const [reason, n] of skipped) {
    outcome.result.warnings.push(`${n} transaction${n === 1 ? '' : 's'} skipped, ${reason}`);
  }
}

async function storedItem(
  ctx: PlaidSyncContext,
  itemId: string,
): Promise<{ products: string[]; investments_synced_through: string | null }> {
  const row = (await ctx
    .db('plaid_items')
    .select('products', 'investments_synced_through')
    .where({ id: itemId, user_id: ctx.actor.userId })
    .first()) as { products: string[]; investments_synced_through: string | null } | undefined;
  if (!row) throw new NotFoundError('Plaid item', itemId, 'plaidItemId');
  return row;
}

/** Plaid answers these when the item turns out to have no investments to read: nothing to import. */
const NO_INVESTMENTS = new Set(['PRODUCTS_NOT_SUPPORTED', 'NO_INVESTMENT_ACCOUNTS']);

async function syncItemInvestments(
  ctx: PlaidSyncContext,
  settings: PlaidSettings,
  itemId: string,
  accessToken: string,
  syncedThrough: string | null,
  outcome: Outcome,
): Promise<void> {
  const accounts = new Map(
    [...outcome.linked.values()].filter((a) => a.investment).map((a) => [a.plaidAccountId, a.id]),
  );
  if (accounts.size === 0) return;
  try {
    const r = await syncInvestments(
      ctx.db,
      {
        userId: ctx.actor.userId,
        itemId,
        accessToken,
        investmentsSyncedThrough: syncedThrough,
        accounts,
      },
      { signal: ctx.signal, historyDays: settings.investmentHistoryDays },
    );
    outcome.result.investments = {
      transactionsAdded: r.transactionsAdded,
      syncedThrough: r.syncedThrough,
      skipped: r.skipped,
      openingPositions: r.openingPositions,
    };
    outcome.result.holdingDifferences = r.differences;
    outcome.result.warnings.push(...r.warnings);
  } catch (err) {
    if (!(err instanceof PlaidApiError && NO_INVESTMENTS.has(err.code))) throw err;
    outcome.result.warnings.push(`investments not imported: Plaid answered ${err.code}`);
  }
}

async function markSynced(ctx: PlaidSyncContext, settings: PlaidSettings, itemId: string, outcome: Outcome) {
  await withLockedItem(ctx.db, ctx.actor, itemId, async (trx, item) => {
    await item.$query(trx).patch({
      status: 'ok',
      last_synced_at: trx.fn.now() as unknown as Date,
      last_error_code: null,
      last_error_message: null,
      next_sync_at: new Date(Date.now() + settings.syncIntervalMs),
    });
    const reported = [...outcome.linked.values()].map((a) => a.id);
    await trx('accounts')
      .where({ user_id: ctx.actor.userId, plaid_item_id: item.item_id })
      .whereIn('id', reported)
      .update({ sync_status: 'ok', last_synced_at: trx.fn.now(), sync_error: null });
    // Still linked to the item, but Plaid no longer lists them (closed at the bank, or access narrowed).
    await trx('accounts')
      .where({ user_id: ctx.actor.userId, plaid_item_id: item.item_id })
      .whereNotIn('id', reported)
      .whereNull('closed_at')
      .update({ sync_status: 'error', sync_error: 'Plaid no longer reports this account' });
  });
}

/** Runs one sync of the actor's item `input.plaidItemId`; see the file's comment. */
export async function syncPlaidItem(
  ctx: PlaidSyncContext,
  input: { plaidItemId: string; reason: PlaidSyncReason },
): Promise<PlaidSyncResult> {
  const settings = getPlaidSettings();
  const itemId = input.plaidItemId;
  const item = await markSyncing(ctx, itemId);
  const outcome: Outcome = {
    result: {
      status: 'ok',
      accounts: { created: 0, updated: 0 },
      balancesRecorded: 0,
      transactions: { added: 0, modified: 0, removed: 0, pages: 0 },
      investments: null,
      holdingDifferences: [] as PlaidHoldingDifference[],
      warnings: [],
    },
    linked: new Map(),
  };
  try {
    const accessToken = openAccessToken(item);
    await ctx.progress(0.05, 'accounts and balances');
    await syncAccounts(ctx, settings, itemId, accessToken, outcome);
    await ctx.progress(0.25, 'cash transactions');
    // With the investments product, investment accounts' activity comes from their investment
    // transactions (trades, dividends and cash), not from /transactions/sync.
    const stored = await storedItem(ctx, itemId);
    const investmentsProduct = stored.products.includes('investments');
    await syncTransactions(
      ctx,
      settings,
      itemId,
      accessToken,
      item.transactions_cursor,
      investmentsProduct,
      outcome,
    );
    if (investmentsProduct) {
      await ctx.progress(0.8, 'investments');
      await syncItemInvestments(
        ctx,
        settings,
        itemId,
        accessToken,
        stored.investments_synced_through,
        outcome,
      );
    }
    await ctx.progress(0.95, 'status');
    await markSynced(ctx, settings, itemId, outcome);
  } catch (err) {
    // A cancelled or interrupted task is not a failure of the item: it runs again or was removed.
    if (!ctx.signal.aborted) await markFailed(ctx, itemId, settings, err);
    throw err;
  }
  ctx.logger.info(
    {
      itemId,
      reason: input.reason,
      accounts: outcome.result.accounts,
      transactions: outcome.result.transactions,
    },
    'Plaid item synced',
  );
  return outcome.result;
}
