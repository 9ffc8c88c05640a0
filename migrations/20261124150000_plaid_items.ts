/**
 * Plaid items: one row per linked institution login. Holds the Plaid access token encrypted at
 * rest (AES-256-GCM; the id of the key that sealed it beside the ciphertext, so keys can rotate),
 * the /transactions/sync cursor (written in the same database transaction as the rows it covers),
 * and the sync status users see: idle, syncing, ok, error or requires_reauth, with the last sync,
 * the last error and the next scheduled sync.
 *
 * accounts.plaid_item_id (core schema) holds Plaid's item id; it gets an index for the sync's
 * lookups. It is not a foreign key: seed and imported data may name items this server never linked.
 */
import type { Knex } from 'knex';

const SYNC_STATUSES = ['idle', 'syncing', 'ok', 'error', 'requires_reauth'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('plaid_items', (t) => {
    t.uuid('id', { primaryKey: true }).defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id')
      .notNullable()
      .references('id')
      .inTable('users')
      .onDelete('CASCADE')
      .withKeyName('plaid_items_user_fk');
    // Plaid's identifier of the item.
    t.text('item_id').notNullable();
    t.text('institution_id');
    t.text('institution_name');
    // Products Plaid reports for the item (transactions, investments, ...).
    t.specificType('products', 'text[]').notNullable().defaultTo('{}');
    t.text('access_token_ciphertext').notNullable();
    t.text('access_token_key_id').notNullable();
    // /transactions/sync position; null before the first sync.
    t.text('transactions_cursor');
    // Investment transactions are fetched by date window; the last day fully imported.
    t.date('investments_synced_through');
    t.text('status').notNullable().defaultTo('idle').checkIn(SYNC_STATUSES, 'plaid_items_status_check');
    t.timestamp('last_synced_at', { useTz: true });
    t.timestamp('last_attempt_at', { useTz: true });
    t.text('last_error_code');
    t.text('last_error_message');
    t.timestamp('next_sync_at', { useTz: true });
    // Holdings as Plaid reports them compared with the ledger's positions, at the last sync.
    t.jsonb('reconciliation');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['item_id'], { indexName: 'plaid_items_item_id_uq' });
    t.check(`length(item_id) BETWEEN 1 AND 200`, [], 'plaid_items_item_id_length');
    t.check(`length(access_token_key_id) BETWEEN 1 AND 40`, [], 'plaid_items_key_id_length');
    t.check(
      `(status <> 'error' AND status <> 'requires_reauth') OR last_error_code IS NOT NULL`,
      [],
      'plaid_items_error_code_present',
    );
  });
  await knex.raw('CREATE INDEX plaid_items_user_created_idx ON plaid_items (user_id, created_at, id)');
  // The scheduler's query: items due for a sync.
  await knex.raw(
    `CREATE INDEX plaid_items_next_sync_idx ON plaid_items (next_sync_at) WHERE status <> 'requires_reauth'`,
  );
  await knex.raw(
    'CREATE TRIGGER plaid_items_set_updated_at BEFORE UPDATE ON plaid_items FOR EACH ROW EXECUTE FUNCTION fo_set_updated_at()',
  );
  await knex.raw(
    'CREATE INDEX accounts_plaid_item_idx ON accounts (plaid_item_id) WHERE plaid_item_id IS NOT NULL',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS accounts_plaid_item_idx');
  await knex.schema.dropTableIfExists('plaid_items');
}
