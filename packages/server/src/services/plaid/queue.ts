/**
 * Enqueuing `plaid_sync` tasks. Every path that asks for a sync (plaid.syncNow, the first link,
 * webhooks, the scheduled sweep) goes through `enqueuePlaidSync`, which is idempotent while a sync
 * of the item waits in the queue: the caller holds the item's row lock, so two requests cannot both
 * see "none queued", and the second gets the first one's task.
 */
import type { PlaidSyncReason } from '@fo/schema';
import { enqueueTask } from '../../agents/queue/store.js';
import type { Knex } from '../../db/knex.js';
import type { Db } from '../../db/transaction.js';
import type { Logger } from '../../logger.js';
import { findPlaidSettings } from './config.js';

/** Claims a sync gets: Plaid's rate limits and outages are retried with the queue's backoff. */
export const PLAID_SYNC_MAX_ATTEMPTS = 5;

/**
 * The queued sync of the item, or a new one. The caller must hold the item's row lock (FOR UPDATE)
 * in `trx`.
 */
export async function enqueuePlaidSync(
  trx: Db,
  item: { id: string; user_id: string },
  reason: PlaidSyncReason,
): Promise<{ taskId: string; created: boolean }> {
  const queued = (await (trx as Knex)('agent_tasks')
    .select('id')
    .where({ type: 'plaid_sync', status: 'queued', user_id: item.user_id })
    .whereRaw(`input->>'plaidItemId' = ?`, [item.id])
    .orderBy('run_at')
    .first()) as { id: string } | undefined;
  if (queued) return { taskId: queued.id, created: false };
  const { row } = await enqueueTask(trx, {
    userId: item.user_id,
    type: 'plaid_sync',
    input: { plaidItemId: item.id, reason },
    maxAttempts: PLAID_SYNC_MAX_ATTEMPTS,
  });
  return { taskId: row.id, created: true };
}

/**
 * The scheduled sync: items whose next_sync_at has passed get a sync (unless one is queued), and
 * their next_sync_at moves one interval on, so the sweep does not enqueue them again while the
 * sync runs (a finished sync sets it from its own end). Items that need their owner to sign in
 * again are left alone. Rows are locked with SKIP LOCKED: concurrent workers share the sweep.
 */
export async function enqueueDuePlaidSyncs(db: Knex, logger?: Logger, limit = 100): Promise<number> {
  const settings = findPlaidSettings();
  if (!settings) return 0;
  return db.transaction(async (trx) => {
    const { rows } = await trx.raw<{ rows: { id: string; user_id: string }[] }>(
      `SELECT id, user_id FROM plaid_items
        WHERE next_sync_at <= now() AND status <> 'requires_reauth'
        ORDER BY next_sync_at
        LIMIT ?
        FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    let created = 0;
    for (const item of rows) {
      if ((await enqueuePlaidSync(trx, item, 'scheduled')).created) created += 1;
    }
    if (rows.length) {
      await trx.raw(
        `UPDATE plaid_items SET next_sync_at = now() + ? * interval '1 millisecond' WHERE id = ANY(?::uuid[])`,
        [settings.syncIntervalMs, rows.map((r) => r.id)],
      );
      logger?.info({ items: rows.length, enqueued: created }, 'scheduled Plaid syncs');
    }
    return created;
  });
}
