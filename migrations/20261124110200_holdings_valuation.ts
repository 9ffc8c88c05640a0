/**
 * Holdings valuation. A holding is valued with the latest market price of its symbol (table
 * `prices`); for positions no feed prices (private funds, collectibles), the owner can enter a
 * price by hand: `manual_price` and the day it refers to. `current_price`, `current_value` and
 * `price_as_of` (core schema) are the last computed valuation, refreshed with each net-worth
 * refresh; reads compute values live.
 *
 * Also the index holdings.list pages a user's holdings by.
 *
 * Shipped: never edit this file; add a new migration instead.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('assets', (t) => {
    t.decimal('manual_price', 24, 8);
    t.date('manual_price_as_of');
    t.check('manual_price IS NULL OR manual_price >= 0', [], 'assets_manual_price_nonneg');
    t.check('(manual_price IS NULL) = (manual_price_as_of IS NULL)', [], 'assets_manual_price_dated');
  });
  await knex.raw('CREATE INDEX assets_user_created_idx ON assets (user_id, created_at, id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS assets_user_created_idx');
  await knex.schema.alterTable('assets', (t) => {
    t.dropChecks(['assets_manual_price_nonneg', 'assets_manual_price_dated']);
    t.dropColumn('manual_price_as_of');
    t.dropColumn('manual_price');
  });
}
