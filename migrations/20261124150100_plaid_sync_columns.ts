/**
 * Columns the Plaid sync writes:
 * - transactions.provider_transaction_id: Plaid's transaction id (cash) or investment transaction
 *   id. The unique constraint on (account_id, provider_transaction_id) is what makes syncing
 *   idempotent: a page applied twice (a retry after a crash) cannot create a second row.
 * - transactions.pending: the institution has not posted it yet; when it posts, the row is updated
 *   in place with the posted transaction's id.
 * - accounts.plaid_mask: the last digits of the account number Plaid reports, shown beside linked
 *   accounts so users can tell them apart.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('transactions', (t) => {
    t.text('provider_transaction_id');
    t.boolean('pending').notNullable().defaultTo(false);
    t.unique(['account_id', 'provider_transaction_id'], {
      indexName: 'transactions_account_provider_txn_uq',
    });
    t.check(
      'provider_transaction_id IS NULL OR length(provider_transaction_id) BETWEEN 1 AND 200',
      [],
      'transactions_provider_txn_length',
    );
  });
  await knex.schema.alterTable('accounts', (t) => {
    t.text('plaid_mask');
    t.check('plaid_mask IS NULL OR length(plaid_mask) <= 10', [], 'accounts_plaid_mask_length');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.dropChecks(['accounts_plaid_mask_length']);
    t.dropColumn('plaid_mask');
  });
  await knex.schema.alterTable('transactions', (t) => {
    t.dropChecks(['transactions_provider_txn_length']);
    t.dropUnique(['account_id', 'provider_transaction_id'], 'transactions_account_provider_txn_uq');
    t.dropColumn('pending');
    t.dropColumn('provider_transaction_id');
  });
}
