/**
 * `price_latest`: the newest close of every symbol, kept by triggers on `prices` (whatever writes
 * them: the API, imports, SQL). Valuing a portfolio today then joins one row per symbol instead of
 * probing each symbol's price history; days in the past (or a symbol whose newest row is after the
 * day asked for) still use the history. Insert, update and delete recompute the touched symbols;
 * truncate empties it.
 *
 * Shipped: never edit this file; add a new migration instead.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE price_latest (
      symbol text NOT NULL,
      date date NOT NULL,
      close numeric(24, 8) NOT NULL,
      currency varchar(3) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT price_latest_pk PRIMARY KEY (symbol) INCLUDE (date, close, currency)
    )`);
  await knex.raw(`
    CREATE FUNCTION fo_refresh_price_latest(symbols text[]) RETURNS void LANGUAGE sql AS $$
      DELETE FROM price_latest WHERE symbol = ANY (symbols);
      INSERT INTO price_latest (symbol, date, close, currency)
      SELECT s.symbol, p.date, p.close, p.currency
        FROM (SELECT DISTINCT unnest(symbols) AS symbol) s
        CROSS JOIN LATERAL (
          SELECT prices.date, prices.close, prices.currency FROM prices
           WHERE prices.symbol = s.symbol ORDER BY prices.date DESC LIMIT 1
        ) p;
    $$`);
  await knex.raw(`
    CREATE FUNCTION fo_prices_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM fo_refresh_price_latest(ARRAY(SELECT DISTINCT symbol FROM new_rows));
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE FUNCTION fo_prices_updated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM fo_refresh_price_latest(ARRAY(SELECT symbol FROM new_rows UNION SELECT symbol FROM old_rows));
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE FUNCTION fo_prices_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM fo_refresh_price_latest(ARRAY(SELECT DISTINCT symbol FROM old_rows));
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE FUNCTION fo_prices_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM price_latest;
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER prices_latest_insert AFTER INSERT ON prices
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION fo_prices_inserted()`);
  await knex.raw(`CREATE TRIGGER prices_latest_update AFTER UPDATE ON prices
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION fo_prices_updated()`);
  await knex.raw(`CREATE TRIGGER prices_latest_delete AFTER DELETE ON prices
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION fo_prices_deleted()`);
  await knex.raw(`CREATE TRIGGER prices_latest_truncate AFTER TRUNCATE ON prices
    FOR EACH STATEMENT EXECUTE FUNCTION fo_prices_truncated()`);
  await knex.raw(
    'CREATE TRIGGER price_latest_set_updated_at BEFORE UPDATE ON price_latest FOR EACH ROW EXECUTE FUNCTION fo_set_updated_at()',
  );
  // Prices stored before this migration.
  await knex.raw(`
    INSERT INTO price_latest (symbol, date, close, currency)
    SELECT DISTINCT ON (symbol) symbol, date, close, currency FROM prices ORDER BY symbol, date DESC`);
}

export async function down(knex: Knex): Promise<void> {
  for (const trigger of ['insert', 'update', 'delete', 'truncate']) {
    await knex.raw(`DROP TRIGGER IF EXISTS prices_latest_${trigger} ON prices`);
  }
  await knex.raw('DROP TABLE IF EXISTS price_latest');
  for (const fn of ['fo_prices_inserted', 'fo_prices_updated', 'fo_prices_deleted', 'fo_prices_truncated']) {
    await knex.raw(`DROP FUNCTION IF EXISTS ${fn}()`);
  }
  await knex.raw('DROP FUNCTION IF EXISTS fo_refresh_price_latest(text[])');
}
