/**
 * Data versions for the analytics cache. Analytics keep each user's prepared book in memory and
 * must know, with one cheap query, whether anything it was built from has changed since. Every
 * committed write to a table the analytics read bumps the writing user's version (market data —
 * prices, FX — bumps a global market version; see the next migration), so (user version, market
 * version) identifies the data exactly.
 *
 * How, without contention: statement-level triggers note "(transaction, user) changed" in
 * `analytics_version_pending` (one row per transaction and user, however many rows the statement
 * touched — a 10,000-row import notes once), and a DEFERRED constraint trigger on that table does
 * the increment when the transaction commits. Taking the version row's lock only at commit means
 * a writer never holds it while waiting for another lock, so concurrent writers of one user
 * queue briefly and can never deadlock on it; and the new version becomes visible atomically with
 * the data it describes.
 *
 * Updates that only refresh derived columns (the holdings' performance metrics written by the
 * analytics themselves, cached prices/values, users' cached net worth) do not count as changes.
 *
 * Shipped: never edit this file; add a new migration instead.
 */
import type { Knex } from 'knex';

/** Tables with a user_id whose every change matters to the analytics. */
const USER_TABLES = ['transactions', 'accounts', 'account_balances', 'real_estate'];

/** Columns of `assets` derived from other data: changing only these is not a change. */
const ASSET_DERIVED = [
  'return_1y',
  'return_total',
  'volatility',
  'beta',
  'alpha',
  'metrics_as_of',
  'current_price',
  'current_value',
  'price_as_of',
  'updated_at',
];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE analytics_data_versions (
      user_id uuid NOT NULL,
      version bigint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT analytics_data_versions_pk PRIMARY KEY (user_id),
      CONSTRAINT analytics_data_versions_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
      CONSTRAINT analytics_data_versions_version_nonneg CHECK (version >= 0)
    )`);
  await knex.raw(`
    CREATE TABLE analytics_market_version (
      id smallint NOT NULL DEFAULT 1,
      version bigint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT analytics_market_version_pk PRIMARY KEY (id),
      CONSTRAINT analytics_market_version_singleton CHECK (id = 1),
      CONSTRAINT analytics_market_version_version_nonneg CHECK (version >= 0)
    )`);
  await knex.raw('INSERT INTO analytics_market_version (id, version) VALUES (1, 0)');
  // scope: a user id, or 'market'. Rows live only inside the transaction that wrote them.
  await knex.raw(`
    CREATE TABLE analytics_version_pending (
      xid xid8 NOT NULL,
      scope text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT analytics_version_pending_pk PRIMARY KEY (xid, scope)
    )`);
  for (const table of ['analytics_data_versions', 'analytics_market_version', 'analytics_version_pending']) {
    await knex.raw(
      `CREATE TRIGGER ${table}_set_updated_at BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION fo_set_updated_at()`,
    );
  }

  // At commit: apply one pending note.
  await knex.raw(`
    CREATE FUNCTION fo_analytics_apply_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.scope = 'market' THEN
        INSERT INTO analytics_market_version AS m (id, version) VALUES (1, 1)
        ON CONFLICT (id) DO UPDATE SET version = m.version + 1;
      ELSE
        -- The user may have been deleted in this same transaction: then there is nothing to bump.
        INSERT INTO analytics_data_versions AS v (user_id, version)
        SELECT u.id, 1 FROM users u WHERE u.id = NEW.scope::uuid
        ON CONFLICT (user_id) DO UPDATE SET version = v.version + 1;
      END IF;
      DELETE FROM analytics_version_pending WHERE xid = NEW.xid AND scope = NEW.scope;
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE CONSTRAINT TRIGGER analytics_version_pending_apply
      AFTER INSERT ON analytics_version_pending
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION fo_analytics_apply_version()`);

  // Statement level: note the users whose rows the statement touched.
  await knex.raw(`
    CREATE FUNCTION fo_analytics_note_users() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        INSERT INTO analytics_version_pending (xid, scope)
        SELECT DISTINCT pg_current_xact_id(), o.user_id::text FROM old_rows o WHERE o.user_id IS NOT NULL
        ON CONFLICT DO NOTHING;
      ELSE
        INSERT INTO analytics_version_pending (xid, scope)
        SELECT DISTINCT pg_current_xact_id(), n.user_id::text FROM new_rows n WHERE n.user_id IS NOT NULL
        ON CONFLICT DO NOTHING;
      END IF;
      RETURN NULL;
    END $$`);
  for (const table of USER_TABLES) {
    await noteTriggers(knex, table, 'fo_analytics_note_users');
  }

  // assets: updates of derived columns only are not changes.
  const derived = ASSET_DERIVED.map((c) => `'${c}'`).join(', ');
  await knex.raw(`
    CREATE FUNCTION fo_analytics_note_asset_updates() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO analytics_version_pending (xid, scope)
      SELECT DISTINCT pg_current_xact_id(), n.user_id::text
        FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (to_jsonb(n) - ARRAY[${derived}]) IS DISTINCT FROM (to_jsonb(o) - ARRAY[${derived}])
      ON CONFLICT DO NOTHING;
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER assets_analytics_version_ins AFTER INSERT ON assets
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION fo_analytics_note_users()`);
  await knex.raw(`
    CREATE TRIGGER assets_analytics_version_upd AFTER UPDATE ON assets
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION fo_analytics_note_asset_updates()`);
  await knex.raw(`
    CREATE TRIGGER assets_analytics_version_del AFTER DELETE ON assets
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION fo_analytics_note_users()`);

  // users: only a change of base currency changes the analytics.
  await knex.raw(`
    CREATE FUNCTION fo_analytics_note_base_currency() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO analytics_version_pending (xid, scope)
      SELECT DISTINCT pg_current_xact_id(), n.id::text
        FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE n.base_currency IS DISTINCT FROM o.base_currency
      ON CONFLICT DO NOTHING;
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER users_analytics_version_upd AFTER UPDATE ON users
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION fo_analytics_note_base_currency()`);
}

async function noteTriggers(knex: Knex, table: string, fn: string): Promise<void> {
  await knex.raw(`
    CREATE TRIGGER ${table}_analytics_version_ins AFTER INSERT ON ${table}
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`);
  await knex.raw(`
    CREATE TRIGGER ${table}_analytics_version_upd AFTER UPDATE ON ${table}
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`);
  await knex.raw(`
    CREATE TRIGGER ${table}_analytics_version_del AFTER DELETE ON ${table}
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS users_analytics_version_upd ON users');
  for (const table of [...USER_TABLES, 'assets']) {
    for (const op of ['ins', 'upd', 'del']) {
      await knex.raw(`DROP TRIGGER IF EXISTS ${table}_analytics_version_${op} ON ${table}`);
    }
  }
  await knex.raw('DROP FUNCTION IF EXISTS fo_analytics_note_base_currency()');
  await knex.raw('DROP FUNCTION IF EXISTS fo_analytics_note_asset_updates()');
  await knex.raw('DROP FUNCTION IF EXISTS fo_analytics_note_users()');
  await knex.schema.dropTableIfExists('analytics_version_pending');
  await knex.raw('DROP FUNCTION IF EXISTS fo_analytics_apply_version()');
  await knex.schema.dropTableIfExists('analytics_market_version');
  await knex.schema.dropTableIfExists('analytics_data_versions');
}
