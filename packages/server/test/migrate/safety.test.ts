/**
 * What must change nothing: `--sql` previews, a held lock, a failing migration (rolled back whole,
 * including the migrations before it in the same run).
 */
import { describe, expect, it } from 'vitest';
import { snapshotCatalog } from '../../src/db/catalog.js';
import type { Knex } from '../../src/db/knex.js';
import { executeCommand } from '../../src/db/migrate/command.js';
import { LockHeldError, MigrationFailedError } from '../../src/db/migrate/errors.js';
import { migrateDown, migrateUp, readStatus, unlock } from '../../src/db/migrate/operations.js';
import {
  FIXTURE_REVISIONS,
  fixtureMigrations,
  migrationSource,
  publicTables,
  recordIo,
  scratchDatabase,
} from '../support/migrate.js';

/** Everything a preview must leave untouched: the whole catalog and the bookkeeping rows and sequences. */
async function databaseState(knex: Knex) {
  const catalog = await snapshotCatalog(knex, { excludeTables: [] });
  const hasTable = await knex.schema.hasTable('knex_migrations');
  if (!hasTable) return { catalog, bookkeeping: null };
  const sequence = async (name: string) => (await knex.raw(`SELECT last_value, is_called FROM ${name}`)).rows;
  return {
    catalog,
    bookkeeping: {
      migrations: await knex('knex_migrations').select('*').orderBy('id'),
      lock: await knex('knex_migrations_lock').select('*'),
      sequences: [await sequence('knex_migrations_id_seq'), await sequence('knex_migrations_lock_index_seq')],
    },
  };
}

describe('pnpm migrate: nothing changes unless it should', { timeout: 120_000 }, () => {
  it('up --sql prints the SQL it would run and changes nothing', async () => {
    await using db = await scratchDatabase('sql_up');
    const before = await databaseState(db.knex);
    const io = recordIo();
    expect(await executeCommand({ name: 'up', sql: true }, db.ctx(), io)).toBe(0);
    const sql = io.stdout.join('\n');
    expect(sql).toContain('create table "knex_migrations"');
    for (const table of ['users', 'accounts', 'assets', 'real_estate', 'transactions', 'agent_tasks']) {
      expect(sql).toContain(`create table "${table}"`);
    }
    expect(sql).toContain('CREATE TRIGGER users_set_updated_at');
    expect(sql).toMatch(
      /insert into "knex_migrations" \("batch", "migration_time", "name"\) values \(1, CURRENT_TIMESTAMP, '20261124000000_core_schema'\);/,
    );
    expect(io.stdout.at(-1)).toMatch(/^-- Dry run: \d+ migrations? would be applied; nothing was changed\.$/);
    expect(await databaseState(db.knex)).toEqual(before);
    expect(await publicTables(db.knex)).toEqual([]);
  });

  it('down --sql (and up --sql with bookkeeping present) changes nothing, rows and sequences included', async () => {
    await using dir = await fixtureMigrations();
    await using db = await scratchDatabase('sql_down');
    const ctx = db.ctx(dir.path);
    await migrateUp(ctx, { to: FIXTURE_REVISIONS[1] });
    await db.knex('widgets').insert({ name: 'kept', color: 'red' });
    const before = await databaseState(db.knex);

    const down: string[] = [];
    expect(await migrateDown(ctx, { all: true, dryRun: true, onSql: (s) => down.push(s) })).toEqual([
      FIXTURE_REVISIONS[1],
      FIXTURE_REVISIONS[0],
    ]);
    expect(down).toEqual([
      `-- Running downgrade: ${FIXTURE_REVISIONS[1]}`,
      'DROP INDEX widgets_color_idx;',
      'ALTER TABLE widgets DROP COLUMN color;',
      `delete from "knex_migrations" where "name" = '${FIXTURE_REVISIONS[1]}';`,
      `-- Running downgrade: ${FIXTURE_REVISIONS[0]}`,
      'DROP TABLE widgets;',
      `delete from "knex_migrations" where "name" = '${FIXTURE_REVISIONS[0]}';`,
    ]);
    const up: string[] = [];
    expect(await migrateUp(ctx, { dryRun: true, onSql: (s) => up.push(s) })).toEqual([FIXTURE_REVISIONS[2]]);
    expect(up[1]).toBe(
      'CREATE TABLE gadgets (id serial PRIMARY KEY, widget_id int REFERENCES widgets ON DELETE CASCADE);',
    );
    expect(up[2]).toContain(`values (2, CURRENT_TIMESTAMP, '${FIXTURE_REVISIONS[2]}')`);
    expect(await databaseState(db.knex)).toEqual(before);
    expect(await db.knex('widgets').select('name', 'color')).toEqual([{ name: 'kept', color: 'red' }]);
  });

  it('a failing migration is rolled back whole, with the earlier migrations of the same run', async () => {
    await using dir = await fixtureMigrations();
    await dir.write(
      '20990104000000_broken.ts',
      migrationSource(
        ['CREATE TABLE half_done (id int)', 'INSERT INTO no_such_table VALUES (1)'],
        ['DROP TABLE half_done'],
      ),
    );
    await using db = await scratchDatabase('failing');
    const ctx = db.ctx(dir.path);
    await migrateUp(ctx, { to: FIXTURE_REVISIONS[0] });
    const before = await databaseState(db.knex);

    const error = await migrateUp(ctx).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(MigrationFailedError);
    expect(error).toMatchObject({ revision: '20990104000000_broken', direction: 'up', kept: [] });
    expect((error as Error).message).toMatch(
      /relation "no_such_table" does not exist[\s\S]*Rolled back: nothing was changed\./,
    );
    expect(await databaseState(db.knex)).toEqual(before);
    expect(await publicTables(db.knex)).not.toContain('gadgets');

    // On a never-migrated database even the bookkeeping tables are rolled back.
    await using fresh = await scratchDatabase('failing_fresh');
    const io = recordIo();
    expect(await executeCommand({ name: 'up', sql: false }, fresh.ctx(dir.path), io)).toBe(1);
    expect(io.stderr.join('\n')).toContain('Migration 20990104000000_broken failed (up)');
    expect(await publicTables(fresh.knex)).toEqual([]);
  });

  it('refuses to run while the lock is held, says how to clear it, and unlock clears it', async () => {
    await using dir = await fixtureMigrations();
    await using db = await scratchDatabase('lock');
    const ctx = db.ctx(dir.path);
    await migrateUp(ctx, { to: FIXTURE_REVISIONS[0] });
    // What an interrupted run of Knex's migrator leaves behind.
    await db.knex('knex_migrations_lock').update({ is_locked: 1 });
    const before = await databaseState(db.knex);

    await expect(migrateUp(ctx)).rejects.toThrow(LockHeldError);
    await expect(migrateDown(ctx)).rejects.toThrow(LockHeldError);
    const io = recordIo();
    expect(await executeCommand({ name: 'up', sql: false }, ctx, io)).toBe(1);
    expect(io.stderr.join('\n')).toContain('`pnpm migrate unlock`');
    expect(await databaseState(db.knex)).toEqual(before);

    expect(await unlock(ctx)).toBe(true);
    expect(await unlock(ctx)).toBe(false);
    expect(await migrateUp(ctx)).toEqual(FIXTURE_REVISIONS.slice(1));
  });

  it('fails at once, changing nothing, while another migration run holds the lock', async () => {
    await using dir = await fixtureMigrations();
    await using db = await scratchDatabase('lock_busy');
    const ctx = db.ctx(dir.path);
    await migrateUp(ctx, { to: FIXTURE_REVISIONS[0] });
    const trx = await db.knex.transaction();
    try {
      // Another migrator mid-run holds the lock row.
      await trx('knex_migrations_lock').forUpdate().select('*');
      const error = await migrateUp(ctx).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(LockHeldError);
      expect(error).toMatchObject({ reason: 'busy' });
    } finally {
      await trx.rollback();
    }
    expect((await readStatus(ctx)).current).toBe(FIXTURE_REVISIONS[0]);
  });
});
