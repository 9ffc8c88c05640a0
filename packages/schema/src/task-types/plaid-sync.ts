import { z } from 'zod';
import { zUuid } from '../common.js';
import { zIsoDate } from '../dates.js';
import { zPlaidHoldingDifference, zSyncStatus } from '../plaid.js';

/** Why a sync was enqueued (shown in the task's input; the sync itself is the same). */
export const PLAID_SYNC_REASONS = ['initial', 'manual', 'scheduled', 'webhook', 'relink'] as const;
export type PlaidSyncReason = (typeof PLAID_SYNC_REASONS)[number];

/**
 * `plaid_sync`: one linked institution (a Plaid item) brought up to date — accounts and balances,
 * cash transactions through /transactions/sync, then investments. Enqueued by `plaid.exchangePublicToken`,
 * `plaid.syncNow`, Plaid's webhooks and the scheduled sweep.
 */
export const zPlaidSyncInput = z.object({
  /** plaid_items.id (the item's id on this platform, as `plaid.items` lists it). */
  plaidItemId: zUuid,
  reason: z.enum(PLAID_SYNC_REASONS).default('manual'),
});

const zCount = z.number().int().min(0);

export const zPlaidSyncResult = z.object({
  status: zSyncStatus,
  accounts: z.object({
    /** Accounts opened on the platform for Plaid accounts seen for the first time. */
    created: zCount,
    /** Linked accounts Plaid reported again. */
    updated: zCount,
  }),
  /** Balances written to the balance history (cash-like accounts that keep balances). */
  balancesRecorded: zCount,
  transactions: z.object({
    added: zCount,
    modified: zCount,
    removed: zCount,
    /** /transactions/sync pages applied (each with its cursor, in one database transaction). */
    pages: zCount,
  }),
  /** Null when the item has no investments product or no investment accounts. */
  investments: z
    .object({
      transactionsAdded: zCount,
      /** Investment transactions are imported up to this day. */
      syncedThrough: zIsoDate,
      /** Transactions with no ledger effect or no ledger equivalent (see the warnings). */
      skipped: zCount,
      /** Opening positions recorded for sales of shares bought before the history Plaid keeps. */
      openingPositions: zCount,
    })
    .nullable(),
  /** Holdings as Plaid reports them that differ from the ledger's positions. */
  holdingDifferences: z.array(zPlaidHoldingDifference),
  /** What was skipped and why (closed accounts, zero amounts...). */
  warnings: z.array(z.string()),
});
export type PlaidSyncResult = z.infer<typeof zPlaidSyncResult>;
