/**
 * Accounts: listing, reading, creating, updating, closing, reopening and deleting a user's
 * accounts. Sync fields (Plaid ids, sync status) are never written here.
 */
import {
  type AccountType,
  type AccountView,
  defaultTrackingMode,
  SUBTYPES_BY_TYPE,
  todayIso,
  type zAccountCloseInput,
  type zAccountCreateInput,
  type zAccountListInput,
  type zAccountUpdateInput,
} from '@fo/schema';
import type { z } from 'zod';
import type { Actor } from '../../actor.js';
import type { Knex } from '../../db/knex.js';
import { type Db, withTransaction } from '../../db/transaction.js';
import { Account, User } from '../../models/index.js';
import type { ServiceContext } from '../context.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { applyKeyset, type KeysetSpec, toPage } from '../pagination.js';
import { refreshNetWorth } from '../portfolio/refresh.js';
import { ACCOUNT_COLUMNS, toAccountView } from './view.js';

type ListInput = z.output<typeof zAccountListInput>;
type CreateInput = z.output<typeof zAccountCreateInput>;
type UpdateInput = z.output<typeof zAccountUpdateInput>;
type CloseInput = z.output<typeof zAccountCloseInput>;

/** The actor's account, or NOT_FOUND (a foreign id is indistinguishable from a missing one). */
export async function loadAccount(
  db: Db,
  actor: Actor,
  id: string,
  opts: { forUpdate?: boolean; field?: string } = {},
) {
  const query = Account.query(db).modify('visibleTo', actor).findById(id);
  if (opts.forUpdate) query.forUpdate();
  const account = await query;
  if (!account) throw new NotFoundError('Account', id, opts.field ?? 'id');
  return account;
}

const SORTS: Record<ListInput['sort'], { column: string; cast: string }> = {
  createdAt: { column: 'accounts.created_at', cast: 'timestamptz' },
  name: { column: 'accounts.name', cast: 'text' },
};

export async function listAccounts({ db, actor }: ServiceContext, input: ListInput) {
  const sort = SORTS[input.sort];
  const spec: KeysetSpec = {
    sort: `${input.sort}.${input.direction}`,
    column: sort.column,
    idColumn: 'accounts.id',
    cast: sort.cast,
    direction: input.direction,
  };
  const query = (db as Knex)('accounts')
    .select(ACCOUNT_COLUMNS.map((c) => `accounts.${c}`))
    .where('accounts.user_id', actor.userId);
  if (!input.includeClosed) query.whereNull('accounts.closed_at');
  if (input.type) {
    const types = Array.isArray(input.type) ? input.type : [input.type];
    query.whereIn('accounts.type', types);
  }
  if (input.institution) query.whereRaw('lower(accounts.institution) = lower(?)', [input.institution]);
  const rows = await applyKeyset(query, spec, input.limit, input.cursor);
  return toPage(rows, spec, input.limit, toAccountView);
}

export async function getAccount({ db, actor }: ServiceContext, id: string): Promise<AccountView> {
  return toAccountView(await loadAccount(db, actor, id));
}

export async function createAccount({ db, actor }: ServiceContext, input: CreateInput): Promise<AccountView> {
  return withTransaction(db, async (trx) => {
    let currency = input.currency;
    if (!currency) {
      const user = await User.query(trx).modify('visibleTo', actor).findById(actor.userId);
      if (!user) throw new NotFoundError('User');
      currency = user.base_currency;
    }
    const account = await Account.query(trx).insertAndFetch({
      user_id: actor.userId,
      name: input.name,
      type: input.type,
      subtype: input.subtype ?? null,
      institution: input.institution ?? null,
      currency,
      tracking_mode: input.trackingMode ?? defaultTrackingMode(input.type),
      cost_basis_method: input.costBasisMethod,
      allow_short: input.allowShort,
    });
    await refreshNetWorth(trx, actor.userId);
    return toAccountView(account);
  });
}

/** What an account holds; type, currency and tracking mode may change only while it holds nothing. */
async function accountContents(db: Db, accountId: string) {
  const row = await (db as Knex)
    .select(
      db.raw('EXISTS (SELECT 1 FROM transactions WHERE account_id = ?) AS has_transactions', [accountId]),
      db.raw('EXISTS (SELECT 1 FROM assets WHERE account_id = ?) AS has_holdings', [accountId]),
      db.raw('EXISTS (SELECT 1 FROM account_balances WHERE account_id = ?) AS has_balances', [accountId]),
      db.raw('EXISTS (SELECT 1 FROM assets WHERE account_id = ? AND quantity < 0) AS has_shorts', [
        accountId,
      ]),
    )
    .first<{
      has_transactions: boolean;
      has_holdings: boolean;
      has_balances: boolean;
      has_shorts: boolean;
    }>();
  return row!;
}

export async function updateAccount({ db, actor }: ServiceContext, input: UpdateInput): Promise<AccountView> {
  return withTransaction(db, async (trx) => {
    const account = await loadAccount(trx, actor, input.id, { forUpdate: true });
    const patch: Partial<Account> = {};
    if (input.name !== undefined) patch.name = input.name;
    if (input.institution !== undefined) patch.institution = input.institution;
    if (input.costBasisMethod !== undefined) patch.cost_basis_method = input.costBasisMethod;
    if (input.allowShort !== undefined) patch.allow_short = input.allowShort;
    if (input.subtype !== undefined) patch.subtype = input.subtype;

    const structural = (['type', 'currency', 'trackingMode'] as const).filter((field) => {
      const next = input[field];
      const current =
        field === 'type' ? account.type : field === 'currency' ? account.currency : account.tracking_mode;
      return next !== undefined && next !== current;
    });
    const needsContents =
      structural.length > 0 ||
      input.allowShort === false ||
      (input.costBasisMethod !== undefined && input.costBasisMethod !== account.cost_basis_method);
    const contents = needsContents ? await accountContents(trx, account.id) : null;

    const field = structural[0];
    if (field && contents && (contents.has_transactions || contents.has_holdings || contents.has_balances)) {
      throw new ConflictError(
        `${field} cannot change once the account has transactions, holdings or balances; create a new account instead`,
        field,
      );
    }
    if (input.type !== undefined) patch.type = input.type;
    if (input.currency !== undefined) patch.currency = input.currency;
    if (input.trackingMode !== undefined) patch.tracking_mode = input.trackingMode;

    if (input.allowShort === false && contents?.has_shorts) {
      throw new ConflictError(
        'The account holds short positions; close them before disallowing shorts',
        'allowShort',
      );
    }
    if (
      input.costBasisMethod !== undefined &&
      input.costBasisMethod !== account.cost_basis_method &&
      contents?.has_transactions
    ) {
      throw new ConflictError(
        'The cost basis method cannot change once the account has transactions (realized gains depend on it)',
        'costBasisMethod',
      );
    }

    const type = (patch.type ?? account.type) as AccountType;
    const subtype = patch.subtype !== undefined ? patch.subtype : account.subtype;
    if (subtype && !(SUBTYPES_BY_TYPE[type] as readonly string[]).includes(subtype)) {
      throw new ValidationError(
        ['subtype'],
        `Subtype '${subtype}' does not fit an account of type '${type}'`,
      );
    }

    if (Object.keys(patch).length === 0) return toAccountView(account);
    const updated = await account.$query(trx).patchAndFetch(patch);
    if (patch.type !== undefined || patch.currency !== undefined) await refreshNetWorth(trx, actor.userId);
    return toAccountView(updated);
  });
}

export async function closeAccount({ db, actor }: ServiceContext, input: CloseInput): Promise<AccountView> {
  const today = todayIso();
  if (input.closedOn && input.closedOn > today) {
    throw new ValidationError(['closedOn'], 'must not be in the future');
  }
  return withTransaction(db, async (trx) => {
    const account = await loadAccount(trx, actor, input.id, { forUpdate: true });
    if (account.closed_at) throw new ConflictError('The account is already closed', 'id');
    const closedAt = input.closedOn ? new Date(`${input.closedOn}T00:00:00Z`) : new Date();
    const updated = await account.$query(trx).patchAndFetch({ closed_at: closedAt });
    await refreshNetWorth(trx, actor.userId);
    return toAccountView(updated);
  });
}

export async function reopenAccount({ db, actor }: ServiceContext, id: string): Promise<AccountView> {
  return withTransaction(db, async (trx) => {
    const account = await loadAccount(trx, actor, id, { forUpdate: true });
    if (!account.closed_at) throw new ConflictError('The account is not closed', 'id');
    const updated = await account.$query(trx).patchAndFetch({ closed_at: null });
    await refreshNetWorth(trx, actor.userId);
    return toAccountView(updated);
  });
}

/** Deletes an account with no transactions (its holdings and balances go with it). */
export async function deleteAccount({ db, actor }: ServiceContext, id: string): Promise<{ id: string }> {
  return withTransaction(db, async (trx) => {
    const account = await loadAccount(trx, actor, id, { forUpdate: true });
    const hasTransactions = await trx('transactions').where('account_id', account.id).first(trx.raw('1'));
    if (hasTransactions) {
      throw new ConflictError(
        'The account has transactions and cannot be deleted; close it instead (accounts.close)',
        'id',
      );
    }
    await Account.query(trx).deleteById(account.id);
    await refreshNetWorth(trx, actor.userId);
    return { id: account.id };
  });
}
