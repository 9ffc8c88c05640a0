/**
 * Account balances: cash-like accounts (checking, savings, credit card, loan, mortgage) keep a dated
 * balance history, and the account row carries the latest one (`cash_balance`, `balance_as_of`).
 * Liability balances are amounts owed, stored positive; net worth counts them negative.
 *
 * Also: `allow_short` (an account may hold negative quantities: short positions) and the index the
 * account list's name sort uses.
 *
 * Shipped: never edit this file; add a new migration instead.
 */
import type { Knex } from 'knex';

const BALANCE_SOURCES = ['manual', 'statement', 'sync', 'import'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('accounts', (t) => {
    t.boolean('allow_short').notNullable().defaultTo(false);
    // Date of the balance in cash_balance when it came from a recorded balance (null: never recorded).
    t.date('balance_as_of');
  });
  await knex.raw('CREATE INDEX accounts_user_name_idx ON accounts (user_id, name, id)');

  await knex.schema.createTable('account_balances', (t) => {
    t.uuid('id', { primaryKey: true }).defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('account_id').notNullable();
    t.uuid('user_id').notNullable();
    t.date('date').notNullable();
    t.decimal('balance', 24, 8).notNullable();
    t.text('source')
      .notNullable()
      .defaultTo('manual')
      .checkIn(BALANCE_SOURCES, 'account_balances_source_check');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // The composite FK guarantees the row's user_id is its account's; history goes with the account.
    t.foreign(['account_id', 'user_id'], 'account_balances_account_fk')
      .references(['id', 'user_id'])
      .inTable('accounts')
      .onDelete('CASCADE');
    // One balance per account per day; recording the same day again replaces it. The index also
    // serves "latest balance on or before a date" (backward scan).
    t.unique(['account_id', 'date'], { indexName: 'account_balances_account_date_uq' });
  });
  await knex.raw(
    'CREATE TRIGGER account_balances_set_updated_at BEFORE UPDATE ON account_balances FOR EACH ROW EXECUTE FUNCTION fo_set_updated_at()',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('account_balances');
  await knex.raw('DROP INDEX IF EXISTS accounts_user_name_idx');
  await knex.schema.alterTable('accounts', (t) => {
    t.dropColumn('balance_as_of');
    t.dropColumn('allow_short');
  });
}
