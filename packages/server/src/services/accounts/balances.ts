/**
 * Dated balances of cash-like accounts. The account row carries the latest one: recording a balance
 * dated on or after the current one moves `cash_balance`/`balance_as_of`; an older one only fills
 * in history.
 */
import {
  isCashLikeType,
  isLiabilityType,
  todayIso,
  type zBalanceHistoryInput,
  type zRecordBalanceInput,
} from '@fo/schema';
import type { z } from 'zod';
import type { Knex } from '../../db/knex.js';
import { withTransaction } from '../../db/transaction.js';
import type { AccountBalance } from '../../models/index.js';
import type { ServiceContext } from '../context.js';
import { ValidationError } from '../errors.js';
import { applyKeyset, type KeysetSpec, toPage } from '../pagination.js';
import { refreshNetWorth } from '../portfolio/refresh.js';
import { loadAccount } from './accounts.js';
import { toAccountView, toBalanceView } from './view.js';

type RecordInput = z.output<typeof zRecordBalanceInput>;
type HistoryInput = z.output<typeof zBalanceHistoryInput>;

export async function recordBalance({ db, actor }: ServiceContext, input: RecordInput) {
  if (input.date > todayIso()) throw new ValidationError(['date'], 'must not be in the future');
  return withTransaction(db, async (trx) => {
    const account = await loadAccount(trx, actor, input.accountId, { forUpdate: true, field: 'accountId' });
    if (!isCashLikeType(account.type)) {
      throw new ValidationError(
        ['accountId'],
        `Balances are recorded for checking, savings, credit card, loan and mortgage accounts; this is a ${account.type} account, whose value comes from its holdings`,
      );
    }
    if (account.tracking_mode === 'transactions') {
      throw new ValidationError(
        ['accountId'],
        'This account tracks transactions: its balance follows the ledger (use accounts.reconcile to compare a statement)',
      );
    }
    if (account.closed_at) throw new ValidationError(['accountId'], 'The account is closed; reopen it first');
    if (isLiabilityType(account.type) && input.balance.isNegative()) {
      throw new ValidationError(
        ['balance'],
        'A liability balance is the amount owed and must be zero or more (it counts negative in net worth)',
      );
    }
    const [row] = (await trx('account_balances')
      .insert({
        account_id: account.id,
        user_id: actor.userId,
        date: input.date,
        balance: input.balance.toFixed(),
        source: input.source,
      })
      .onConflict(['account_id', 'date'])
      .merge(['balance', 'source'])
      .returning(['id', 'account_id', 'date', 'balance', 'source', 'created_at'])) as AccountBalance[];

    let current = account;
    if (!account.balance_as_of || input.date >= account.balance_as_of) {
      current = await account
        .$query(trx)
        .patchAndFetch({ cash_balance: input.balance.toFixed(), balance_as_of: input.date });
    }
    await refreshNetWorth(trx, actor.userId);
    return { account: toAccountView(current), entry: toBalanceView(row!) };
  });
}

export async function balanceHistory({ db, actor }: ServiceContext, input: HistoryInput) {
  const account = await loadAccount(db, actor, input.accountId, { field: 'accountId' });
  const spec: KeysetSpec = {
    sort: 'date.desc',
    column: 'account_balances.date',
    idColumn: 'account_balances.id',
    cast: 'date',
    direction: 'desc',
  };
  const query = (db as Knex)('account_balances')
    .select('id', 'account_id', 'date', 'balance', 'source', 'created_at')
    .where({ user_id: actor.userId, account_id: account.id });
  if (input.from) query.where('date', '>=', input.from);
  if (input.to) query.where('date', '<=', input.to);
  const rows = (await applyKeyset(query, spec, input.limit, input.cursor)) as (AccountBalance & {
    _cursor: string;
  })[];
  return toPage(rows, spec, input.limit, toBalanceView);
}
