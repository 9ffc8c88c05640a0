/**
 * Plaid items in the database: loading the actor's item (another user's answers NOT_FOUND, like a
 * missing one), locking it, and sealing and opening its access token. The token is encrypted with
 * the keyring (AES-256-GCM, the key id stored beside it) and bound to its row; it is opened only
 * to call Plaid and never returned, logged or put in an error.
 */
import type { Actor } from '../../actor.js';
import { plaidAccessTokenContext } from '../../crypto/encrypted-fields.js';
import { getKeyring, type Sealed } from '../../crypto/keyring.js';
import type { Knex } from '../../db/knex.js';
import type { Db } from '../../db/transaction.js';
import { PlaidItem } from '../../models/index.js';
import { NotFoundError } from '../errors.js';

export function sealAccessToken(itemRowId: string, accessToken: string): Sealed {
  return getKeyring().encrypt(accessToken, plaidAccessTokenContext(itemRowId));
}

export function openAccessToken(
  item: Pick<PlaidItem, 'id' | 'access_token_ciphertext' | 'access_token_key_id'>,
): string {
  return getKeyring().decrypt(
    { keyId: item.access_token_key_id, ciphertext: item.access_token_ciphertext },
    plaidAccessTokenContext(item.id),
  );
}

/** The actor's item, or NOT_FOUND naming `field`. */
export async function loadItem(
  db: Db,
  actor: Actor,
  id: string,
  opts: { forUpdate?: boolean; field?: string } = {},
): Promise<PlaidItem> {
  const query = PlaidItem.query(db).modify('visibleTo', actor).findById(id);
  if (opts.forUpdate) query.forUpdate();
  const item = await query;
  if (!item) throw new NotFoundError('Plaid item', id, opts.field ?? 'id');
  return item;
}

/** Runs `work` in a transaction holding the item's row lock (NOT_FOUND once the item is gone). */
export async function withLockedItem<T>(
  db: Db,
  actor: Actor,
  id: string,
  work: (trx: Knex.Transaction, item: PlaidItem) => Promise<T>,
  field = 'plaidItemId',
): Promise<T> {
  return db.transaction(async (trx) => work(trx, await loadItem(trx, actor, id, { forUpdate: true, field })));
}
