/**
 * Security audit log: sign-ups, sign-ins (and failures), MFA changes, recovery codes used, API
 * tokens created/revoked, password/email changes, sessions revoked — with time, actor, address and
 * user agent. `user_id` is null for events about no known account (a failed sign-in with an
 * unknown email). Event names are copied here on purpose (a migration must not change later).
 */
import type { Knex } from 'knex';

const AUDIT_EVENT_TYPES = [
  'signup',
  'signup_existing_email',
  'login_succeeded',
  'login_failed',
  'login_throttled',
  'mfa_challenge_passed',
  'mfa_challenge_failed',
  'mfa_enrollment_started',
  'mfa_enabled',
  'mfa_disabled',
  'recovery_code_used',
  'recovery_codes_regenerated',
  'api_token_created',
  'api_token_revoked',
  'password_changed',
  'password_rehashed',
  'email_changed',
  'profile_updated',
  'session_revoked',
  'logout',
  'logout_all',
];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_events', (t) => {
    t.uuid('id', { primaryKey: true }).defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id')
      .references('id')
      .inTable('users')
      .onDelete('CASCADE')
      .withKeyName('audit_events_user_fk');
    t.text('event').notNullable().checkIn(AUDIT_EVENT_TYPES, 'audit_events_event_check');
    // How the actor was authenticated, when it was: a session id or an API token id. No FKs: the
    // record outlives the session or token.
    t.text('session_id');
    t.uuid('api_token_id');
    t.text('ip');
    t.text('user_agent');
    t.jsonb('details').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('ip IS NULL OR length(ip) <= 64', [], 'audit_events_ip_length');
    t.check('user_agent IS NULL OR length(user_agent) <= 512', [], 'audit_events_user_agent_length');
  });
  // auth.auditLog: a user's events, newest first, keyset-paginated.
  await knex.raw(
    'CREATE INDEX audit_events_user_created_idx ON audit_events (user_id, created_at DESC, id DESC)',
  );
  await knex.raw(
    'CREATE TRIGGER audit_events_set_updated_at BEFORE UPDATE ON audit_events FOR EACH ROW EXECUTE FUNCTION fo_set_updated_at()',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_events');
}
