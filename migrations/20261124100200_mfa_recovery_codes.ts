/**
 * MFA recovery codes: ten per user, shown once, stored as SHA-256 (each code carries 80 random
 * bits, so a fast hash suffices), single use (`used_at`).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mfa_recovery_codes', (t) => {
    t.uuid('id', { primaryKey: true }).defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id')
      .notNullable()
      .references('id')
      .inTable('users')
      .onDelete('CASCADE')
      .withKeyName('mfa_recovery_codes_user_fk');
    t.binary('code_hash').notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['user_id', 'code_hash'], { indexName: 'mfa_recovery_codes_user_code_uq' });
    t.check('octet_length(code_hash) = 32', [], 'mfa_recovery_codes_code_hash_length');
  });
  await knex.raw(
    'CREATE TRIGGER mfa_recovery_codes_set_updated_at BEFORE UPDATE ON mfa_recovery_codes FOR EACH ROW EXECUTE FUNCTION fo_set_updated_at()',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('mfa_recovery_codes');
}
