/**
 * `plaid_sync`: brings one linked institution up to date (services/plaid/sync.ts). Retried with the
 * queue's backoff when Plaid is rate limiting or unavailable; failed at once when retrying cannot
 * help: the owner must sign in again (the item is `requires_reauth` until they re-link through an
 * update-mode link token), Plaid refuses the request itself, Plaid is not configured, or the
 * access token cannot be decrypted with the configured keys.
 *
 * Scheduled syncs come from the workers' sweep: items whose next_sync_at has passed.
 */
import { DecryptionError } from '../crypto/keyring.js';
import { NotConfiguredError } from '../services/errors.js';
import { PlaidApiError } from '../services/plaid/client.js';
import { enqueueDuePlaidSyncs } from '../services/plaid/queue.js';
import { syncPlaidItem } from '../services/plaid/sync.js';
import { defineTask, PermanentError } from './queue/definition.js';

function permanent(err: unknown): boolean {
  if (err instanceof PlaidApiError) return err.requiresReauth || !err.transient;
  return err instanceof NotConfiguredError || err instanceof DecryptionError;
}

export const plaidSyncAgent = defineTask('plaid_sync', {
  // Each item syncs every PLAID_SYNC_INTERVAL_HOURS (plaid_items.next_sync_at).
  sweep: (db, logger) => enqueueDuePlaidSyncs(db, logger),
  async handler({ input, actor, db, signal, progress, logger }) {
    try {
      return await syncPlaidItem({ db, actor, signal, progress, logger }, input);
    } catch (err) {
      if (!signal.aborted && permanent(err)) throw new PermanentError((err as Error).message);
      throw err;
    }
  },
});
