/**
 * API tokens for scripts: `fo_pat_<lookup>_<secret>`. Only the SHA-256 of the secret is stored;
 * `lookup` finds the row. Scopes from a fixed list (copied here: a migration must not change when
 * the application's enum does), a mandatory expiry, and `last_used_at` for the owner's review.
 * Revoking deletes the row; the audit log keeps the record.
 */
import type { Knex } from 'knex';

const SCOPES = ['read', 'write', 'tasks'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_tokens', (t) => {
    t.uuid('id', { primaryKey: true }).defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id')
      .notNullable()
      .references('id')
      .inTable('users')
      .onDelete('CASCADE')
      .withKeyName('api_tokens_user_fk');
    t.text('name').notNullable();
    t.text('lookup').notNullable();
    t.binary('secret_hash').notNullable();
    t.specificType('scopes', 'text[]').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('last_used_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['lookup'], { indexName: 'api_tokens_lookup_uq' });
    t.unique(['user_id', 'name'], { indexName: 'api_tokens_user_name_uq' });
    t.check(`lookup ~ '^[a-z2-7]{16}$'`, [], 'api_tokens_lookup_format');
    t.check('octet_length(secret_hash) = 32', [], 'api_tokens_secret_hash_length');
    t.check('length(btrim(name)) BETWEEN 1 AND 100', [], 'api_tokens_name_length');
    t.check(
      `cardinality(scopes) >= 1 AND scopes <@ ARRAY[${SCOPES.map((s) => `'${s}'`).join(', ')}]::text[]`,
      [],
      'api_tokens_scopes_check',
    );
  });
  await knex.raw('CREATE INDEX api_tokens_user_created_idx ON api_tokens (user_id, created_at, id)');
  await knex.raw(
    'CREATE TRIGGER api_tokens_set_updated_at BEFORE UPDATE ON api_tokens FOR EACH ROW EXECUTE FUNCTION fo_set_updated_at()',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('api_tokens');
}
