/**
 * The transaction ledger: tax lots, lot allocations, wash-sale matches and reconciliations, and the
 * columns the ledger needs on transactions.
 *
 * transactions gains
 * - `seq`: insertion order. With trade_date it totally orders an account's history (the replay
 *   order and the list's keyset); created_at ties inside a multi-row insert.
 * - `return_of_capital` as a type (it reduces basis; beyond basis it is a gain).
 * - `split_to`/`split_from` (a split's exact ratio, 10 : 1 or 1 : 5); `quantity` of a split row
 *   carries the factor split_to/split_from for readers that want one number.
 * - `reinvested` (a dividend that bought shares: `quantity` and `price` are the shares bought).
 * - `transfer_id` and `counterpart_account_id`: a transfer is two rows, one per account, sharing
 *   `transfer_id`.
 * - `cash_effect`: the signed effect on the account's cash (equal to `amount` except for a
 *   reinvested dividend, whose amount is the dividend), what cash balances and cash-flow
 *   analytics sum.
 * - `cost_basis`, `wash_sale_disallowed`: replay outcomes stored next to `realized_gain`.
 * - `lot_selection`: specific identification, the lots a sell names.
 * - `reconciliation_id`: the statement reconciliation that covered the row.
 *
 * tax_lots/lot_allocations/wash_sale_matches are derived data: the ledger rebuilds them from the
 * transactions (each row records the day of the transaction that caused it, so a back-dated change
 * replays from its own day). Deleting a transaction cascades to what it caused.
 *
 * audit_events learns the ledger's events (edits of reconciled transactions, completed
 * reconciliations).
 */
import type { Knex } from 'knex';

const NEW_TYPE = 'return_of_capital';
const LEDGER_AUDIT_EVENTS = [
  'reconciled_transaction_updated',
  'reconciled_transaction_deleted',
  'reconciliation_completed',
];

const MOVEMENT_KINDS = ['sale', 'short_cover', 'return_of_capital', 'transfer', 'split', 'wash_split'];
const RECONCILIATION_STATUSES = ['balanced', 'accepted_with_differences'];

const QTY = [28, 10] as const;
const MONEY = [24, 8] as const;

function inList(column: string, values: string[]): string {
  return `${column} IN (${values.map((v) => `'${v}'`).join(', ')})`;
}

/**
 * The values an `IN (...)` CHECK constraint allows, read from the catalog. Other migrations may
 * have extended these lists (transaction types, audit events): this one adds to or removes from
 * whatever is there instead of restating a list.
 */
async function allowedValues(knex: Knex, constraint: string): Promise<string[]> {
  const { rows } = await knex.raw<{ rows: { def: string }[] }>(
    'SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = ?',
    [constraint],
  );
  const def = rows[0]?.def;
  if (!def) throw new Error(`constraint ${constraint} not found`);
  return [...def.matchAll(/'([^']+)'::text/g)].map((m) => m[1] as string);
}

async function replaceValues(
  knex: Knex,
  table: string,
  column: string,
  constraint: string,
  values: string[],
) {
  await knex.raw(`ALTER TABLE ${table} DROP CONSTRAINT ${constraint}`);
  await knex.raw(`ALTER TABLE ${table} ADD CONSTRAINT ${constraint} CHECK (${inList(column, values)})`);
}

function timestamps(knex: Knex, t: Knex.CreateTableBuilder): void {
  t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('reconciliations', (t) => {
    t.uuid('id', { primaryKey: true }).defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('account_id').notNullable();
    t.uuid('user_id').notNullable();
    t.date('statement_date').notNullable();
    t.decimal('statement_cash', ...MONEY).notNullable();
    t.decimal('ledger_cash', ...MONEY).notNullable();
    t.decimal('cash_difference', ...MONEY).notNullable();
    // [{ symbol, statementQuantity, ledgerQuantity, difference }] as decimal strings.
    t.jsonb('positions').notNullable().defaultTo('[]');
    t.text('status').notNullable().checkIn(RECONCILIATION_STATUSES, 'reconciliations_status_check');
    t.integer('transactions_reconciled').notNullable().defaultTo(0);
    timestamps(knex, t);
    t.foreign(['account_id', 'user_id'], 'reconciliations_account_fk')
      .references(['id', 'user_id'])
      .inTable('accounts')
      .onDelete('CASCADE');
    t.check('transactions_reconciled >= 0', [], 'reconciliations_count_nonneg');
  });
  await knex.raw(
    'CREATE INDEX reconciliations_account_date_idx ON reconciliations (account_id, statement_date DESC, created_at DESC)',
  );

  const types = await allowedValues(knex, 'transactions_type_check');
  await replaceValues(knex, 'transactions', 'type', 'transactions_type_check', [...types, NEW_TYPE]);
  await knex.raw('ALTER TABLE transactions ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY');
  await knex.schema.alterTable('transactions', (t) => {
    t.decimal('split_to', ...QTY);
    t.decimal('split_from', ...QTY);
    t.boolean('reinvested').notNullable().defaultTo(false);
    t.uuid('transfer_id');
    t.uuid('counterpart_account_id');
    t.decimal('cash_effect', ...MONEY)
      .notNullable()
      .defaultTo(0);
    t.decimal('cost_basis', ...MONEY);
    t.decimal('wash_sale_disallowed', ...MONEY)
      .notNullable()
      .defaultTo(0);
    t.jsonb('lot_selection');
    t.uuid('reconciliation_id')
      .references('id')
      .inTable('reconciliations')
      .onDelete('SET NULL')
      .withKeyName('transactions_reconciliation_fk');
    t.foreign(['counterpart_account_id', 'user_id'], 'transactions_counterpart_account_fk')
      .references(['id', 'user_id'])
      .inTable('accounts')
      .onDelete('RESTRICT');
    t.check(
      '(split_to IS NULL AND split_from IS NULL) OR (split_to > 0 AND split_from > 0)',
      [],
      'transactions_split_ratio_pos',
    );
    t.check(`type = 'split' OR split_to IS NULL`, [], 'transactions_split_ratio_type');
    t.check(`(NOT reinvested) OR type = 'dividend'`, [], 'transactions_reinvested_type');
    t.check(
      'counterpart_account_id IS NULL OR counterpart_account_id <> account_id',
      [],
      'transactions_counterpart_distinct',
    );
    t.check('wash_sale_disallowed >= 0', [], 'transactions_wash_sale_nonneg');
  });
  await knex.raw('CREATE UNIQUE INDEX transactions_seq_uq ON transactions (seq)');
  // transactions.list: an account's history by trade date then insertion (keyset, both directions).
  await knex.raw(
    'CREATE INDEX transactions_account_trade_seq_idx ON transactions (account_id, trade_date, seq)',
  );
  // transactions.list without an account filter, and replays' per-user loads.
  await knex.raw('CREATE INDEX transactions_user_trade_seq_idx ON transactions (user_id, trade_date, seq)');
  // Replays load one user's history in one symbol from a day on.
  await knex.raw(
    'CREATE INDEX transactions_user_symbol_trade_idx ON transactions (user_id, symbol, trade_date, seq) WHERE symbol IS NOT NULL',
  );
  await knex.raw(
    'CREATE UNIQUE INDEX transactions_transfer_side_uq ON transactions (transfer_id, type) WHERE transfer_id IS NOT NULL',
  );
  await knex.raw(
    'CREATE INDEX transactions_reconciliation_idx ON transactions (reconciliation_id) WHERE reconciliation_id IS NOT NULL',
  );

  await knex.schema.createTable('tax_lots', (t) => {
    // Deterministic: a buy's lot has the buy's id; derived lots a name-based UUID (see the engine).
    t.uuid('id', { primaryKey: true });
    t.uuid('account_id').notNullable();
    t.uuid('user_id').notNullable();
    t.text('symbol').notNullable();
    // The transaction whose replay created the lot; the lot goes with it.
    t.uuid('created_by_transaction_id')
      .notNullable()
      .references('id')
      .inTable('transactions')
      .onDelete('CASCADE')
      .withKeyName('tax_lots_created_by_fk');
    t.date('created_date').notNullable();
    t.bigInteger('created_seq').notNullable();
    t.uuid('parent_lot_id')
      .references('id')
      .inTable('tax_lots')
      .onDelete('CASCADE')
      .withKeyName('tax_lots_parent_fk');
    // The purchase the lot descends from (no FK: for transferred lots it is another account's row).
    t.uuid('source_transaction_id').notNullable();
    t.date('acquired_date').notNullable();
    t.date('holding_start_date').notNullable();
    t.bigInteger('order_seq').notNullable();
    t.boolean('is_short').notNullable().defaultTo(false);
    t.boolean('wash_replacement').notNullable().defaultTo(false);
    t.decimal('quantity_opened', ...QTY).notNullable();
    t.decimal('cost_opened', ...MONEY).notNullable();
    t.decimal('adjustment_opened', ...MONEY)
      .notNullable()
      .defaultTo(0);
    t.decimal('quantity', ...QTY).notNullable();
    t.decimal('cost', ...MONEY).notNullable();
    t.decimal('wash_adjustment', ...MONEY)
      .notNullable()
      .defaultTo(0);
    t.date('closed_date');
    timestamps(knex, t);
    t.foreign(['account_id', 'user_id'], 'tax_lots_account_fk')
      .references(['id', 'user_id'])
      .inTable('accounts')
      .onDelete('CASCADE');
    t.check('(quantity = 0) = (closed_date IS NOT NULL)', [], 'tax_lots_closed_when_empty');
    t.check('is_short = (quantity_opened < 0)', [], 'tax_lots_short_sign');
    t.check('holding_start_date <= acquired_date', [], 'tax_lots_holding_start_range');
  });
  // Restores: a partition's lots alive at a day (open, or closed on/after it) and those created later.
  await knex.raw('CREATE INDEX tax_lots_partition_idx ON tax_lots (user_id, symbol, created_date)');
  await knex.raw(
    'CREATE INDEX tax_lots_open_idx ON tax_lots (account_id, symbol, acquired_date) WHERE closed_date IS NULL',
  );
  await knex.raw('CREATE INDEX tax_lots_created_by_idx ON tax_lots (created_by_transaction_id)');
  await knex.raw(
    'CREATE INDEX tax_lots_parent_idx ON tax_lots (parent_lot_id) WHERE parent_lot_id IS NOT NULL',
  );

  await knex.schema.createTable('lot_allocations', (t) => {
    t.uuid('id', { primaryKey: true }).defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('lot_id')
      .notNullable()
      .references('id')
      .inTable('tax_lots')
      .onDelete('CASCADE')
      .withKeyName('lot_allocations_lot_fk');
    t.uuid('account_id').notNullable();
    t.uuid('user_id').notNullable();
    t.text('symbol').notNullable();
    // The transaction that caused it (the sale, the split, the transfer, ...).
    t.uuid('transaction_id')
      .notNullable()
      .references('id')
      .inTable('transactions')
      .onDelete('CASCADE')
      .withKeyName('lot_allocations_transaction_fk');
    t.date('event_date').notNullable();
    t.bigInteger('event_seq').notNullable();
    t.integer('ordinal').notNullable();
    t.text('kind').notNullable().checkIn(MOVEMENT_KINDS, 'lot_allocations_kind_check');
    // Signed changes to the lot: a sale of 5 shares is quantity −5, cost −(their cost).
    t.decimal('quantity', ...QTY).notNullable();
    t.decimal('cost', ...MONEY).notNullable();
    t.decimal('adjustment', ...MONEY)
      .notNullable()
      .defaultTo(0);
    t.decimal('proceeds', ...MONEY);
    t.decimal('gain', ...MONEY);
    t.text('term').checkIn(['short', 'long'], 'lot_allocations_term_check');
    t.date('acquired_date').notNullable();
    t.date('holding_start_date').notNullable();
    t.uuid('lot_source_transaction_id').notNullable();
    t.decimal('wash_sale_disallowed', ...MONEY)
      .notNullable()
      .defaultTo(0);
    t.decimal('wash_matched_quantity', ...QTY)
      .notNullable()
      .defaultTo(0);
    timestamps(knex, t);
    t.foreign(['account_id', 'user_id'], 'lot_allocations_account_fk')
      .references(['id', 'user_id'])
      .inTable('accounts')
      .onDelete('CASCADE');
    t.unique(['transaction_id', 'ordinal'], { indexName: 'lot_allocations_transaction_ordinal_uq' });
    t.check(
      `(kind IN ('sale', 'short_cover', 'return_of_capital')) = (proceeds IS NOT NULL AND gain IS NOT NULL AND term IS NOT NULL)`,
      [],
      'lot_allocations_realization_fields',
    );
    t.check('wash_sale_disallowed >= 0 AND wash_matched_quantity >= 0', [], 'lot_allocations_wash_nonneg');
  });
  await knex.raw(
    'CREATE INDEX lot_allocations_partition_idx ON lot_allocations (user_id, symbol, event_date)',
  );
  await knex.raw('CREATE INDEX lot_allocations_lot_idx ON lot_allocations (lot_id)');
  // transactions.realizedGains: a user's realizations by date (optionally one account).
  await knex.raw(
    `CREATE INDEX lot_allocations_realized_idx ON lot_allocations (user_id, event_date, account_id)
      WHERE kind IN ('sale', 'short_cover', 'return_of_capital')`,
  );

  await knex.schema.createTable('wash_sale_matches', (t) => {
    t.uuid('id', { primaryKey: true }).defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id')
      .notNullable()
      .references('id')
      .inTable('users')
      .onDelete('CASCADE')
      .withKeyName('wash_sale_matches_user_fk');
    t.text('symbol').notNullable();
    t.uuid('loss_allocation_id')
      .notNullable()
      .references('id')
      .inTable('lot_allocations')
      .onDelete('CASCADE')
      .withKeyName('wash_sale_matches_loss_fk');
    t.uuid('replacement_lot_id')
      .notNullable()
      .references('id')
      .inTable('tax_lots')
      .onDelete('CASCADE')
      .withKeyName('wash_sale_matches_replacement_fk');
    // The transaction that made the match (the loss sale, or the later purchase).
    t.uuid('transaction_id')
      .notNullable()
      .references('id')
      .inTable('transactions')
      .onDelete('CASCADE')
      .withKeyName('wash_sale_matches_transaction_fk');
    t.date('event_date').notNullable();
    t.bigInteger('event_seq').notNullable();
    t.decimal('quantity', ...QTY).notNullable();
    t.decimal('disallowed', ...MONEY).notNullable();
    t.integer('carried_days').notNullable();
    t.boolean('basis_adjusted').notNullable();
    timestamps(knex, t);
    t.check('quantity > 0 AND disallowed >= 0 AND carried_days >= 0', [], 'wash_sale_matches_values_nonneg');
  });
  await knex.raw(
    'CREATE INDEX wash_sale_matches_partition_idx ON wash_sale_matches (user_id, symbol, event_date)',
  );
  await knex.raw('CREATE INDEX wash_sale_matches_loss_idx ON wash_sale_matches (loss_allocation_id)');
  await knex.raw('CREATE INDEX wash_sale_matches_replacement_idx ON wash_sale_matches (replacement_lot_id)');

  for (const table of ['reconciliations', 'tax_lots', 'lot_allocations', 'wash_sale_matches']) {
    await knex.raw(
      `CREATE TRIGGER ${table}_set_updated_at BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION fo_set_updated_at()`,
    );
  }

  const events = await allowedValues(knex, 'audit_events_event_check');
  await replaceValues(knex, 'audit_events', 'event', 'audit_events_event_check', [
    ...events,
    ...LEDGER_AUDIT_EVENTS,
  ]);
}

export async function down(knex: Knex): Promise<void> {
  await knex('audit_events').whereIn('event', LEDGER_AUDIT_EVENTS).delete();
  const events = await allowedValues(knex, 'audit_events_event_check');
  await replaceValues(
    knex,
    'audit_events',
    'event',
    'audit_events_event_check',
    events.filter((e) => !LEDGER_AUDIT_EVENTS.includes(e)),
  );

  await knex.schema.dropTable('wash_sale_matches');
  await knex.schema.dropTable('lot_allocations');
  await knex.schema.dropTable('tax_lots');

  await knex.raw('DROP INDEX transactions_reconciliation_idx');
  await knex.raw('DROP INDEX transactions_transfer_side_uq');
  await knex.raw('DROP INDEX transactions_user_symbol_trade_idx');
  await knex.raw('DROP INDEX transactions_user_trade_seq_idx');
  await knex.raw('DROP INDEX transactions_account_trade_seq_idx');
  await knex.raw('DROP INDEX transactions_seq_uq');
  await knex.schema.alterTable('transactions', (t) => {
    t.dropChecks([
      'transactions_split_ratio_pos',
      'transactions_split_ratio_type',
      'transactions_reinvested_type',
      'transactions_counterpart_distinct',
      'transactions_wash_sale_nonneg',
    ]);
    t.dropForeign(['counterpart_account_id', 'user_id'], 'transactions_counterpart_account_fk');
    t.dropForeign(['reconciliation_id'], 'transactions_reconciliation_fk');
    t.dropColumns(
      'split_to',
      'split_from',
      'reinvested',
      'transfer_id',
      'counterpart_account_id',
      'cash_effect',
      'cost_basis',
      'wash_sale_disallowed',
      'lot_selection',
      'reconciliation_id',
      'seq',
    );
  });
  // Rows of the new type cannot stay under the old rule.
  await knex('transactions').where('type', NEW_TYPE).delete();
  const types = await allowedValues(knex, 'transactions_type_check');
  await replaceValues(
    knex,
    'transactions',
    'type',
    'transactions_type_check',
    types.filter((t) => t !== NEW_TYPE),
  );

  await knex.schema.dropTable('reconciliations');
}
