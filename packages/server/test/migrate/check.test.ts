/**
 * `pnpm migrate check` and the catalog snapshot behind it: a clean database passes; pending
 * migrations and hand-made schema changes fail with a readable list; the scratch database goes away.
 */
import { describe, expect, it } from 'vitest';
import { diffCatalogs, snapshotCatalog } from '../../src/db/catalog.js';
import { checkSchema } from '../../src/db/migrate/check.js';
import { executeCommand } from '../../src/db/migrate/command.js';
import { migrateUp } from '../../src/db/migrate/operations.js';
import { FIXTURE_REVISIONS, fixtureMigrations, recordIo, scratchDatabase } from '../support/migrate.js';

async function leftoverCheckDatabases(knex: import('../../src/db/knex.js').Knex): Promise<string[]> {
  return knex('pg_database').where('datname', 'like', `fo\\_check\\_${process.pid}\\_%`).pluck('datname');
}

// Each test builds real databases (the check's own scratch one included): slow on a loaded machine.
const BUILDS_DATABASES = { timeout: 180_000 };

describe('pnpm migrate check', BUILDS_DATABASES, () => {
  it('passes on a freshly migrated database and fails, listing them, when migrations are pending', async () => {
    await using db = await scratchDatabase('check_clean');
    const ctx = db.ctx();
    let io = recordIo();
    expect(await executeCommand({ name: 'check' }, ctx, io)).toBe(1);
    expect(io.stderr[0]).toMatch(/^\d+ migrations? pending \(run `pnpm migrate`\):$/);
    expect(io.stderr).toContain('  20261124000000_core_schema');

    await migrateUp(ctx);
    io = recordIo();
    expect(await executeCommand({ name: 'check' }, ctx, io)).toBe(0);
    expect(io.stdout[0]).toMatch(
      /^OK: .* is at \d{14}_\w+, nothing is pending, and its schema matches the migrations\.$/,
    );
    expect(await leftoverCheckDatabases(db.knex)).toEqual([]);
  });

  it('detects columns, indexes, constraints, defaults and triggers changed by hand', async () => {
    await using db = await scratchDatabase('check_drift');
    const ctx = db.ctx();
    await migrateUp(ctx);
    await db.knex.raw('ALTER TABLE accounts ADD COLUMN nickname text');
    await db.knex.raw('CREATE INDEX users_name_idx ON users (name)');
    await db.knex.raw('ALTER TABLE assets DROP CONSTRAINT assets_cost_basis_nonneg');
    await db.knex.raw(`ALTER TABLE users ALTER COLUMN risk_tolerance SET DEFAULT 'growth'`);
    await db.knex.raw('DROP TRIGGER agent_tasks_set_updated_at ON agent_tasks');

    const result = await checkSchema(ctx);
    expect(result.ok).toBe(false);
    expect(result.pending).toEqual([]);
    expect(result.differences).toEqual([
      'unexpected column public.accounts.nickname: text',
      "column public.users.risk_tolerance differs:\n    expected: text not null default 'moderate'::text\n    found:    text not null default 'growth'::text",
      'missing constraint public.assets.assets_cost_basis_nonneg: CHECK ((cost_basis >= (0)::numeric))',
      'unexpected index public.users.users_name_idx: CREATE INDEX users_name_idx ON public.users USING btree (name)',
      'missing trigger public.agent_tasks.agent_tasks_set_updated_at: CREATE TRIGGER agent_tasks_set_updated_at BEFORE UPDATE ON public.agent_tasks FOR EACH ROW EXECUTE FUNCTION fo_set_updated_at()',
    ]);
    const io = recordIo();
    expect(await executeCommand({ name: 'check' }, ctx, io)).toBe(1);
    expect(io.stderr[0]).toMatch(/^The schema of .* differs from what its applied migrations produce:$/);
    expect(io.stderr).toContain('  unexpected column public.accounts.nickname: text');
    expect(await leftoverCheckDatabases(db.knex)).toEqual([]);
  });

  it('compares against the revisions actually applied, and sums up a whole missing table in one line', async () => {
    await using dir = await fixtureMigrations();
    await using db = await scratchDatabase('check_partial');
    const ctx = db.ctx(dir.path);
    await migrateUp(ctx, { to: FIXTURE_REVISIONS[0] });
    const partial = await checkSchema(ctx);
    expect(partial).toMatchObject({
      current: FIXTURE_REVISIONS[0],
      pending: FIXTURE_REVISIONS.slice(1),
      differences: [],
    });

    await db.knex.raw('DROP TABLE widgets');
    await db.knex.raw('CREATE FUNCTION answer() RETURNS int LANGUAGE sql AS $$ SELECT 42 $$');
    expect((await checkSchema(ctx)).differences).toEqual([
      'missing table public.widgets: table',
      'unexpected function public.answer(): CREATE OR REPLACE FUNCTION public.answer() RETURNS integer LANGUAGE sql AS $function$ SELECT 42 $function$',
      'missing sequence public.widgets_id_seq: integer start 1 increment 1 min 1 max 2147483647',
    ]);
  });
});

describe('catalog snapshots', BUILDS_DATABASES, () => {
  it('see functions, enum types, views, sequences and extensions, and diff them by name', async () => {
    await using a = await scratchDatabase('catalog_a');
    await using b = await scratchDatabase('catalog_b');
    const build = async (knex: import('../../src/db/knex.js').Knex, mood: string) => {
      await knex.raw(`CREATE TYPE mood AS ENUM ('calm', '${mood}')`);
      await knex.raw('CREATE TABLE people (id int PRIMARY KEY, m mood)');
      await knex.raw('CREATE VIEW calm_people AS SELECT id FROM people WHERE m = $$calm$$');
      await knex.raw('CREATE SEQUENCE counter START 5');
    };
    await build(a.knex, 'happy');
    await build(b.knex, 'angry');
    await b.knex.raw('CREATE EXTENSION IF NOT EXISTS pgcrypto');
    const [left, right] = [await snapshotCatalog(a.knex), await snapshotCatalog(b.knex)];
    expect(left.types).toEqual({ 'public.mood': "enum ('calm', 'happy')" });
    expect(left.tables['public.calm_people']).toMatch(/^view: +SELECT (people\.)?id/);
    expect(left.sequences['public.counter']).toBe('bigint start 5 increment 1 min 1 max 9223372036854775807');
    // Extension members (pgcrypto's functions) are not listed one by one.
    expect(Object.keys(right.functions)).toEqual([]);
    expect(diffCatalogs(left, right)).toEqual([
      'unexpected extension pgcrypto',
      "type public.mood differs:\n    expected: enum ('calm', 'happy')\n    found:    enum ('calm', 'angry')",
    ]);
  });
});
