import {
  type AccountBalanceView,
  type AccountView,
  Decimal,
  isCashLikeType,
  isLiabilityType,
} from '@fo/schema';
import type { Account, AccountBalance } from '../../models/index.js';

type AccountRow = Pick<
  Account,
  | 'id'
  | 'name'
  | 'type'
  | 'subtype'
  | 'institution'
  | 'currency'
  | 'tracking_mode'
  | 'cost_basis_method'
  | 'allow_short'
  | 'cash_balance'
  | 'balance_as_of'
  | 'plaid_item_id'
  | 'plaid_account_id'
  | 'sync_status'
  | 'last_synced_at'
  | 'sync_error'
  | 'closed_at'
  | 'created_at'
  | 'updated_at'
>;

/** Columns a view needs; list queries select exactly these. */
export const ACCOUNT_COLUMNS = [
  'id',
  'name',
  'type',
  'subtype',
  'institution',
  'currency',
  'tracking_mode',
  'cost_basis_method',
  'allow_short',
  'cash_balance',
  'balance_as_of',
  'plaid_item_id',
  'plaid_account_id',
  'sync_status',
  'last_synced_at',
  'sync_error',
  'closed_at',
  'created_at',
  'updated_at',
] as const;

export function toAccountView(row: AccountRow): AccountView {
  return {
    id: row.id,
    name: row.name,
    type: row.type as AccountView['type'],
    subtype: row.subtype as AccountView['subtype'],
    institution: row.institution,
    currency: row.currency,
    trackingMode: row.tracking_mode,
    costBasisMethod: row.cost_basis_method as AccountView['costBasisMethod'],
    allowShort: row.allow_short,
    isLiability: isLiabilityType(row.type),
    isCashLike: isCashLikeType(row.type),
    balance: new Decimal(row.cash_balance),
    balanceAsOf: row.balance_as_of,
    sync: {
      plaidItemId: row.plaid_item_id,
      plaidAccountId: row.plaid_account_id,
      status: row.sync_status as AccountView['sync']['status'],
      lastSyncedAt: row.last_synced_at,
      error: row.sync_error,
    },
    closedAt: row.closed_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toBalanceView(
  row: Pick<AccountBalance, 'id' | 'account_id' | 'date' | 'balance' | 'source' | 'created_at'>,
): AccountBalanceView {
  return {
    id: row.id,
    accountId: row.account_id,
    date: row.date,
    balance: new Decimal(row.balance),
    source: row.source,
    createdAt: row.created_at,
  };
}
