/**
 * Plaid accounts as platform accounts: created on first sight, or matched — by Plaid's account
 * id when already linked, else by institution, mask and type among the owner's accounts that an
 * earlier link left behind (removing an item keeps its accounts and their masks, so linking the
 * institution again continues their history instead of duplicating it). Names, types and
 * tracking modes are set once, at creation: users may change them afterwards.
 *
 * Balances go to the dated balance history (source `sync`) for cash-like accounts that keep
 * balances; investment accounts are valued from their holdings.
 */
import { Decimal, isCashLikeType, isLiabilityType } from '@fo/schema';
import type { AccountBase } from 'plaid';
import type { Knex } from '../../db/knex.js';
import { newId } from '../../models/index.js';
import { isInvestmentAccount, mapPlaidAccountType } from './mapping.js';

export interface LinkedAccountRow {
  id: string;
  name: string;
  type: string;
  tracking_mode: 'transactions' | 'holdings';
  plaid_account_id: string | null;
  plaid_mask: string | null;
  balance_as_of: string | null;
  closed_at: Date | null;
}

export interface LinkedAccount {
  id: string;
  plaidAccountId: string;
  /** Plaid's type says investment: positions come from the investments product. */
  investment: boolean;
  row: LinkedAccountRow;
}

export interface AccountsUpsert {
  created: number;
  updated: number;
  /** By Plaid account id. */
  accounts: Map<string, LinkedAccount>;
}

const COLUMNS = 'id, name, type, tracking_mode, plaid_account_id, plaid_mask, balance_as_of, closed_at';
const NAME_MAX = 200;

function maskOf(account: AccountBase): string | null {
  const mask = account.mask?.trim();
  return mask ? mask.slice(0, 10) : null;
}

function currencyOf(account: AccountBase, fallback: string): string {
  const code = account.balances.iso_currency_code;
  return code && /^[A-Z]{3}$/.test(code) ? code : fallback;
}

/**
 * Creates or matches the owner's accounts for `plaidAccounts` and links them to the item, in the
 * caller's transaction (the accounts are locked until it ends).
 */
export async function upsertPlaidAccounts(
  trx: Knex.Transaction,
  item: { userId: string; plaidItemId: string; institutionName: string | null },
  plaidAccounts: readonly AccountBase[],
): Promise<AccountsUpsert> {
  const out: AccountsUpsert = { created: 0, updated: 0, accounts: new Map() };
  if (plaidAccounts.length === 0) return out;
  const ids = plaidAccounts.map((a) => a.account_id);
  const { rows: linked } = await trx.raw<{ rows: LinkedAccountRow[] }>(
    `SELECT ${COLUMNS} FROM accounts WHERE user_id = ? AND plaid_account_id = ANY(?::text[]) ORDER BY id FOR UPDATE`,
    [item.userId, ids],
  );
  const byPlaidId = new Map(linked.map((r) => [r.plaid_account_id as string, r]));
  const unlinked = plaidAccounts.filter((a) => !byPlaidId.has(a.account_id));

  // Accounts a removed link left behind, at the same institution.
  let leftBehind: LinkedAccountRow[] = [];
  if (unlinked.length && item.institutionName) {
    ({ rows: leftBehind } = await trx.raw<{ rows: LinkedAccountRow[] }>(
      `SELECT ${COLUMNS} FROM accounts
        WHERE user_id = ? AND plaid_account_id IS NULL AND plaid_mask IS NOT NULL AND closed_at IS NULL
          AND lower(institution) = lower(?)
        ORDER BY created_at, id FOR UPDATE`,
      [item.userId, item.institutionName],
    ));
  }
  let baseCurrency: string | null = null;
  for (const plaidAccount of plaidAccounts) {
    const mask = maskOf(plaidAccount);
    const mapped = mapPlaidAccountType(plaidAccount.type, plaidAccount.subtype ?? null);
    let row = byPlaidId.get(plaidAccount.account_id);
    if (!row && mask) {
      const index = leftBehind.findIndex((r) => r.plaid_mask === mask && r.type === mapped.type);
      if (index >= 0) [row] = leftBehind.splice(index, 1);
    }
    if (row) {
      const { rows } = await trx.raw<{ rows: LinkedAccountRow[] }>(
        `UPDATE accounts SET plaid_item_id = ?, plaid_account_id = ?, plaid_mask = coalesce(?, plaid_mask)
          WHERE id = ? RETURNING ${COLUMNS}`,
        [item.plaidItemId, plaidAccount.account_id, mask, row.id],
      );
      row = rows[0] as LinkedAccountRow;
      out.updated += 1;
    } else {
      if (baseCurrency === null) {
        const user = (await trx('users').select('base_currency').where({ id: item.userId }).first()) as
          | { base_currency: string }
          | undefined;
        baseCurrency = user?.base_currency ?? 'USD';
      }
      const name = (
        plaidAccount.name?.trim() ||
        plaidAccount.official_name?.trim() ||
        'Linked account'
      ).slice(0, NAME_MAX);
      const { rows } = await trx.raw<{ rows: LinkedAccountRow[] }>(
        `INSERT INTO accounts (id, user_id, name, type, subtype, institution, currency, tracking_mode,
            plaid_item_id, plaid_account_id, plaid_mask)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
        [
          newId(),
          item.userId,
          name,
          mapped.type,
          mapped.subtype,
          item.institutionName?.slice(0, NAME_MAX) ?? null,
          currencyOf(plaidAccount, baseCurrency),
          mapped.trackingMode,
          item.plaidItemId,
          plaidAccount.account_id,
          mask,
        ],
      );
      row = rows[0] as LinkedAccountRow;
      out.created += 1;
    }
    out.accounts.set(plaidAccount.account_id, {
      id: row.id,
      plaidAccountId: plaidAccount.account_id,
      investment: isInvestmentAccount(plaidAccount.type),
      row,
    });
  }
  return out;
}

export interface BalanceOutcome {
  recorded: number;
  warnings: string[];
}

/**
 * Records today's balance of each cash-like, balance-keeping account Plaid reported: `current`
 * (for credit cards and loans, the amount owed), else `available`. A balance dated on or after the
 * account's latest becomes its balance, as with accounts.recordBalance.
 */
export async function recordPlaidBalances(
  trx: Knex.Transaction,
  userId: string,
  plaidAccounts: readonly AccountBase[],
  linked: ReadonlyMap<string, LinkedAccount>,
  date: string,
): Promise<BalanceOutcome> {
  const out: BalanceOutcome = { recorded: 0, warnings: [] };
  for (const plaidAccount of plaidAccounts) {
    const account = linked.get(plaidAccount.account_id)?.row;
    if (!account || account.closed_at) continue;
    if (!isCashLikeType(account.type) || account.tracking_mode !== 'holdings') continue;
    const value = plaidAccount.balances.current ?? plaidAccount.balances.available;
    if (value === null || value === undefined || !Number.isFinite(value)) continue;
    const balance = new Decimal(String(value));
    if (isLiabilityType(account.type) && balance.isNegative()) {
      out.warnings.push(
        `${account.name}: Plaid reports a credit balance of ${balance.negated().toFixed()}; a liability balance is the amount owed, so it was not recorded`,
      );
      continue;
    }
    await trx.raw(
      `INSERT INTO account_balances (account_id, user_id, date, balance, source) VALUES (?, ?, ?, ?, 'sync')
       ON CONFLICT (account_id, date) DO UPDATE SET balance = EXCLUDED.balance, source = EXCLUDED.source`,
      [account.id, userId, date, balance.toFixed()],
    );
    await trx.raw(
      `UPDATE accounts SET cash_balance = ?, balance_as_of = ?
        WHERE id = ? AND (balance_as_of IS NULL OR balance_as_of <= ?)`,
      [balance.toFixed(), date, account.id, date],
    );
    out.recorded += 1;
  }
  return out;
}
