/**
 * Daily net-worth snapshots: one row per user per day, written when the records net worth depends
 * on change and by the daily refresh job; `portfolio.netWorthHistory` charts them. Totals are in the
 * base currency the user had that day; the category breakdown is kept as decimal strings in jsonb.
 *
 * Shipped: never edit this file; add a new migration instead.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('net_worth_snapshots', (t) => {
    t.uuid('id', { primaryKey: true }).defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id')
      .notNullable()
      .references('id')
      .inTable('users')
      .onDelete('CASCADE')
      .withKeyName('net_worth_snapshots_user_fk');
    t.date('date').notNullable();
    t.string('base_currency', 3).notNullable();
    t.decimal('total_assets', 24, 8).notNullable();
    t.decimal('total_liabilities', 24, 8).notNullable();
    t.decimal('net_worth', 24, 8).notNullable();
    // False when some item could not be converted (a missing FX rate): the totals leave it out.
    t.boolean('complete').notNullable();
    t.jsonb('by_category').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // One per user per day; the index serves the history's range reads.
    t.unique(['user_id', 'date'], { indexName: 'net_worth_snapshots_user_date_uq' });
    t.check(`base_currency ~ '^[A-Z]{3}$'`, [], 'net_worth_snapshots_base_currency_iso');
    t.check('total_assets >= 0 AND total_liabilities >= 0', [], 'net_worth_snapshots_totals_nonneg');
    t.check(`jsonb_typeof(by_category) = 'object'`, [], 'net_worth_snapshots_by_category_object');
  });
  await knex.raw(
    'CREATE TRIGGER net_worth_snapshots_set_updated_at BEFORE UPDATE ON net_worth_snapshots FOR EACH ROW EXECUTE FUNCTION fo_set_updated_at()',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('net_worth_snapshots');
}
