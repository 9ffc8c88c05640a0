/**
 * Statement reconciliation: compare a broker statement (cash and positions as of a date) with the
 * ledger as of that date; completing it marks the account's transactions up to the date
 * reconciled and stores the record. Later edits to those transactions need an explicit flag and
 * are audited (writes.ts).
 */
import { Decimal, type zCompleteReconciliationInput, type zReconcileInput } from '@fo/schema';
import type { z } from 'zod';
import type { Knex } from '../../db/knex.js';
import { type Db, withTransaction } from '../../db/transaction.js';
import { Reconciliation } from '../../models/index.js';
import { recordAuditEvent } from '../audit.js';
import type { ServiceContext } from '../context.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';

type ReconcileInput = z.output<typeof zReconcileInput>;
type CompleteInput = z.output<typeof zCompleteReconciliationInput>;

interface AccountRow {
  id: string;
  cash_balance: string;
  tracking_mode: string;
}

async function loadAccount(db: Db, userId: string, id: string, forUpdate: boolean): Promise<AccountRow> {
  const query = (db as Knex)('accounts')
    .select('id', 'cash_balance', 'tracking_mode')
    .where({ id, user_id: userId });
  if (forUpdate) query.forUpdate();
  const row = (await query.first()) as AccountRow | undefined;
  if (!row) throw new NotFoundError('Account', id, 'accountId');
  if (row.tracking_mode !== 'transactions') {
    throw new ValidationError(
      ['accountId'],
      'This account keeps entered balances, not a transaction ledger: there is nothing to reconcile against',
    );
  }
  return row;
}

async function compare(db: Db, account: AccountRow, input: ReconcileInput) {
  const k = db as Knex;
  // Cash as of the date: today's balance less what later transactions moved.
  const later = await k('transactions')
    .where('account_id', account.id)
    .where('trade_date', '>', input.statementDate)
    .sum({ total: 'cash_effect' })
    .first();
  const ledgerCash = new Decimal(account.cash_balance).sub(new Decimal((later?.total as string | null) ?? 0));
  // Positions as of the date: lots opened by then plus every change to them by then.
  const { rows } = await k.raw<{ rows: { symbol: string; quantity: string }[] }>(
    `SELECT symbol, sum(q)::text AS quantity FROM (
       SELECT symbol, quantity_opened AS q FROM tax_lots WHERE account_id = :id AND created_date <= :date
       UNION ALL
       SELECT symbol, quantity FROM lot_allocations WHERE account_id = :id AND event_date <= :date
     ) x GROUP BY symbol`,
    { id: account.id, date: input.statementDate },
  );
  const ledger = new Map(rows.map((r) => [r.symbol, new Decimal(r.quantity)]));
  const statement = new Map<string, Decimal>();
  for (const p of input.positions)
    statement.set(p.symbol, (statement.get(p.symbol) ?? new Decimal(0)).add(p.quantity));
  const symbols = [
    ...new Set([...statement.keys(), ...[...ledger].filter(([, q]) => !q.isZero()).map(([s]) => s)]),
  ].sort();
  const positions = symbols.map((symbol) => {
    const s = statement.get(symbol) ?? new Decimal(0);
    const l = ledger.get(symbol) ?? new Decimal(0);
    return { symbol, statementQuantity: s, ledgerQuantity: l, difference: s.sub(l) };
  });
  const cashDifference = input.cashBalance.sub(ledgerCash);
  const unreconciled = await k('transactions')
    .where('account_id', account.id)
    .where('trade_date', '<=', input.statementDate)
    .where('reconciled', false)
    .count({ n: '*' })
    .first();
  return {
    accountId: account.id,
    statementDate: input.statementDate,
    statementCash: input.cashBalance,
    ledgerCash,
    cashDifference,
    positions,
    balanced: cashDifference.isZero() && positions.every((p) => p.difference.isZero()),
    unreconciledTransactions: Number(unreconciled?.n ?? 0),
  };
}

/** accounts.reconcile: the differences between a statement and the ledger as of its date. */
export async function reconcileAccount({ db, actor }: ServiceContext, input: ReconcileInput) {
  const account = await loadAccount(db, actor.userId, input.accountId, false);
  return compare(db, account, input);
}

/**
 * accounts.completeReconciliation: records the comparison and marks every transaction of the
 * account up to the statement date reconciled. Refused (CONFLICT) while the two differ, unless
 * `acceptDifferences` says to record them.
 */
export async function completeReconciliation(ctx: ServiceContext, input: CompleteInput) {
  return withTransaction(ctx.db, async (trx) => {
    const account = await loadAccount(trx, ctx.actor.userId, input.accountId, true);
    const result = await compare(trx, account, input);
    if (!result.balanced && !input.acceptDifferences) {
      const parts = [
        ...(result.cashDifference.isZero() ? [] : [`cash ${result.cashDifference.toFixed()}`]),
        ...result.positions
          .filter((p) => !p.difference.isZero())
          .map((p) => `${p.symbol} ${p.difference.toFixed()}`),
      ];
      throw new ConflictError(
        `The statement differs from the ledger (statement − ledger: ${parts.join(', ')}); pass acceptDifferences: true to record it anyway`,
        'acceptDifferences',
      );
    }
    const record = await Reconciliation.query(trx).insertAndFetch({
      account_id: account.id,
      user_id: ctx.actor.userId,
      statement_date: input.statementDate,
      statement_cash: result.statementCash.toFixed(),
      ledger_cash: result.ledgerCash.toFixed(),
      cash_difference: result.cashDifference.toFixed(),
      positions: result.positions.map((p) => ({
        symbol: p.symbol,
        statementQuantity: p.statementQuantity.toFixed(),
        ledgerQuantity: p.ledgerQuantity.toFixed(),
        difference: p.difference.toFixed(),
      })),
      status: result.balanced ? 'balanced' : 'accepted_with_differences',
      transactions_reconciled: 0,
    });
    const marked = await trx('transactions')
      .where('account_id', account.id)
      .where('trade_date', '<=', input.statementDate)
      .where('reconciled', false)
      .update({ reconciled: true, reconciled_at: trx.fn.now(), reconciliation_id: record.id });
    await Reconciliation.query(trx).findById(record.id).patch({ transactions_reconciled: marked });
    await recordAuditEvent(trx, {
      userId: ctx.actor.userId,
      event: 'reconciliation_completed',
      actor: ctx.actor,
      details: {
        reconciliationId: record.id,
        accountId: account.id,
        statementDate: input.statementDate,
        status: record.status,
        transactionsReconciled: marked,
      },
    });
    return {
      ...result,
      unreconciledTransactions: 0,
      id: record.id,
      status: record.status,
      transactionsReconciled: marked,
      createdAt: record.created_at,
    };
  });
}
