/**
 * Target allocation per user: the weight of each asset class the `rebalance` agent steers the
 * investment portfolio towards, and the band (absolute drift, in weight) tolerated before it
 * proposes trades. A user without rows gets the default model portfolio of their risk tolerance
 * (computed, not stored), so a change of tolerance reaches them until they choose their own.
 *
 * A user's set is replaced as a whole (portfolio.targetAllocation.set) and its weights sum to
 * exactly 1: the procedure checks it, and a deferred constraint trigger checks it again at commit,
 * whatever wrote the rows.
 *
 * Shipped: never edit this file; add a new migration instead.
 */
import type { Knex } from 'knex';

// A copy, not an import: a migration must not change when @fo/schema does (test/migrate/enums
// compares the live constraint with ASSET_CLASSES).
const ASSET_CLASSES = ['stock', 'bond', 'etf', 'mutual_fund', 'option', 'crypto', 'cash', 'other'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('target_allocations', (t) => {
    t.uuid('id', { primaryKey: true }).defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id')
      .notNullable()
      .references('id')
      .inTable('users')
      .onDelete('CASCADE')
      .withKeyName('target_allocations_user_fk');
    t.text('asset_class').notNullable().checkIn(ASSET_CLASSES, 'target_allocations_asset_class_check');
    // Fractions of the rebalanced portfolio: 0.6 is 60 %.
    t.decimal('weight', 9, 8).notNullable();
    // Absolute drift tolerated: 0.05 lets a 60 % target run from 55 % to 65 %.
    t.decimal('band', 9, 8).notNullable().defaultTo(0.05);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['user_id', 'asset_class'], { indexName: 'target_allocations_user_class_uq' });
    t.check('weight >= 0 AND weight <= 1', [], 'target_allocations_weight_range');
    t.check('band >= 0 AND band <= 1', [], 'target_allocations_band_range');
  });
  await knex.raw(
    'CREATE TRIGGER target_allocations_set_updated_at BEFORE UPDATE ON target_allocations FOR EACH ROW EXECUTE FUNCTION fo_set_updated_at()',
  );
  await knex.raw(`
    CREATE FUNCTION fo_target_allocations_sum_check() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      uid uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END;
      total numeric;
    BEGIN
      SELECT sum(weight) INTO total FROM target_allocations WHERE user_id = uid;
      IF total IS NOT NULL AND total <> 1 THEN
        RAISE EXCEPTION 'target allocation weights of user % sum to %, not 1', uid, total
          USING ERRCODE = 'check_violation', CONSTRAINT = 'target_allocations_weights_sum';
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE CONSTRAINT TRIGGER target_allocations_weights_sum
      AFTER INSERT OR UPDATE OR DELETE ON target_allocations
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION fo_target_allocations_sum_check()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('target_allocations');
  await knex.raw('DROP FUNCTION IF EXISTS fo_target_allocations_sum_check()');
}
