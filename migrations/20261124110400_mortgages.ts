/**
 * Mortgages: zero or more per property (a first mortgage and a HELOC, say), replacing the single
 * set of inline `mortgage_*` columns the core schema copied from the old app. Each has a lender,
 * original principal, annual nominal rate (a fraction), term in months, start date, payment
 * frequency and a recurring extra principal amount; one-off prepayments are
 * `mortgage_extra_payments`; actual balances from statements are `mortgage_balances`, which the
 * amortization schedule continues from. The payment is computed (annuity formula), not stored.
 *
 * Existing inline mortgages move into the new table; an incomplete one (principal without rate,
 * term or start date) stops the migration naming the property, rather than being dropped.
 *
 * Shipped: never edit this file; add a new migration instead.
 */
import type { Knex } from 'knex';

const PAYMENT_FREQUENCIES = ['weekly', 'biweekly', 'monthly', 'quarterly', 'semiannually', 'annually'];
const MORTGAGE_BALANCE_SOURCES = ['statement', 'manual'];
const MONEY = [24, 8] as const;

function timestamps(knex: Knex, t: Knex.CreateTableBuilder): void {
  t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
}

function childOfMortgage(knex: Knex, t: Knex.CreateTableBuilder, table: string): void {
  t.uuid('id', { primaryKey: true }).defaultTo(knex.raw('gen_random_uuid()'));
  t.uuid('mortgage_id').notNullable();
  t.uuid('user_id').notNullable();
  t.foreign(['mortgage_id', 'user_id'], `${table}_mortgage_fk`)
    .references(['id', 'user_id'])
    .inTable('mortgages')
    .onDelete('CASCADE');
}

const TABLES = ['mortgages', 'mortgage_extra_payments', 'mortgage_balances'];
const INLINE_COLUMNS = [
  'mortgage_lender',
  'mortgage_original_principal',
  'mortgage_rate',
  'mortgage_term_months',
  'mortgage_start_date',
  'mortgage_payment',
  'mortgage_balance',
];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mortgages', (t) => {
    t.uuid('id', { primaryKey: true }).defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('property_id').notNullable();
    t.uuid('user_id').notNullable();
    t.text('lender');
    t.decimal('original_principal', ...MONEY).notNullable();
    t.decimal('annual_rate', 12, 8).notNullable();
    t.integer('term_months').notNullable();
    t.date('start_date').notNullable();
    t.text('payment_frequency')
      .notNullable()
      .defaultTo('monthly')
      .checkIn(PAYMENT_FREQUENCIES, 'mortgages_payment_frequency_check');
    t.decimal('extra_principal_per_payment', ...MONEY)
      .notNullable()
      .defaultTo(0);
    timestamps(knex, t);
    t.foreign(['property_id', 'user_id'], 'mortgages_property_fk')
      .references(['id', 'user_id'])
      .inTable('real_estate')
      .onDelete('CASCADE');
    t.unique(['id', 'user_id'], { indexName: 'mortgages_id_user_uq' });
    t.index(['property_id'], 'mortgages_property_idx');
    t.index(['user_id'], 'mortgages_user_idx');
    t.check('original_principal > 0', [], 'mortgages_original_principal_pos');
    t.check('annual_rate >= 0 AND annual_rate < 1', [], 'mortgages_annual_rate_range');
    t.check('term_months BETWEEN 1 AND 600', [], 'mortgages_term_months_range');
    t.check('extra_principal_per_payment >= 0', [], 'mortgages_extra_principal_nonneg');
    t.check('lender IS NULL OR length(btrim(lender)) BETWEEN 1 AND 200', [], 'mortgages_lender_length');
  });

  await knex.schema.createTable('mortgage_extra_payments', (t) => {
    childOfMortgage(knex, t, 'mortgage_extra_payments');
    t.date('date').notNullable();
    t.decimal('amount', ...MONEY).notNullable();
    timestamps(knex, t);
    t.check('amount > 0', [], 'mortgage_extra_payments_amount_pos');
    t.index(['mortgage_id', 'date'], 'mortgage_extra_payments_mortgage_date_idx');
  });

  await knex.schema.createTable('mortgage_balances', (t) => {
    childOfMortgage(knex, t, 'mortgage_balances');
    t.date('date').notNullable();
    t.decimal('balance', ...MONEY).notNullable();
    t.text('source')
      .notNullable()
      .defaultTo('statement')
      .checkIn(MORTGAGE_BALANCE_SOURCES, 'mortgage_balances_source_check');
    timestamps(knex, t);
    t.check('balance >= 0', [], 'mortgage_balances_balance_nonneg');
    t.unique(['mortgage_id', 'date'], { indexName: 'mortgage_balances_mortgage_date_uq' });
  });

  for (const table of TABLES) {
    await knex.raw(
      `CREATE TRIGGER ${table}_set_updated_at BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION fo_set_updated_at()`,
    );
  }

  const incomplete = await knex('real_estate')
    .whereNotNull('mortgage_original_principal')
    .where((q) =>
      q.whereNull('mortgage_rate').orWhereNull('mortgage_term_months').orWhereNull('mortgage_start_date'),
    )
    .pluck('id');
  if (incomplete.length) {
    throw new Error(
      `Properties ${incomplete.join(', ')} have a mortgage principal without rate, term or start date; complete or clear those columns, then migrate again`,
    );
  }
  await knex.raw(`
    INSERT INTO mortgages (property_id, user_id, lender, original_principal, annual_rate, term_months, start_date)
    SELECT id, user_id, mortgage_lender, mortgage_original_principal, mortgage_rate, mortgage_term_months, mortgage_start_date
      FROM real_estate WHERE mortgage_original_principal IS NOT NULL`);
  await knex.raw(`
    INSERT INTO mortgage_balances (mortgage_id, user_id, date, balance, source)
    SELECT m.id, m.user_id, LEAST(re.updated_at::date, CURRENT_DATE), re.mortgage_balance, 'manual'
      FROM mortgages m JOIN real_estate re ON re.id = m.property_id
     WHERE re.mortgage_balance IS NOT NULL`);

  await knex.schema.alterTable('real_estate', (t) => {
    t.dropChecks([
      'real_estate_mortgage_principal_pos',
      'real_estate_mortgage_rate_range',
      'real_estate_mortgage_term_pos',
      'real_estate_mortgage_balance_nonneg',
    ]);
    for (const column of INLINE_COLUMNS) t.dropColumn(column);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('real_estate', (t) => {
    t.text('mortgage_lender');
    t.decimal('mortgage_original_principal', ...MONEY);
    t.decimal('mortgage_rate', 12, 8);
    t.integer('mortgage_term_months');
    t.date('mortgage_start_date');
    t.decimal('mortgage_payment', ...MONEY);
    t.decimal('mortgage_balance', ...MONEY);
  });
  // The inline columns hold one mortgage: the property's first.
  await knex.raw(`
    UPDATE real_estate re SET
      mortgage_lender = m.lender,
      mortgage_original_principal = m.original_principal,
      mortgage_rate = m.annual_rate,
      mortgage_term_months = m.term_months,
      mortgage_start_date = m.start_date,
      mortgage_payment = CASE WHEN m.annual_rate = 0 THEN round(m.original_principal / m.term_months, 2)
        ELSE round(m.original_principal * (m.annual_rate / 12) / (1 - power(1 + m.annual_rate / 12, -m.term_months)), 2) END,
      mortgage_balance = (SELECT b.balance FROM mortgage_balances b WHERE b.mortgage_id = m.id ORDER BY b.date DESC LIMIT 1)
    FROM (SELECT DISTINCT ON (property_id) * FROM mortgages ORDER BY property_id, created_at, id) m
    WHERE m.property_id = re.id`);
  await knex.raw(`
    ALTER TABLE real_estate
      ADD CONSTRAINT real_estate_mortgage_principal_pos CHECK (mortgage_original_principal IS NULL OR mortgage_original_principal > 0),
      ADD CONSTRAINT real_estate_mortgage_rate_range CHECK (mortgage_rate IS NULL OR (mortgage_rate >= 0 AND mortgage_rate < 1)),
      ADD CONSTRAINT real_estate_mortgage_term_pos CHECK (mortgage_term_months IS NULL OR mortgage_term_months > 0),
      ADD CONSTRAINT real_estate_mortgage_balance_nonneg CHECK (mortgage_balance IS NULL OR mortgage_balance >= 0)`);
  for (const table of [...TABLES].reverse()) await knex.schema.dropTableIfExists(table);
}
