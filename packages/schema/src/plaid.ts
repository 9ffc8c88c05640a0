/**
 * Plaid integration: linking institutions through Plaid Link, their sync status, and the
 * `plaid_sync` task. Access tokens never appear here: they stay on the server, encrypted.
 */
import { z } from 'zod';
import { zUuid } from './common.js';
import { ACCOUNT_SUBTYPES, ACCOUNT_TYPES, SYNC_STATUSES } from './enums.js';

export const zSyncStatus = z.enum(SYNC_STATUSES);

export const zPlaidCreateLinkTokenInput = z
  .object({
    /** Re-link this item (Link's update mode), e.g. after it needs the owner to sign in again. */
    itemId: zUuid.optional(),
  })
  .default({});
export type PlaidCreateLinkTokenInput = z.input<typeof zPlaidCreateLinkTokenInput>;

export const zPlaidLinkToken = z.object({
  /** For Plaid Link on the front end; short-lived. */
  linkToken: z.string(),
  expiration: z.date(),
  mode: z.enum(['create', 'update']),
});
export type PlaidLinkToken = z.infer<typeof zPlaidLinkToken>;

export const zPlaidExchangeInput = z.object({
  /** The public token Plaid Link's onSuccess returns. */
  publicToken: z.string().trim().min(1).max(500),
});
export type PlaidExchangeInput = z.input<typeof zPlaidExchangeInput>;

export const zPlaidItemIdInput = z.object({ id: zUuid });

export const zPlaidHoldingDifference = z.object({
  accountId: zUuid,
  symbol: z.string(),
  /** Quantity Plaid reports. */
  plaidQuantity: z.string(),
  /** Quantity the ledger holds. */
  ledgerQuantity: z.string(),
});
export type PlaidHoldingDifference = z.infer<typeof zPlaidHoldingDifference>;

export const zPlaidReconciliation = z.object({
  checkedAt: z.coerce.date(),
  differences: z.array(zPlaidHoldingDifference),
});

export const zPlaidLinkedAccount = z.object({
  id: zUuid,
  name: z.string(),
  type: z.enum(ACCOUNT_TYPES),
  subtype: z.enum(ACCOUNT_SUBTYPES).nullable(),
  mask: z.string().nullable(),
  syncStatus: zSyncStatus,
  lastSyncedAt: z.date().nullable(),
  syncError: z.string().nullable(),
});

export const zPlaidItem = z.object({
  id: zUuid,
  institutionId: z.string().nullable(),
  institutionName: z.string().nullable(),
  products: z.array(z.string()),
  status: zSyncStatus,
  lastSyncedAt: z.date().nullable(),
  lastErrorCode: z.string().nullable(),
  lastErrorMessage: z.string().nullable(),
  nextSyncAt: z.date().nullable(),
  /** Plaid announced (PENDING_EXPIRATION) that the owner's consent ends then: re-link before (update mode). */
  consentExpiresAt: z.date().nullable(),
  reconciliation: zPlaidReconciliation.nullable(),
  accounts: z.array(zPlaidLinkedAccount),
  createdAt: z.date(),
});
export type PlaidItemView = z.infer<typeof zPlaidItem>;

export const zPlaidItemList = z.object({ items: z.array(zPlaidItem) });

export const zPlaidRemoveResult = z.object({
  id: zUuid,
  /** Accounts unlinked from Plaid; they and their history stay. */
  detachedAccountIds: z.array(zUuid),
});

export const zPlaidSyncNowResult = z.object({
  item: zPlaidItem,
  /** The queued `plaid_sync` task (the one already queued, when there is one). */
  taskId: zUuid,
});

export const zPlaidExchangeResult = z.object({
  item: zPlaidItem,
  /** The first `plaid_sync` task. */
  taskId: zUuid,
});
