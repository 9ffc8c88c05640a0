/**
 * Per-user analytics settings: the benchmark the portfolio is compared with, the risk-free rate
 * (an annual rate, or a price series such as a T-bill index whose daily returns are used), and how
 * many days a price may be carried forward before a gap is reported instead of bridged. A null
 * column means "the server's default" (ANALYTICS_* in env.ts), so changing a default reaches every
 * user who has not chosen otherwise. One row per user, created on first change.
 *
 * Shipped: never edit this file; add a new migration instead.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('analytics_settings', (t) => {
    t.uuid('user_id')
      .primary({ constraintName: 'analytics_settings_pk' })
      .references('id')
      .inTable('users')
      .onDelete('CASCADE')
      .withKeyName('analytics_settings_user_fk');
    t.text('benchmark_symbol');
    t.decimal('risk_free_rate', 12, 8);
    t.text('risk_free_symbol');
    t.integer('max_price_gap_days');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check(
      'benchmark_symbol IS NULL OR (benchmark_symbol = upper(btrim(benchmark_symbol)) AND length(benchmark_symbol) BETWEEN 1 AND 32)',
      [],
      'analytics_settings_benchmark_symbol_normalized',
    );
    t.check(
      'risk_free_symbol IS NULL OR (risk_free_symbol = upper(btrim(risk_free_symbol)) AND length(risk_free_symbol) BETWEEN 1 AND 32)',
      [],
      'analytics_settings_risk_free_symbol_normalized',
    );
    t.check(
      'risk_free_rate IS NULL OR (risk_free_rate > -1 AND risk_free_rate < 1)',
      [],
      'analytics_settings_risk_free_rate_range',
    );
    t.check(
      'max_price_gap_days IS NULL OR max_price_gap_days BETWEEN 1 AND 60',
      [],
      'analytics_settings_max_price_gap_days_range',
    );
  });
  await knex.raw(
    'CREATE TRIGGER analytics_settings_set_updated_at BEFORE UPDATE ON analytics_settings FOR EACH ROW EXECUTE FUNCTION fo_set_updated_at()',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('analytics_settings');
}
