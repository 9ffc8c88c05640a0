/**
 * Real estate in detail: units, year built, ownership share (partly owned property), vacancy
 * allowance and closing costs on the property; a valuation history (`real_estate_valuations`) whose
 * latest entry is the current value; a rent roll (`real_estate_rents`, one row per unit) and
 * recurring expenses by category (`real_estate_expenses`), which replace the old single
 * `monthly_rental_income` and `monthly_expenses` columns (their values move into the new tables).
 *
 * `current_value`/`valuation_date` stay on the property as the cached latest valuation.
 * Fractions (ownership share, vacancy rate) are stored as fractions: 0.5 is 50 %.
 *
 * Shipped: never edit this file; add a new migration instead.
 */
import type { Knex } from 'knex';

const VALUATION_SOURCES = ['purchase', 'appraisal', 'estimate', 'manual'];
const EXPENSE_CATEGORIES = [
  'property_tax',
  'insurance',
  'hoa',
  'maintenance',
  'management',
  'utilities',
  'other',
];
const EXPENSE_FREQUENCIES = ['monthly', 'quarterly', 'annually'];
const MONEY = [24, 8] as const;

function childOfProperty(knex: Knex, t: Knex.CreateTableBuilder, table: string): void {
  t.uuid('id', { primaryKey: true }).defaultTo(knex.raw('gen_random_uuid()'));
  t.uuid('property_id').notNullable();
  t.uuid('user_id').notNullable();
  t.foreign(['property_id', 'user_id'], `${table}_property_fk`)
    .references(['id', 'user_id'])
    .inTable('real_estate')
    .onDelete('CASCADE');
}

function timestamps(knex: Knex, t: Knex.CreateTableBuilder): void {
  t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
}

const NEW_TABLES = ['real_estate_valuations', 'real_estate_rents', 'real_estate_expenses'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('real_estate', (t) => {
    t.integer('units');
    t.integer('year_built');
    t.decimal('ownership_share', 9, 8).notNullable().defaultTo(1);
    t.decimal('vacancy_rate', 9, 8).notNullable().defaultTo(0);
    t.decimal('closing_costs', ...MONEY)
      .notNullable()
      .defaultTo(0);
    t.check('units IS NULL OR units > 0', [], 'real_estate_units_pos');
    t.check('year_built IS NULL OR year_built BETWEEN 1000 AND 2200', [], 'real_estate_year_built_range');
    t.check('ownership_share > 0 AND ownership_share <= 1', [], 'real_estate_ownership_share_range');
    t.check('vacancy_rate >= 0 AND vacancy_rate < 1', [], 'real_estate_vacancy_rate_range');
    t.check('closing_costs >= 0', [], 'real_estate_closing_costs_nonneg');
    // Child tables carry user_id with a composite FK that guarantees it matches the property's.
    t.unique(['id', 'user_id'], { indexName: 'real_estate_id_user_uq' });
  });

  await knex.schema.createTable('real_estate_valuations', (t) => {
    childOfProperty(knex, t, 'real_estate_valuations');
    t.date('date').notNullable();
    t.decimal('value', ...MONEY).notNullable();
    t.text('source').notNullable().checkIn(VALUATION_SOURCES, 'real_estate_valuations_source_check');
    t.text('note');
    timestamps(knex, t);
    t.check('value >= 0', [], 'real_estate_valuations_value_nonneg');
    // One valuation per property per day (recording the day again replaces it); the index also
    // serves "latest valuation on or before a day".
    t.unique(['property_id', 'date'], { indexName: 'real_estate_valuations_property_date_uq' });
  });

  await knex.schema.createTable('real_estate_rents', (t) => {
    childOfProperty(knex, t, 'real_estate_rents');
    t.text('unit').notNullable();
    t.text('tenant');
    t.decimal('monthly_rent', ...MONEY).notNullable();
    t.date('lease_start');
    t.date('lease_end');
    timestamps(knex, t);
    t.check('monthly_rent >= 0', [], 'real_estate_rents_monthly_rent_nonneg');
    t.check('length(btrim(unit)) BETWEEN 1 AND 100', [], 'real_estate_rents_unit_length');
    t.check(
      'lease_end IS NULL OR lease_start IS NULL OR lease_end >= lease_start',
      [],
      'real_estate_rents_lease_order',
    );
    t.index(['property_id'], 'real_estate_rents_property_idx');
  });

  await knex.schema.createTable('real_estate_expenses', (t) => {
    childOfProperty(knex, t, 'real_estate_expenses');
    t.text('category').notNullable().checkIn(EXPENSE_CATEGORIES, 'real_estate_expenses_category_check');
    t.decimal('amount', ...MONEY).notNullable();
    t.text('frequency')
      .notNullable()
      .defaultTo('monthly')
      .checkIn(EXPENSE_FREQUENCIES, 'real_estate_expenses_frequency_check');
    t.text('description');
    timestamps(knex, t);
    t.check('amount >= 0', [], 'real_estate_expenses_amount_nonneg');
    t.index(['property_id'], 'real_estate_expenses_property_idx');
  });

  for (const table of NEW_TABLES) {
    await knex.raw(
      `CREATE TRIGGER ${table}_set_updated_at BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION fo_set_updated_at()`,
    );
  }

  // Existing data moves into the new tables.
  await knex.raw(`
    INSERT INTO real_estate_valuations (property_id, user_id, date, value, source)
    SELECT id, user_id, purchase_date, purchase_price, 'purchase' FROM real_estate
     WHERE purchase_price IS NOT NULL AND purchase_date IS NOT NULL AND purchase_date <= CURRENT_DATE`);
  await knex.raw(`
    INSERT INTO real_estate_valuations (property_id, user_id, date, value, source)
    SELECT id, user_id, LEAST(COALESCE(valuation_date, CURRENT_DATE), CURRENT_DATE), current_value, 'manual'
      FROM real_estate WHERE current_value IS NOT NULL
    ON CONFLICT (property_id, date) DO UPDATE SET value = EXCLUDED.value, source = EXCLUDED.source`);
  await knex.raw(`
    INSERT INTO real_estate_rents (property_id, user_id, unit, monthly_rent)
    SELECT id, user_id, 'Whole property', monthly_rental_income FROM real_estate WHERE monthly_rental_income > 0`);
  await knex.raw(`
    INSERT INTO real_estate_expenses (property_id, user_id, category, amount, frequency, description)
    SELECT id, user_id, 'other', monthly_expenses, 'monthly', 'Monthly expenses (before the expense categories)'
      FROM real_estate WHERE monthly_expenses > 0`);
  await knex.schema.alterTable('real_estate', (t) => {
    t.dropChecks(['real_estate_income_expenses_nonneg']);
    t.dropColumn('monthly_rental_income');
    t.dropColumn('monthly_expenses');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('real_estate', (t) => {
    t.decimal('monthly_rental_income', ...MONEY)
      .notNullable()
      .defaultTo(0);
    t.decimal('monthly_expenses', ...MONEY)
      .notNullable()
      .defaultTo(0);
  });
  await knex.raw(`
    UPDATE real_estate re SET
      monthly_rental_income = COALESCE((SELECT sum(monthly_rent) FROM real_estate_rents r WHERE r.property_id = re.id), 0),
      monthly_expenses = COALESCE((
        SELECT round(sum(CASE frequency WHEN 'monthly' THEN amount WHEN 'quarterly' THEN amount / 3 ELSE amount / 12 END), 8)
          FROM real_estate_expenses e WHERE e.property_id = re.id), 0)`);
  await knex.raw(`
    ALTER TABLE real_estate ADD CONSTRAINT real_estate_income_expenses_nonneg
      CHECK (monthly_rental_income >= 0 AND monthly_expenses >= 0)`);
  for (const table of [...NEW_TABLES].reverse()) await knex.schema.dropTableIfExists(table);
  await knex.schema.alterTable('real_estate', (t) => {
    t.dropUnique(['id', 'user_id'], 'real_estate_id_user_uq');
    t.dropChecks([
      'real_estate_units_pos',
      'real_estate_year_built_range',
      'real_estate_ownership_share_range',
      'real_estate_vacancy_rate_range',
      'real_estate_closing_costs_nonneg',
    ]);
    t.dropColumn('closing_costs');
    t.dropColumn('vacancy_rate');
    t.dropColumn('ownership_share');
    t.dropColumn('year_built');
    t.dropColumn('units');
  });
}
