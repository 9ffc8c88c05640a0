/**
 * The record of applied migrations and the migration lock, in the tables and format of Knex's own
 * migrator (`knex_migrations`, `knex_migrations_lock`), so the two stay interchangeable.
 *
 * Locking has two layers. A transaction-scoped advisory lock makes a second concurrent run fail at
 * once instead of waiting (also on a brand-new database, before the tables exist). The
 * `is_locked` flag is Knex's: it is only ever committed as 1 by a run that executes migrations
 * outside a transaction, or by a run of Knex's own migrator that died; `pnpm migrate unlock` clears it.
 */

import type { Knex } from '../knex.js';
import type { Db } from '../transaction.js';
import { LockHeldError } from './errors.js';
import { MIGRATIONS_LOCK_TABLE, MIGRATIONS_TABLE } from './files.js';

export interface AppliedRevision {
  id: number;
  name: string;
  batch: number;
  appliedAt: Date;
}

/** Arbitrary constant identifying "a migration run" among this database's advisory locks. */
const ADVISORY_LOCK_KEY = 4_611_686_018_427_387_333n;
const LOCK_NOT_AVAILABLE = '55P03';

function createMigrationsTable(t: Knex.CreateTableBuilder): void {
  t.increments();
  t.string('name');
  t.integer('batch');
  t.timestamp('migration_time');
}

function createLockTable(t: Knex.CreateTableBuilder): void {
  t.increments('index').primary();
  t.integer('is_locked');
}

async function tableExists(db: Db, table: string): Promise<boolean> {
  const { rows } = await db.raw<{ rows: { exists: boolean }[] }>(
    'SELECT to_regclass(?) IS NOT NULL AS exists',
    [table],
  );
  return rows[0]?.exists === true;
}

export function hasBookkeeping(db: Db): Promise<boolean> {
  return tableExists(db, MIGRATIONS_TABLE);
}

/** Applied revisions in the order they were applied. Empty when the database was never migrated. */
export async function readApplied(db: Db): Promise<AppliedRevision[]> {
  if (!(await hasBookkeeping(db))) return [];
  const rows: { id: number; name: string; batch: number; migration_time: Date }[] = await db(MIGRATIONS_TABLE)
    .select('id', 'name', 'batch', 'migration_time')
    .orderBy('id');
  return rows.map((r) => ({ id: r.id, name: r.name, batch: r.batch, appliedAt: r.migration_time }));
}

export async function ensureBookkeeping(db: Db): Promise<void> {
  if (!(await tableExists(db, MIGRATIONS_TABLE)))
    await db.schema.createTable(MIGRATIONS_TABLE, createMigrationsTable);
  if (!(await tableExists(db, MIGRATIONS_LOCK_TABLE)))
    await db.schema.createTable(MIGRATIONS_LOCK_TABLE, createLockTable);
  const lockRow = await db(MIGRATIONS_LOCK_TABLE).first('index');
  if (!lockRow) await db(MIGRATIONS_LOCK_TABLE).insert({ is_locked: 0 });
}

/** The DDL `ensureBookkeeping` would run on a never-migrated database, for `--sql` previews. */
export function bookkeepingDdl(knex: Knex): string[] {
  return [
    knex.schema.createTable(MIGRATIONS_TABLE, createMigrationsTable).toString(),
    knex.schema.createTable(MIGRATIONS_LOCK_TABLE, createLockTable).toString(),
    knex(MIGRATIONS_LOCK_TABLE).insert({ is_locked: 0 }).toString(),
  ];
}

/**
 * Takes the migration lock inside `trx` (creating the bookkeeping tables on first use). Throws
 * LockHeldError, changing nothing, when another run holds it.
 */
export async function acquireLock(trx: Knex.Transaction, target: string): Promise<void> {
  const { rows } = await trx.raw<{ rows: { ok: boolean }[] }>(
    'SELECT pg_try_advisory_xact_lock(?::bigint) AS ok',
    [ADVISORY_LOCK_KEY.toString()],
  );
  if (!rows[0]?.ok) throw new LockHeldError(target, 'busy');
  await ensureBookkeeping(trx);
  let row: { is_locked: number } | undefined;
  try {
    row = await trx(MIGRATIONS_LOCK_TABLE).select('is_locked').forUpdate().noWait().first();
  } catch (err) {
    if ((err as { code?: string }).code === LOCK_NOT_AVAILABLE) throw new LockHeldError(target, 'busy');
    throw err;
  }
  if (row?.is_locked) throw new LockHeldError(target, 'flag');
  await trx(MIGRATIONS_LOCK_TABLE).update({ is_locked: 1 });
}

export async function releaseLock(db: Db): Promise<void> {
  await db(MIGRATIONS_LOCK_TABLE).update({ is_locked: 0 });
}

/** Clears a stale lock flag. Returns whether it was set. */
export async function clearLock(db: Db): Promise<boolean> {
  if (!(await tableExists(db, MIGRATIONS_LOCK_TABLE))) return false;
  const cleared = await db(MIGRATIONS_LOCK_TABLE).where('is_locked', '<>', 0).update({ is_locked: 0 });
  return cleared > 0;
}

export async function nextBatch(db: Db): Promise<number> {
  const row = await db(MIGRATIONS_TABLE).max<{ max: number | null }>('batch as max').first();
  return (row?.max ?? 0) + 1;
}

export function recordApplied(db: Db, name: string, batch: number) {
  return db(MIGRATIONS_TABLE).insert({ name, batch, migration_time: new Date() });
}

export function recordReverted(db: Db, name: string) {
  return db(MIGRATIONS_TABLE).where({ name }).delete();
}
