/**
 * Linking institutions through Plaid: link tokens for Plaid Link (create mode, and update mode to
 * re-link an item), the public-token exchange that stores an item and its accounts and enqueues
 * the first sync, the list of items with their status, removal, and "sync now".
 *
 * Every function first requires Plaid's configuration (NotConfiguredError → PRECONDITION_FAILED
 * "Plaid is not configured"). Plaid's refusals reach callers through `plaidFailure` (an expired
 * public token is BAD_REQUEST on `publicToken`, rate limits TOO_MANY_REQUESTS, the rest
 * BAD_GATEWAY), with Plaid's code and request id and never a credential.
 */
import type {
  PlaidCreateLinkTokenInput,
  PlaidItemView,
  PlaidLinkToken,
  zPlaidExchangeInput,
  zPlaidItemIdInput,
} from '@fo/schema';
import type { AccountsGetResponse, LinkTokenCreateRequest } from 'plaid';
import type { z } from 'zod';
import { DecryptionError } from '../../crypto/keyring.js';
import { newId, PlaidItem } from '../../models/index.js';
import type { ServiceContext } from '../context.js';
import { ConflictError } from '../errors.js';
import { upsertPlaidAccounts } from './accounts.js';
import { PlaidApiError, plaidCall, plaidFailure } from './client.js';
import { getPlaidSettings, type PlaidSettings } from './config.js';
import { enqueuePlaidSync } from './queue.js';
import { loadItem, openAccessToken, sealAccessToken, withLockedItem } from './store.js';
import { itemView, loadItemAccounts, toPlaidItemView } from './view.js';

type LinkTokenInput = Exclude<PlaidCreateLinkTokenInput, undefined>;
type ExchangeInput = z.output<typeof zPlaidExchangeInput>;
type ItemIdInput = z.output<typeof zPlaidItemIdInput>;

/** Plaid errors that mean the item is already gone at Plaid: removing it here can proceed. */
const GONE_AT_PLAID = new Set(['ITEM_NOT_FOUND', 'INVALID_ACCESS_TOKEN']);

function linkTokenBase(settings: PlaidSettings, userId: string): LinkTokenCreateRequest {
  return {
    client_name: settings.clientName,
    language: 'en',
    country_codes: settings.countryCodes,
    // Plaid asks for a stable id that is not personal data: the user's uuid.
    user: { client_user_id: userId },
    ...(settings.webhookUrl ? { webhook: settings.webhookUrl } : {}),
  };
}

/** plaid.createLinkToken: create mode, or update mode for `itemId` (re-link after a login change). */
export async function createLinkToken(ctx: ServiceContext, input: LinkTokenInput): Promise<PlaidLinkToken> {
  const settings = getPlaidSettings();
  const base = linkTokenBase(settings, ctx.actor.userId);
  let request: LinkTokenCreateRequest;
  if (input.itemId) {
    const item = await loadItem(ctx.db, ctx.actor, input.itemId, { field: 'itemId' });
    // Update mode: the item's own products; Link signs the owner in again for this item.
    request = { ...base, access_token: openAccessToken(item) };
  } else {
    request = {
      ...base,
      products: settings.products,
      ...(settings.optionalProducts.length ? { optional_products: settings.optionalProducts } : {}),
    };
  }
  const created = await plaidCall(
    '/link/token/create',
    (api) => api.linkTokenCreate(request),
    settings,
  ).catch((err: unknown) => {
    throw plaidFailure(err);
  });
  return {
    linkToken: created.link_token,
    expiration: new Date(created.expiration),
    mode: input.itemId ? 'update' : 'create',
  };
}

function productsOf(response: AccountsGetResponse | null): string[] | null {
  if (!response) return null;
  const { item } = response;
  return [...new Set([...(item.billed_products ?? []), ...(item.products ?? [])])].sort();
}

/**
 * plaid.exchangePublicToken: swaps Link's public token for the item's access token, stores the
 * item (token encrypted), creates or matches its accounts and enqueues the first sync — all in
 * one transaction. A public token from update mode names an item the user already has: its token
 * is replaced and a sync enqueued (`relink`).
 */
export async function exchangePublicToken(
  ctx: ServiceContext,
  input: ExchangeInput,
): Promise<{ item: PlaidItemView; taskId: string }> {
  const settings = getPlaidSettings();
  const exchanged = await plaidCall(
    '/item/public_token/exchange',
    (api) => api.itemPublicTokenExchange({ public_token: input.publicToken }),
    settings,
  ).catch((err: unknown) => {
    throw plaidFailure(err, 'publicToken');
  });
  const accessToken = exchanged.access_token;
  // Accounts now, so the caller sees them at once; when Plaid cannot answer yet, the sync will.
  let accounts: AccountsGetResponse | null = null;
  try {
    accounts = await plaidCall(
      '/accounts/get',
      (api) => api.accountsGet({ access_token: accessToken }),
      settings,
    );
  } catch (err) {
    if (!(err instanceof PlaidApiError)) throw err;
  }
  let relink = false;
  try {
    return await ctx.db.transaction(async (trx) => {
      const existing = await PlaidItem.query(trx).where('item_id', exchanged.item_id).forUpdate().first();
      if (existing && existing.user_id !== ctx.actor.userId) {
        throw new ConflictError('This institution login is already linked by another user', 'publicToken');
      }
      relink = existing !== undefined;
      const id = existing?.id ?? newId();
      const sealed = sealAccessToken(id, accessToken);
      const institutionId = accounts?.item.institution_id ?? existing?.institution_id ?? null;
      const institutionName = accounts?.item.institution_name ?? existing?.institution_name ?? null;
      const fields = {
        institution_id: institutionId,
        institution_name: institutionName,
        products: productsOf(accounts) ?? existing?.products ?? [],
        access_token_ciphertext: sealed.ciphertext,
        access_token_key_id: sealed.keyId,
        consent_expires_at: accounts?.item.consent_expiration_time
          ? new Date(accounts.item.consent_expiration_time)
          : (existing?.consent_expires_at ?? null),
      };
      if (existing) {
        await PlaidItem.query(trx)
          .findById(id)
          .patch({
            ...fields,
            // Re-linked: whatever needed the owner is resolved; the sync tells.
            ...(existing.status === 'requires_reauth'
              ? { status: 'idle', last_error_code: null, last_error_message: null }
              : {}),
          });
      } else {
        await PlaidItem.query(trx).insert({
          id,
          user_id: ctx.actor.userId,
          item_id: exchanged.item_id,
          ...fields,
          status: 'idle',
          next_sync_at: new Date(Date.now() + settings.syncIntervalMs),
        });
      }
      if (accounts) {
        await upsertPlaidAccounts(
          trx,
          { userId: ctx.actor.userId, plaidItemId: exchanged.item_id, institutionName },
          accounts.accounts,
        );
      }
      const { taskId } = await enqueuePlaidSync(
        trx,
        { id, user_id: ctx.actor.userId },
        existing ? 'relink' : 'initial',
      );
      const item = await loadItem(trx, ctx.actor, id);
      return { item: await itemView(trx, item), taskId };
    });
  } catch (err) {
    if (!relink && !(err instanceof ConflictError)) {
      // A new item could not be stored: do not leave it at Plaid, unreachable (best effort).
      await plaidCall('/item/remove', (api) => api.itemRemove({ access_token: accessToken }), settings).catch(
        () => undefined,
      );
    }
    throw err;
  }
}

/** plaid.items: the user's linked institutions, oldest first, with their accounts and status. */
export async function listItems(ctx: ServiceContext): Promise<{ items: PlaidItemView[] }> {
  getPlaidSettings();
  const items = await PlaidItem.query(ctx.db)
    .modify('visibleTo', ctx.actor)
    .orderBy([{ column: 'created_at' }, { column: 'id' }]);
  const accounts = await loadItemAccounts(
    ctx.db,
    ctx.actor.userId,
    items.map((i) => i.item_id),
  );
  return { items: items.map((i) => toPlaidItemView(i, accounts.get(i.item_id) ?? [])) };
}

/**
 * plaid.removeItem: asks Plaid to remove the item (ending its billing and access), then deletes
 * the item and its token here. Its accounts stay, with everything imported, detached from Plaid
 * (their mask is kept, so linking the institution again picks them up); queued syncs are cancelled.
 */
export async function removeItem(
  ctx: ServiceContext,
  input: ItemIdInput,
): Promise<{ id: string; detachedAccountIds: string[] }> {
  const settings = getPlaidSettings();
  const item = await loadItem(ctx.db, ctx.actor, input.id);
  let accessToken: string | null = null;
  try {
    accessToken = openAccessToken(item);
  } catch (err) {
    // A token no configured key opens cannot be used with Plaid either; remove what is here.
    if (!(err instanceof DecryptionError)) throw err;
  }
  if (accessToken !== null) {
    const token = accessToken;
    await plaidCall('/item/remove', (api) => api.itemRemove({ access_token: token }), settings).catch(
      (err: unknown) => {
        if (err instanceof PlaidApiError && GONE_AT_PLAID.has(err.code)) return;
        throw plaidFailure(err);
      },
    );
  }
  return withLockedItem(
    ctx.db,
    ctx.actor,
    input.id,
    async (trx, locked) => {
      const detached = (await trx('accounts')
        .where({ user_id: ctx.actor.userId, plaid_item_id: locked.item_id })
        .update({ plaid_item_id: null, plaid_account_id: null, sync_status: 'idle', sync_error: null })
        .returning('id')) as { id: string }[];
      // Cancelling a running sync aborts it (the worker is notified); its writes check the item.
      await trx('agent_tasks')
        .where({ type: 'plaid_sync', user_id: ctx.actor.userId })
        .whereIn('status', ['queued', 'running'])
        .whereRaw(`input->>'plaidItemId' = ?`, [locked.id])
        .update({ status: 'cancelled', finished_at: trx.fn.now(), locked_until: null });
      await PlaidItem.query(trx).deleteById(locked.id);
      return { id: locked.id, detachedAccountIds: detached.map((a) => a.id) };
    },
    'id',
  );
}

/** plaid.syncNow: enqueues a sync, or returns the one already queued. */
export async function syncNow(
  ctx: ServiceContext,
  input: ItemIdInput,
): Promise<{ item: PlaidItemView; taskId: string }> {
  getPlaidSettings();
  return withLockedItem(
    ctx.db,
    ctx.actor,
    input.id,
    async (trx, item) => {
      const { taskId } = await enqueuePlaidSync(trx, item, 'manual');
      return { item: await itemView(trx, item), taskId };
    },
    'id',
  );
}
