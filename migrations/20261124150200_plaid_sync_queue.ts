/**
 * What the Plaid sync needs beyond the item table:
 * - agent_tasks_plaid_sync_queued_idx: "is a sync of this item already queued?" is asked by every
 *   enqueue (plaid.syncNow, webhooks, the scheduled sweep) so that they stay idempotent while one
 *   waits; a partial expression index over the few queued plaid_sync rows answers it.
 * - plaid_items.consent_expires_at: Plaid's PENDING_EXPIRATION webhook announces when the owner's
 *   consent ends; the item keeps syncing until then, and users are shown the date so they re-link
 *   (Link's update mode) before it passes.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `CREATE INDEX agent_tasks_plaid_sync_queued_idx ON agent_tasks ((input->>'plaidItemId'))
     WHERE type = 'plaid_sync' AND status = 'queued'`,
  );
  await knex.schema.alterTable('plaid_items', (t) => {
    t.timestamp('consent_expires_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('plaid_items', (t) => {
    t.dropColumn('consent_expires_at');
  });
  await knex.raw('DROP INDEX IF EXISTS agent_tasks_plaid_sync_queued_idx');
}
