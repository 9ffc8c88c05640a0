/**
 * Items as users see them: institution, accounts, status, last sync and error, next scheduled
 * sync, reconciliation. Built field by field, so the access token (and the cursor) cannot leak.
 */
import {
  type AccountSubtype,
  type AccountType,
  type PlaidItemView,
  type SyncStatus,
  zPlaidReconciliation,
} from '@fo/schema';
import type { Knex } from '../../db/knex.js';
import type { Db } from '../../db/transaction.js';
import type { PlaidItem } from '../../models/index.js';

export interface ItemAccountRow {
  id: string;
  name: string;
  type: string;
  subtype: string | null;
  plaid_item_id: string;
  plaid_mask: string | null;
  sync_status: string;
  last_synced_at: Date | null;
  sync_error: string | null;
}

/** The accounts linked to these items (by Plaid's item id), in one query. */
export async function loadItemAccounts(
  db: Db,
  userId: string,
  plaidItemIds: readonly string[],
): Promise<Map<string, ItemAccountRow[]>> {
  const byItem = new Map<string, ItemAccountRow[]>();
  if (plaidItemIds.length === 0) return byItem;
  const rows = (await (db as Knex)('accounts')
    .select(
      'id',
      'name',
      'type',
      'subtype',
      'plaid_item_id',
      'plaid_mask',
      'sync_status',
      'last_synced_at',
      'sync_error',
    )
    .where('user_id', userId)
    .whereIn('plaid_item_id', [...plaidItemIds])
    .orderBy([{ column: 'created_at' }, { column: 'id' }])) as ItemAccountRow[];
  for (const row of rows) {
    const list = byItem.get(row.plaid_item_id) ?? [];
    list.push(row);
    byItem.set(row.plaid_item_id, list);
  }
  return byItem;
}

export function toPlaidItemView(item: PlaidItem, accounts: readonly ItemAccountRow[]): PlaidItemView {
  const reconciliation = zPlaidReconciliation.safeParse(item.reconciliation);
  return {
    id: item.id,
    institutionId: item.institution_id,
    institutionName: item.institution_name,
    products: item.products,
    status: item.status,
    lastSyncedAt: item.last_synced_at,
    lastErrorCode: item.last_error_code,
    lastErrorMessage: item.last_error_message,
    nextSyncAt: item.next_sync_at,
    consentExpiresAt: item.consent_expires_at,
    reconciliation: reconciliation.success ? reconciliation.data : null,
    accounts: accounts.map((a) => ({
      id: a.id,
      name: a.name,
      type: a.type as AccountType,
      subtype: a.subtype as AccountSubtype | null,
      mask: a.plaid_mask,
      syncStatus: a.sync_status as SyncStatus,
      lastSyncedAt: a.last_synced_at,
      syncError: a.sync_error,
    })),
    createdAt: item.created_at,
  };
}

export async function itemView(db: Db, item: PlaidItem): Promise<PlaidItemView> {
  const accounts = await loadItemAccounts(db, item.user_id, [item.item_id]);
  return toPlaidItemView(item, accounts.get(item.item_id) ?? []);
}
