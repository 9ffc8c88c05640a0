/**
 * Sessions (Lucia's design, lucia-auth.com "Sessions"): the token a client holds is
 * `<id>.<secret>`; this table keeps the public id and only the SHA-256 of the secret, so a leaked
 * copy of the table lets nobody sign in. Two expiries: `expires_at` slides forward with use (idle
 * timeout) and never passes `absolute_expires_at` (fixed at sign-in). `mfa_pending` marks the
 * password-only session that may only call auth.verifyMfa.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sessions', (t) => {
    t.text('id').primary({ constraintName: 'sessions_pkey' });
    t.uuid('user_id')
      .notNullable()
      .references('id')
      .inTable('users')
      .onDelete('CASCADE')
      .withKeyName('sessions_user_fk');
    t.binary('secret_hash').notNullable();
    t.boolean('mfa_pending').notNullable().defaultTo(false);
    t.text('ip');
    t.text('user_agent');
    t.timestamp('last_used_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('absolute_expires_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check(`id ~ '^[a-z2-7]{24}$'`, [], 'sessions_id_format');
    t.check('octet_length(secret_hash) = 32', [], 'sessions_secret_hash_length');
    t.check('expires_at <= absolute_expires_at', [], 'sessions_expiry_order');
    t.check('ip IS NULL OR length(ip) <= 64', [], 'sessions_ip_length');
    t.check('user_agent IS NULL OR length(user_agent) <= 512', [], 'sessions_user_agent_length');
  });
  // auth.sessions lists a user's sessions; logoutAll and password changes delete them.
  await knex.raw('CREATE INDEX sessions_user_created_idx ON sessions (user_id, created_at, id)');
  // Purging expired sessions (expires_at never passes absolute_expires_at).
  await knex.raw('CREATE INDEX sessions_expires_idx ON sessions (expires_at)');
  await knex.raw(
    'CREATE TRIGGER sessions_set_updated_at BEFORE UPDATE ON sessions FOR EACH ROW EXECUTE FUNCTION fo_set_updated_at()',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sessions');
}
