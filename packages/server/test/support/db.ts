/**
 * The worker's own database, cloned from the migrated template on first use, and a reset that
 * empties every table between tests.
 */
import pg from 'pg';
import { inject } from 'vitest';
import { createKnex, type Knex } from '../../src/db/knex.js';
import { MIGRATIONS_LOCK_TABLE, MIGRATIONS_TABLE } from '../../src/db/migrations.js';

let knex: Knex | null = null;
let databaseUrl: string | null = null;
let tables: string[] | null = null;

function workerDatabaseName(): string {
  const { runId } = inject('testDatabase');
  return `fo_test_${runId}_${process.env.VITEST_POOL_ID ?? '0'}`;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates a fresh database from the migrated template; returns its URL. */
export async function createDatabaseFromTemplate(name: string): Promise<string> {
  const { adminUrl, template } = inject('testDatabase');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await client.end();
  }
  return withDatabase(adminUrl, name);
}

/** Creates an empty database (no migrations), for migration tests. */
export async function createEmptyDatabase(name: string): Promise<string> {
  const { adminUrl } = inject('testDatabase');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return withDatabase(adminUrl, name);
}

export function scratchDatabaseName(suffix: string): string {
  return `${workerDatabaseName()}_${suffix}`;
}

export async function getTestDatabaseUrl(): Promise<string> {
  databaseUrl ??= await createDatabaseFromTemplate(workerDatabaseName());
  return databaseUrl;
}

/** The worker database's Knex instance (shared by the tests of one file). */
export async function getTestDb(): Promise<Knex> {
  if (knex) return knex;
  knex = createKnex({
    connectionString: await getTestDatabaseUrl(),
    poolMax: 10,
    applicationName: 'fo-test',
  });
  return knex;
}

/**
 * Empties every application table between tests. DELETE with foreign-key triggers off
 * (session_replication_role = replica, one round trip) instead of TRUNCATE: TRUNCATE of a few dozen
 * tables recreates their files and costs close to a second per test on a busy machine, DELETE of a
 * few rows costs milliseconds. Tables are few rows each in tests; the big ones belong to benches.
 */
export async function resetDb(): Promise<void> {
  const db = await getTestDb();
  tables ??= (
    await db.raw<{ rows: { tablename: string }[] }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN (?, ?)`,
      [MIGRATIONS_TABLE, MIGRATIONS_LOCK_TABLE],
    )
  ).rows.map((r) => r.tablename);
  if (!tables.length) return;
  const deletes = tables.map((t) => `DELETE FROM "${t}";`).join(' ');
  await db.raw(`BEGIN; SET LOCAL session_replication_role = replica; ${deletes} COMMIT;`);
}

export async function closeTestDb(): Promise<void> {
  await knex?.destroy();
  knex = null;
}
