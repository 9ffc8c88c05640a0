/**
 * What a verified Plaid webhook changes (https://plaid.com/docs/api/webhooks/). The HTTP route
 * (http/plaid-webhook.ts) verifies the signature first; this only ever sees payloads Plaid signed.
 *
 * - New data (TRANSACTIONS SYNC_UPDATES_AVAILABLE and the older DEFAULT_UPDATE/INITIAL_UPDATE/
 *   HISTORICAL_UPDATE/TRANSACTIONS_REMOVED, HOLDINGS DEFAULT_UPDATE, INVESTMENTS_TRANSACTIONS
 *   DEFAULT_UPDATE/HISTORICAL_UPDATE): a sync is enqueued, idempotently (one queued per item), unless
 *   the item waits for its owner to sign in again.
 * - ITEM ERROR: the item and its accounts take the error; login errors (ITEM_LOGIN_REQUIRED...)
 *   make them `requires_reauth`, which stops scheduled syncs until the owner re-links.
 * - ITEM LOGIN_REPAIRED: the owner fixed the login (elsewhere, or through Link): back to idle, and a sync.
 * - ITEM PENDING_EXPIRATION / PENDING_DISCONNECT: consent ends soon; the item keeps syncing, and
 *   `consentExpiresAt` tells users to re-link before then.
 * - ITEM USER_PERMISSION_REVOKED: access is gone for good: `requires_reauth` with that code (re-link
 *   or remove). USER_ACCOUNT_REVOKED: the one account named.
 * Anything else, or an item this server does not know, is acknowledged and ignored.
 */
import type { Knex } from '../../db/knex.js';
import { PlaidItem, type PlaidItemStatus } from '../../models/index.js';
import { isReauthCode } from './client.js';
import { enqueuePlaidSync } from './queue.js';

export type WebhookOutcome =
  | { action: 'sync_enqueued'; taskId: string; created: boolean }
  | { action: 'status_updated'; status: PlaidItemStatus }
  | { action: 'consent_expiry_recorded'; consentExpiresAt: Date }
  | { action: 'ignored'; reason: string };

const SYNC_TRIGGERS: Record<string, ReadonlySet<string>> = {
  TRANSACTIONS: new Set([
    'SYNC_UPDATES_AVAILABLE',
    'DEFAULT_UPDATE',
    'INITIAL_UPDATE',
    'HISTORICAL_UPDATE',
    'TRANSACTIONS_REMOVED',
  ]),
  HOLDINGS: new Set(['DEFAULT_UPDATE']),
  INVESTMENTS_TRANSACTIONS: new Set(['DEFAULT_UPDATE', 'HISTORICAL_UPDATE']),
};

/** How long Plaid says a PENDING_DISCONNECT item has left. */
const PENDING_DISCONNECT_MS = 7 * 24 * 3600_000;
const MESSAGE_MAX = 1000;

function text(value: unknown, max = 200): string | null {
  return typeof value === 'string' && value.length > 0 ? value.slice(0, max) : null;
}

function errorOf(payload: Record<string, unknown>): { code: string | null; message: string | null } {
  const error = payload.error;
  if (!error || typeof error !== 'object') return { code: null, message: null };
  const e = error as Record<string, unknown>;
  return { code: text(e.error_code), message: text(e.error_message, MESSAGE_MAX) };
}

async function setStatus(
  trx: Knex.Transaction,
  item: PlaidItem,
  status: 'error' | 'requires_reauth',
  code: string,
  message: string,
): Promise<WebhookOutcome> {
  await item.$query(trx).patch({ status, last_error_code: code, last_error_message: message });
  await trx('accounts')
    .where({ user_id: item.user_id, plaid_item_id: item.item_id })
    .whereNull('closed_at')
    .update({ sync_status: status, sync_error: message });
  return { action: 'status_updated', status };
}

async function onItemWebhook(
  trx: Knex.Transaction,
  item: PlaidItem,
  code: string,
  payload: Record<string, unknown>,
): Promise<WebhookOutcome> {
  switch (code) {
    case 'ERROR': {
      const error = errorOf(payload);
      const errorCode = error.code ?? 'ITEM_ERROR';
      return setStatus(
        trx,
        item,
        isReauthCode(errorCode) ? 'requires_reauth' : 'error',
        errorCode,
        error.message ?? `Plaid reported ${errorCode} for this item`,
      );
    }
    case 'USER_PERMISSION_REVOKED':
      return setStatus(
        trx,
        item,
        'requires_reauth',
        errorOf(payload).code ?? 'USER_PERMISSION_REVOKED',
        'The account holder revoked access to this institution; link it again, or remove it',
      );
    case 'USER_ACCOUNT_REVOKED': {
      const accountId = text(payload.account_id);
      if (!accountId) return { action: 'ignored', reason: 'no account_id' };
      await trx('accounts')
        .where({ user_id: item.user_id, plaid_item_id: item.item_id, plaid_account_id: accountId })
        .update({
          sync_status: 'requires_reauth',
          sync_error: 'The account holder revoked access to this account; link it again to resume',
        });
      return { action: 'status_updated', status: item.status };
    }
    case 'LOGIN_REPAIRED': {
      if (item.status === 'requires_reauth') {
        await item.$query(trx).patch({ status: 'idle', last_error_code: null, last_error_message: null });
        await trx('accounts')
          .where({ user_id: item.user_id, plaid_item_id: item.item_id })
          .whereNull('closed_at')
          .update({ sync_status: 'idle', sync_error: null });
      }
      const { taskId, created } = await enqueuePlaidSync(trx, item, 'relink');
      return { action: 'sync_enqueued', taskId, created };
    }
    case 'PENDING_EXPIRATION':
    case 'PENDING_DISCONNECT': {
      const announced = text(payload.consent_expiration_time);
      const at = announced ? new Date(announced) : new Date(Date.now() + PENDING_DISCONNECT_MS);
      if (Number.isNaN(at.getTime()))
        return { action: 'ignored', reason: 'unreadable consent_expiration_time' };
      const earliest = item.consent_expires_at && item.consent_expires_at < at ? item.consent_expires_at : at;
      await item.$query(trx).patch({ consent_expires_at: earliest });
      return { action: 'consent_expiry_recorded', consentExpiresAt: earliest };
    }
    default:
      return { action: 'ignored', reason: `ITEM ${code} needs no action` };
  }
}

/** Applies a verified webhook; see the file's comment. */
export async function handlePlaidWebhook(
  db: Knex,
  payload: Record<string, unknown>,
  logger?: { info(details: Record<string, unknown>, message: string): void },
): Promise<WebhookOutcome> {
  const type = text(payload.webhook_type) ?? '';
  const code = text(payload.webhook_code) ?? '';
  const plaidItemId = text(payload.item_id);
  if (!plaidItemId) return { action: 'ignored', reason: 'no item_id' };
  const outcome = await db.transaction(async (trx): Promise<WebhookOutcome> => {
    const item = await PlaidItem.query(trx).where('item_id', plaidItemId).forUpdate().first();
    if (!item) return { action: 'ignored', reason: 'unknown item' };
    if (SYNC_TRIGGERS[type]?.has(code)) {
      if (item.status === 'requires_reauth') {
        return { action: 'ignored', reason: 'the item waits for its owner to sign in again' };
      }
      const { taskId, created } = await enqueuePlaidSync(trx, item, 'webhook');
      return { action: 'sync_enqueued', taskId, created };
    }
    if (type === 'ITEM') return onItemWebhook(trx, item, code, payload);
    return { action: 'ignored', reason: `${type} ${code} needs no action` };
  });
  logger?.info(
    { webhookType: type, webhookCode: code, plaidItemId, outcome: outcome.action },
    'Plaid webhook',
  );
  return outcome;
}
