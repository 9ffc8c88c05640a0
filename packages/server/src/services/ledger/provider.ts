/**
 * Cash transactions a data provider (Plaid) owns, written by the provider's id: deposits,
 * withdrawals, fees, interest and taxes, inserted or changed in place with
 * `INSERT ... ON CONFLICT (account_id, provider_transaction_id)` and deleted when the provider
 * removes them. The unique constraint is what makes a page applied twice (a retry after a crash)
 * harmless. Cash-only rows hold no lots, so nothing is replayed: each transactions-tracked account's
 * cash moves by the difference in cash effect, and the user's net worth is refreshed.
 *
 * Runs inside the caller's transaction: the sync writes one page of changes and its cursor
 * together.
 */
import { Decimal } from '@fo/schema';
import type { Actor } from '../../actor.js';
import type { Knex } from '../../db/knex.js';
import { newId } from '../../models/index.js';
import { recordAuditEvent } from '../audit.js';
import { refreshNetWorth } from '../portfolio/refresh.js';
import { type LedgerAccount, lockOwnAccounts } from './accounts.js';
import { cashEffectOf, normalize, validate } from './fields.js';
import { type Cell, columns } from './replay.js';

export type ProviderCashType = 'deposit' | 'withdrawal' | 'fee' | 'interest' | 'tax';

export interface ProviderCashRow {
  accountId: string;
  providerTransactionId: string;
  /**
   * The provider's id of a pending transaction this one posts (Plaid's pending_transaction_id):
   * that row is updated in place and takes this id, so history keeps one row per purchase.
   */
  postsProviderTransactionId?: string | null;
  type: ProviderCashType;
  tradeDate: string;
  /** Signed cash effect: positive adds cash. */
  amount: Decimal;
  /** Null: the account's currency. */
  currency: string | null;
  description: string | null;
  pending: boolean;
}

export interface ProviderRemoval {
  accountId: string;
  providerTransactionId: string;
}

export interface ProviderSkip {
  accountId: string;
  providerTransactionId: string;
  reason: string;
}

export interface ProviderApplyResult {
  inserted: number;
  updated: number;
  removed: number;
  skipped: ProviderSkip[];
}

interface ExistingRow {
  id: string;
  account_id: string;
  provider_transaction_id: string;
  cash_effect: string;
  symbol: string | null;
  reconciled: boolean;
}

const DESCRIPTION_MAX = 1000;
const key = (accountId: string, providerId: string) => `${accountId}\u0000${providerId}`;

/** Rows of `pairs` that exist, locked (FOR UPDATE) until the caller's transaction ends. */
async function lockExisting(
  trx: Knex.Transaction,
  pairs: readonly { accountId: string; providerTransactionId: string }[],
): Promise<Map<string, ExistingRow>> {
  if (pairs.length === 0) return new Map();
  const { rows } = await trx.raw<{ rows: ExistingRow[] }>(
    `SELECT t.id, t.account_id, t.provider_transaction_id, t.cash_effect, t.symbol, t.reconciled
       FROM transactions t
       JOIN unnest(?::uuid[], ?::text[]) AS u(account_id, provider_id)
         ON t.account_id = u.account_id AND t.provider_transaction_id = u.provider_id
      ORDER BY t.id
        FOR UPDATE OF t`,
    [pairs.map((p) => p.accountId), pairs.map((p) => p.providerTransactionId)],
  );
  return new Map(rows.map((r) => [key(r.account_id, r.provider_transaction_id), r]));
}

/**
 * Applies a provider's changes to the actor's accounts: `upserts` (added and modified
 * transactions) then `removals`. Rows of accounts that are not the actor's, are closed, or that a
 * user turned into a security trade are skipped and reported; nothing else is refused.
 */
export async function applyProviderCashRows(
  trx: Knex.Transaction,
  actor: Actor,
  changes: { upserts: readonly ProviderCashRow[]; removals: readonly ProviderRemoval[] },
): Promise<ProviderApplyResult> {
  const result: ProviderApplyResult = { inserted: 0, updated: 0, removed: 0, skipped: [] };
  const accountIds = [...changes.upserts, ...changes.removals].map((r) => r.accountId);
  if (accountIds.length === 0) return result;
  const accounts = await lockOwnAccounts(trx, actor, accountIds);
  const usable = (accountId: string, providerTransactionId: string): LedgerAccount | null => {
    const account = accounts.get(accountId);
    if (!account) {
      result.skipped.push({ accountId, providerTransactionId, reason: 'account not linked' });
      return null;
    }
    if (account.closed_at) {
      result.skipped.push({ accountId, providerTransactionId, reason: 'account closed' });
      return null;
    }
    return account;
  };

  // Validate as the ledger does, and keep the last change of each transaction.
  const planned = new Map<string, { row: ProviderCashRow; account: LedgerAccount; cashEffect: string }>();
  for (const row of changes.upserts) {
    const account = usable(row.accountId, row.providerTransactionId);
    if (!account) continue;
    const tx = normalize(
      {
        type: row.type,
        tradeDate: row.tradeDate,
        amount: row.amount,
        ...(row.currency ? { currency: row.currency } : {}),
      },
      account,
    );
    const issue = validate(tx, account)[0];
    if (issue) {
      result.skipped.push({
        accountId: row.accountId,
        providerTransactionId: row.providerTransactionId,
        reason: `${issue.field}: ${issue.message}`,
      });
      continue;
    }
    planned.set(key(row.accountId, row.providerTransactionId), {
      row,
      account,
      cashEffect: cashEffectOf(tx),
    });
  }
  const removals = new Map<string, ProviderRemoval>();
  for (const r of changes.removals) {
    if (usable(r.accountId, r.providerTransactionId))
      removals.set(key(r.accountId, r.providerTransactionId), r);
  }

  const deltas = new Map<string, Decimal>();
  const addDelta = (accountId: string, value: Decimal.Value) =>
    deltas.set(accountId, (deltas.get(accountId) ?? new Decimal(0)).add(value));
  const audited: {
    event: 'reconciled_transaction_updated' | 'reconciled_transaction_deleted';
    row: ExistingRow;
  }[] = [];

  // Pending → posted: the pending row takes the posted id (unless the posted one is already
  // here, after an earlier partial run: then the pending row goes).
  const posts = [...planned.values()].filter((p) => p.row.postsProviderTransactionId);
  if (posts.length) {
    await trx.raw(
      `UPDATE transactions t SET provider_transaction_id = u.posted_id, updated_at = now()
         FROM unnest(?::uuid[], ?::text[], ?::text[]) AS u(account_id, pending_id, posted_id)
        WHERE t.account_id = u.account_id AND t.provider_transaction_id = u.pending_id AND t.symbol IS NULL
          AND NOT EXISTS (SELECT 1 FROM transactions x
                           WHERE x.account_id = u.account_id AND x.provider_transaction_id = u.posted_id)`,
      [
        posts.map((p) => p.row.accountId),
        posts.map((p) => p.row.postsProviderTransactionId as string),
        posts.map((p) => p.row.providerTransactionId),
      ],
    );
    for (const p of posts) {
      const pendingKey = key(p.row.accountId, p.row.postsProviderTransactionId as string);
      if (!planned.has(pendingKey)) {
        removals.set(pendingKey, {
          accountId: p.row.accountId,
          providerTransactionId: p.row.postsProviderTransactionId as string,
        });
      }
    }
  }

  const existing = await lockExisting(
    trx,
    [...planned.values()].map((p) => p.row),
  );
  const writes: { row: ProviderCashRow; account: LedgerAccount; cashEffect: string }[] = [];
  for (const [k, p] of planned) {
    const before = existing.get(k);
    if (before?.symbol) {
      result.skipped.push({
        accountId: p.row.accountId,
        providerTransactionId: p.row.providerTransactionId,
        reason: 'edited into a security trade here (left as it is)',
      });
      continue;
    }
    writes.push(p);
    if (before) {
      result.updated += 1;
      addDelta(p.row.accountId, new Decimal(p.cashEffect).sub(before.cash_effect));
      if (before.reconciled) audited.push({ event: 'reconciled_transaction_updated', row: before });
    } else {
      result.inserted += 1;
      addDelta(p.row.accountId, p.cashEffect);
    }
  }

  if (writes.length) {
    const cells: Cell[][] = writes.map(({ row, account, cashEffect }) => [
      newId(),
      row.accountId,
      actor.userId,
      row.type,
      row.tradeDate,
      row.amount.toFixed(),
      row.currency ?? account.currency,
      cashEffect,
      row.description ? row.description.slice(0, DESCRIPTION_MAX) : null,
      row.providerTransactionId,
      row.pending,
    ]);
    await trx.raw(
      `INSERT INTO transactions (id, account_id, user_id, type, trade_date, amount, fees, currency, cash_effect,
          description, provider_transaction_id, pending, created_at, updated_at)
       SELECT u.id, u.account_id, u.user_id, u.type, u.trade_date, u.amount, 0, u.currency, u.cash_effect,
              u.description, u.provider_id, u.pending, now() + u.n * interval '1 microsecond',
              now() + u.n * interval '1 microsecond'
         FROM unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::date[], ?::numeric[], ?::text[], ?::numeric[],
                     ?::text[], ?::text[], ?::boolean[])
              WITH ORDINALITY
           AS u(id, account_id, user_id, type, trade_date, amount, currency, cash_effect, description, provider_id,
                pending, n)
        ORDER BY u.n
       ON CONFLICT (account_id, provider_transaction_id) DO UPDATE
          SET type = EXCLUDED.type, trade_date = EXCLUDED.trade_date, amount = EXCLUDED.amount,
              currency = EXCLUDED.currency, cash_effect = EXCLUDED.cash_effect,
              description = EXCLUDED.description, pending = EXCLUDED.pending, updated_at = now()`,
      columns(cells, 11),
    );
  }

  const toRemove = [...removals.values()].filter(
    (r) => !planned.has(key(r.accountId, r.providerTransactionId)),
  );
  if (toRemove.length) {
    const { rows } = await trx.raw<{ rows: ExistingRow[] }>(
      `DELETE FROM transactions t
         USING unnest(?::uuid[], ?::text[]) AS u(account_id, provider_id)
        WHERE t.account_id = u.account_id AND t.provider_transaction_id = u.provider_id AND t.symbol IS NULL
        RETURNING t.id, t.account_id, t.provider_transaction_id, t.cash_effect, t.symbol, t.reconciled`,
      [toRemove.map((r) => r.accountId), toRemove.map((r) => r.providerTransactionId)],
    );
    result.removed = rows.length;
    for (const row of rows) {
      addDelta(row.account_id, new Decimal(row.cash_effect).negated());
      if (row.reconciled) audited.push({ event: 'reconciled_transaction_deleted', row });
    }
  }

  const cash = [...deltas].filter(
    ([id, d]) => !d.isZero() && accounts.get(id)?.tracking_mode === 'transactions',
  );
  if (cash.length) {
    await trx.raw(
      `UPDATE accounts a SET cash_balance = a.cash_balance + u.delta
         FROM unnest(?::uuid[], ?::numeric[]) AS u(id, delta) WHERE a.id = u.id`,
      [cash.map(([id]) => id), cash.map(([, d]) => d.toFixed())],
    );
  }
  for (const { event, row } of audited) {
    await recordAuditEvent(trx, {
      userId: actor.userId,
      event,
      actor,
      details: { transactionId: row.id, accountId: row.account_id, by: 'provider sync' },
    });
  }
  if (result.inserted + result.updated + result.removed > 0) await refreshNetWorth(trx, actor.userId);
  return result;
}
