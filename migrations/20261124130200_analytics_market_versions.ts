/**
 * Extends the analytics data versions (previous migration) to the tables added since: market data
 * (prices, FX — shared by every user) bumps the global market version; real-estate valuations and
 * mortgages (read for the net-worth series) bump their owner's version. Same mechanism: statement
 * triggers note the change, the deferred trigger applies it at commit.
 *
 * Shipped: never edit this file; add a new migration instead.
 */
import type { Knex } from 'knex';

const MARKET_TABLES = ['prices', 'fx'];
const USER_TABLES = ['real_estate_valuations', 'mortgages', 'mortgage_extra_payments', 'mortgage_balances'];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION fo_analytics_note_market() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO analytics_version_pending (xid, scope) VALUES (pg_current_xact_id(), 'market')
      ON CONFLICT DO NOTHING;
      RETURN NULL;
    END $$`);
  for (const table of MARKET_TABLES) {
    await knex.raw(`
      CREATE TRIGGER ${table}_analytics_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION fo_analytics_note_market()`);
  }
  for (const table of USER_TABLES) {
    await knex.raw(`
      CREATE TRIGGER ${table}_analytics_version_ins AFTER INSERT ON ${table}
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION fo_analytics_note_users()`);
    await knex.raw(`
      CREATE TRIGGER ${table}_analytics_version_upd AFTER UPDATE ON ${table}
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION fo_analytics_note_users()`);
    await knex.raw(`
      CREATE TRIGGER ${table}_analytics_version_del AFTER DELETE ON ${table}
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION fo_analytics_note_users()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of USER_TABLES) {
    for (const op of ['ins', 'upd', 'del']) {
      await knex.raw(`DROP TRIGGER IF EXISTS ${table}_analytics_version_${op} ON ${table}`);
    }
  }
  for (const table of MARKET_TABLES) {
    await knex.raw(`DROP TRIGGER IF EXISTS ${table}_analytics_version ON ${table}`);
  }
  await knex.raw('DROP FUNCTION IF EXISTS fo_analytics_note_market()');
}
