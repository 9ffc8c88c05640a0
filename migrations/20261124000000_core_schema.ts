/**
 * Core schema: the six tables of the platform's first incarnation (users, accounts, assets,
 * real_estate, transactions, agent_tasks), rebuilt for PostgreSQL with UUID keys, timestamptz
 * timestamps, numeric money, named CHECK constraints for enums and signs, explicit ON DELETE rules
 * and the indexes the API's queries use.
 *
 * Enum lists are copied here on purpose: a migration must mean the same thing forever, whatever
 * later happens to the application's enums. A test compares them with @fo/schema.
 *
 * Shipped: never edit this file; add a new migration instead.
 */
import type { Knex } from 'knex';

const ACCOUNT_TYPES = [
  'brokerage',
  'retirement',
  'checking',
  'savings',
  'credit_card',
  'loan',
  'mortgage',
  'crypto',
  'other',
];
const ACCOUNT_SUBTYPES = [
  '401k',
  '403b',
  '457b',
  'roth_401k',
  'ira',
  'roth_ira',
  'sep_ira',
  'simple_ira',
  'hsa',
  '529',
  'pension',
  'individual',
  'joint',
  'trust',
  'custodial',
  'money_market',
  'cd',
  'student',
  'auto',
  'personal',
  'heloc',
  'other',
];
const TRACKING_MODES = ['transactions', 'holdings'];
const COST_BASIS_METHODS = ['fifo', 'lifo', 'hifo', 'average', 'specific'];
const SYNC_STATUSES = ['idle', 'syncing', 'ok', 'error', 'requires_reauth'];
const ASSET_CLASSES = ['stock', 'bond', 'etf', 'mutual_fund', 'option', 'crypto', 'cash', 'other'];
const PROPERTY_TYPES = ['primary_residence', 'rental', 'vacation', 'commercial', 'land', 'other'];
const TRANSACTION_TYPES = [
  'buy',
  'sell',
  'dividend',
  'interest',
  'fee',
  'tax',
  'deposit',
  'withdrawal',
  'transfer_in',
  'transfer_out',
  'split',
];
const RISK_TOLERANCES = ['conservative', 'moderate', 'balanced', 'growth', 'aggressive'];
const TASK_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

// Precision: quantities to 10 decimal places (fractional shares, crypto), money and prices to 8.
const QTY = [28, 10] as const;
const MONEY = [24, 8] as const;
const RATE = [20, 10] as const;

function timestamps(knex: Knex, t: Knex.CreateTableBuilder): void {
  t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
}

function uuidPk(knex: Knex, t: Knex.CreateTableBuilder): void {
  t.uuid('id', { primaryKey: true }).defaultTo(knex.raw('gen_random_uuid()'));
}

function currency(t: Knex.CreateTableBuilder, table: string, column = 'currency'): void {
  t.string(column, 3).notNullable().defaultTo('USD');
  t.check(`?? ~ '^[A-Z]{3}$'`, [column], `${table}_${column}_iso`);
}

const TABLES = ['users', 'accounts', 'assets', 'real_estate', 'transactions', 'agent_tasks'];

export async function up(knex: Knex): Promise<void> {
  // gen_random_uuid() is built into PostgreSQL 13+; no extension needed.
  // updated_at is maintained by the database too, so raw SQL and bulk updates keep it right.
  await knex.raw(`
    CREATE OR REPLACE FUNCTION fo_set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := now();
      END IF;
      RETURN NEW;
    END $$`);

  await knex.schema.createTable('users', (t) => {
    uuidPk(knex, t);
    t.text('email').notNullable();
    t.text('password_hash').notNullable();
    t.text('name');
    t.text('risk_tolerance')
      .notNullable()
      .defaultTo('moderate')
      .checkIn(RISK_TOLERANCES, 'users_risk_tolerance_check');
    currency(t, 'users', 'base_currency');
    // Cached net worth in the base currency, refreshed when the records it depends on change.
    t.decimal('net_worth', ...MONEY);
    t.timestamp('net_worth_as_of', { useTz: true });
    t.boolean('mfa_enabled').notNullable().defaultTo(false);
    // TOTP secret, encrypted by the application; never returned by the API.
    t.text('mfa_secret');
    // Last accepted TOTP time step: a code is accepted once.
    t.bigInteger('mfa_last_used_step');
    t.timestamp('mfa_enabled_at', { useTz: true });
    timestamps(knex, t);
    t.check(`length(email) BETWEEN 3 AND 320 AND email = lower(btrim(email))`, [], 'users_email_normalized');
    t.check(`(NOT mfa_enabled) OR mfa_secret IS NOT NULL`, [], 'users_mfa_secret_present');
  });
  await knex.raw('CREATE UNIQUE INDEX users_email_lower_uq ON users (lower(email))');

  await knex.schema.createTable('accounts', (t) => {
    uuidPk(knex, t);
    t.uuid('user_id')
      .notNullable()
      .references('id')
      .inTable('users')
      .onDelete('CASCADE')
      .withKeyName('accounts_user_fk');
    t.text('name').notNullable();
    t.text('type').notNullable().checkIn(ACCOUNT_TYPES, 'accounts_type_check');
    t.text('subtype').checkIn(ACCOUNT_SUBTYPES, 'accounts_subtype_check');
    t.text('institution');
    currency(t, 'accounts');
    t.text('tracking_mode')
      .notNullable()
      .defaultTo('transactions')
      .checkIn(TRACKING_MODES, 'accounts_tracking_mode_check');
    t.text('cost_basis_method')
      .notNullable()
      .defaultTo('fifo')
      .checkIn(COST_BASIS_METHODS, 'accounts_cost_basis_method_check');
    // Cash held in the account, moved by each ledger transaction (or the latest recorded balance).
    t.decimal('cash_balance', ...MONEY)
      .notNullable()
      .defaultTo(0);
    t.text('plaid_item_id');
    t.text('plaid_account_id');
    t.text('sync_status')
      .notNullable()
      .defaultTo('idle')
      .checkIn(SYNC_STATUSES, 'accounts_sync_status_check');
    t.timestamp('last_synced_at', { useTz: true });
    t.text('sync_error');
    t.timestamp('closed_at', { useTz: true });
    timestamps(knex, t);
    t.check(`length(btrim(name)) BETWEEN 1 AND 200`, [], 'accounts_name_length');
    // Lets child tables carry user_id with a composite FK that guarantees it matches the account's.
    t.unique(['id', 'user_id'], { indexName: 'accounts_id_user_uq' });
  });
  await knex.raw('CREATE INDEX accounts_user_created_idx ON accounts (user_id, created_at, id)');
  await knex.raw(
    'CREATE UNIQUE INDEX accounts_plaid_account_uq ON accounts (plaid_account_id) WHERE plaid_account_id IS NOT NULL',
  );

  await knex.schema.createTable('assets', (t) => {
    uuidPk(knex, t);
    t.uuid('account_id').notNullable();
    t.uuid('user_id').notNullable();
    t.text('symbol').notNullable();
    t.text('name');
    t.text('asset_class').notNullable().defaultTo('stock').checkIn(ASSET_CLASSES, 'assets_asset_class_check');
    t.decimal('quantity', ...QTY)
      .notNullable()
      .defaultTo(0);
    // Total cost basis of the position, fees included.
    t.decimal('cost_basis', ...MONEY)
      .notNullable()
      .defaultTo(0);
    t.decimal('current_price', ...MONEY);
    t.decimal('current_value', ...MONEY);
    t.timestamp('price_as_of', { useTz: true });
    currency(t, 'assets');
    // Performance metrics, refreshed by the analytics.
    t.decimal('return_1y', ...RATE);
    t.decimal('return_total', ...RATE);
    t.decimal('volatility', ...RATE);
    t.decimal('beta', ...RATE);
    t.decimal('alpha', ...RATE);
    t.timestamp('metrics_as_of', { useTz: true });
    timestamps(knex, t);
    t.foreign(['account_id', 'user_id'], 'assets_account_fk')
      .references(['id', 'user_id'])
      .inTable('accounts')
      .onDelete('CASCADE');
    t.unique(['account_id', 'symbol'], { indexName: 'assets_account_symbol_uq' });
    t.check(
      `symbol = upper(btrim(symbol)) AND length(symbol) BETWEEN 1 AND 32`,
      [],
      'assets_symbol_normalized',
    );
    t.check('cost_basis >= 0', [], 'assets_cost_basis_nonneg');
    t.check('current_price IS NULL OR current_price >= 0', [], 'assets_current_price_nonneg');
  });
  await knex.raw('CREATE INDEX assets_user_symbol_idx ON assets (user_id, symbol)');

  await knex.schema.createTable('real_estate', (t) => {
    uuidPk(knex, t);
    t.uuid('user_id')
      .notNullable()
      .references('id')
      .inTable('users')
      .onDelete('CASCADE')
      .withKeyName('real_estate_user_fk');
    t.text('name').notNullable();
    t.text('property_type').notNullable().checkIn(PROPERTY_TYPES, 'real_estate_property_type_check');
    t.text('address_line1');
    t.text('address_line2');
    t.text('city');
    t.text('region');
    t.text('postal_code');
    t.string('country', 2);
    t.decimal('size_sqft', 14, 2);
    t.decimal('purchase_price', ...MONEY);
    t.date('purchase_date');
    t.decimal('current_value', ...MONEY);
    t.date('valuation_date');
    currency(t, 'real_estate');
    t.decimal('monthly_rental_income', ...MONEY)
      .notNullable()
      .defaultTo(0);
    t.decimal('monthly_expenses', ...MONEY)
      .notNullable()
      .defaultTo(0);
    t.text('mortgage_lender');
    t.decimal('mortgage_original_principal', ...MONEY);
    // Annual nominal rate as a fraction: 0.065 is 6.5 %.
    t.decimal('mortgage_rate', 12, 8);
    t.integer('mortgage_term_months');
    t.date('mortgage_start_date');
    t.decimal('mortgage_payment', ...MONEY);
    t.decimal('mortgage_balance', ...MONEY);
    timestamps(knex, t);
    t.check(`length(btrim(name)) BETWEEN 1 AND 200`, [], 'real_estate_name_length');
    t.check('purchase_price IS NULL OR purchase_price >= 0', [], 'real_estate_purchase_price_nonneg');
    t.check('current_value IS NULL OR current_value >= 0', [], 'real_estate_current_value_nonneg');
    t.check('monthly_rental_income >= 0 AND monthly_expenses >= 0', [], 'real_estate_income_expenses_nonneg');
    t.check(
      'mortgage_original_principal IS NULL OR mortgage_original_principal > 0',
      [],
      'real_estate_mortgage_principal_pos',
    );
    t.check(
      'mortgage_rate IS NULL OR (mortgage_rate >= 0 AND mortgage_rate < 1)',
      [],
      'real_estate_mortgage_rate_range',
    );
    t.check('mortgage_term_months IS NULL OR mortgage_term_months > 0', [], 'real_estate_mortgage_term_pos');
    t.check('mortgage_balance IS NULL OR mortgage_balance >= 0', [], 'real_estate_mortgage_balance_nonneg');
  });
  await knex.raw('CREATE INDEX real_estate_user_created_idx ON real_estate (user_id, created_at, id)');

  await knex.schema.createTable('transactions', (t) => {
    uuidPk(knex, t);
    t.uuid('account_id').notNullable();
    t.uuid('user_id').notNullable();
    t.uuid('asset_id')
      .references('id')
      .inTable('assets')
      .onDelete('SET NULL')
      .withKeyName('transactions_asset_fk');
    t.text('type').notNullable().checkIn(TRANSACTION_TYPES, 'transactions_type_check');
    t.text('symbol');
    t.date('trade_date').notNullable();
    t.date('settle_date');
    t.decimal('quantity', ...QTY);
    t.decimal('price', ...MONEY);
    // Cash effect on the account, signed: positive adds cash, negative removes it.
    t.decimal('amount', ...MONEY);
    t.decimal('fees', ...MONEY)
      .notNullable()
      .defaultTo(0);
    currency(t, 'transactions');
    t.decimal('realized_gain', ...MONEY);
    t.text('external_id');
    t.text('description');
    t.boolean('reconciled').notNullable().defaultTo(false);
    t.timestamp('reconciled_at', { useTz: true });
    timestamps(knex, t);
    // RESTRICT: an account with history cannot be deleted, only closed.
    t.foreign(['account_id', 'user_id'], 'transactions_account_fk')
      .references(['id', 'user_id'])
      .inTable('accounts')
      .onDelete('RESTRICT');
    t.unique(['account_id', 'external_id'], { indexName: 'transactions_account_external_uq' });
    t.check('quantity IS NULL OR quantity >= 0', [], 'transactions_quantity_nonneg');
    t.check('price IS NULL OR price >= 0', [], 'transactions_price_nonneg');
    t.check('fees >= 0', [], 'transactions_fees_nonneg');
    t.check('settle_date IS NULL OR settle_date >= trade_date', [], 'transactions_settle_after_trade');
    t.check('symbol IS NULL OR symbol = upper(btrim(symbol))', [], 'transactions_symbol_normalized');
    t.check('(NOT reconciled) OR reconciled_at IS NOT NULL', [], 'transactions_reconciled_at_present');
  });
  // Keyset pagination of an account's history, newest first, and replays in trade order.
  await knex.raw(
    'CREATE INDEX transactions_account_date_idx ON transactions (account_id, trade_date, created_at, id)',
  );
  await knex.raw(
    'CREATE INDEX transactions_user_date_idx ON transactions (user_id, trade_date, created_at, id)',
  );
  await knex.raw(
    'CREATE INDEX transactions_account_symbol_date_idx ON transactions (account_id, symbol, trade_date)',
  );
  await knex.raw('CREATE INDEX transactions_asset_idx ON transactions (asset_id) WHERE asset_id IS NOT NULL');

  await knex.schema.createTable('agent_tasks', (t) => {
    uuidPk(knex, t);
    // Null for system tasks that belong to no user.
    t.uuid('user_id')
      .references('id')
      .inTable('users')
      .onDelete('CASCADE')
      .withKeyName('agent_tasks_user_fk');
    t.text('type').notNullable();
    t.text('status').notNullable().defaultTo('queued').checkIn(TASK_STATUSES, 'agent_tasks_status_check');
    t.integer('priority').notNullable().defaultTo(0);
    t.timestamp('run_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('max_attempts').notNullable().defaultTo(3);
    t.text('locked_by');
    t.timestamp('locked_until', { useTz: true });
    t.timestamp('heartbeat_at', { useTz: true });
    // Fraction done, 0..1, and what the handler is doing.
    t.decimal('progress', 5, 4).notNullable().defaultTo(0);
    t.text('progress_message');
    t.jsonb('input').notNullable().defaultTo('{}');
    t.jsonb('result');
    t.text('last_error');
    t.timestamp('started_at', { useTz: true });
    t.timestamp('finished_at', { useTz: true });
    // Recurrence: a cron expression evaluated in a time zone; null for one-off tasks.
    t.text('cron');
    t.text('timezone');
    t.text('idempotency_key');
    timestamps(knex, t);
    t.check('attempts >= 0', [], 'agent_tasks_attempts_nonneg');
    t.check('max_attempts >= 1', [], 'agent_tasks_max_attempts_pos');
    t.check('progress >= 0 AND progress <= 1', [], 'agent_tasks_progress_range');
    t.check(`(status <> 'running') OR locked_until IS NOT NULL`, [], 'agent_tasks_running_has_lease');
    t.check('length(type) BETWEEN 1 AND 100', [], 'agent_tasks_type_length');
    t.unique(['user_id', 'idempotency_key'], { indexName: 'agent_tasks_user_idempotency_uq' });
  });
  // The claim query: queued tasks by priority then due time.
  await knex.raw(
    `CREATE INDEX agent_tasks_claim_idx ON agent_tasks (priority DESC, run_at) WHERE status = 'queued'`,
  );
  // Expired leases of dead workers.
  await knex.raw(`CREATE INDEX agent_tasks_lease_idx ON agent_tasks (locked_until) WHERE status = 'running'`);
  await knex.raw('CREATE INDEX agent_tasks_user_created_idx ON agent_tasks (user_id, created_at, id)');

  for (const table of TABLES) {
    await knex.raw(
      `CREATE TRIGGER ${table}_set_updated_at BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION fo_set_updated_at()`,
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [...TABLES].reverse()) {
    await knex.schema.dropTableIfExists(table);
  }
  await knex.raw('DROP FUNCTION IF EXISTS fo_set_updated_at()');
}
