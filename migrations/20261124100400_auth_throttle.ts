/**
 * Sign-in and MFA throttling kept in PostgreSQL, so the limits hold across API server instances.
 * One row per throttled key (`login:account:<sha256 of email>`, `login:address:<ip>`,
 * `mfa:account:<user id>`, ...): failures in the current window and, once over the limit, the
 * time before which attempts are refused.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('auth_throttle', (t) => {
    t.text('key').primary({ constraintName: 'auth_throttle_pkey' });
    t.integer('failures').notNullable().defaultTo(0);
    t.timestamp('window_started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_failure_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('locked_until', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('failures >= 0', [], 'auth_throttle_failures_nonneg');
    t.check('length(key) BETWEEN 1 AND 200', [], 'auth_throttle_key_length');
  });
  // Purging keys whose window has passed.
  await knex.raw('CREATE INDEX auth_throttle_last_failure_idx ON auth_throttle (last_failure_at)');
  await knex.raw(
    'CREATE TRIGGER auth_throttle_set_updated_at BEFORE UPDATE ON auth_throttle FOR EACH ROW EXECUTE FUNCTION fo_set_updated_at()',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('auth_throttle');
}
