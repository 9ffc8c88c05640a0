/**
 * Market data shared by every user: daily closing prices per symbol and daily FX rates per currency
 * pair. Holdings are valued with the latest price on or before a day, and every total converts with
 * the latest rate on or before its day, so both tables are keyed for "latest on or before" lookups
 * (a backward index scan) and for date-range reads (the analytics' daily series). The keys INCLUDE
 * the value columns so those reads are index-only.
 *
 * An FX row (date, base, quote, rate) means 1 base = rate quote on that day.
 *
 * Shipped: never edit this file; add a new migration instead.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE prices (
      symbol text NOT NULL,
      date date NOT NULL,
      close numeric(24, 8) NOT NULL,
      currency varchar(3) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT prices_pk PRIMARY KEY (symbol, date) INCLUDE (close, currency),
      CONSTRAINT prices_symbol_normalized CHECK (symbol = upper(btrim(symbol)) AND length(symbol) BETWEEN 1 AND 32),
      CONSTRAINT prices_close_nonneg CHECK (close >= 0),
      CONSTRAINT prices_currency_iso CHECK (currency ~ '^[A-Z]{3}$')
    )`);
  await knex.raw(`
    CREATE TABLE fx (
      base varchar(3) NOT NULL,
      quote varchar(3) NOT NULL,
      date date NOT NULL,
      rate numeric(28, 12) NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT fx_pk PRIMARY KEY (base, quote, date) INCLUDE (rate),
      CONSTRAINT fx_base_iso CHECK (base ~ '^[A-Z]{3}$'),
      CONSTRAINT fx_quote_iso CHECK (quote ~ '^[A-Z]{3}$'),
      CONSTRAINT fx_pair_distinct CHECK (base <> quote),
      CONSTRAINT fx_rate_pos CHECK (rate > 0)
    )`);
  for (const table of ['prices', 'fx']) {
    await knex.raw(
      `CREATE TRIGGER ${table}_set_updated_at BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION fo_set_updated_at()`,
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('fx');
  await knex.schema.dropTableIfExists('prices');
}
