/**
 * `pnpm migrate check`: is the database where the migrations say it should be? Fails when
 * migrations are pending or recorded revisions have no file, and when the live schema differs
 * from what the applied migrations produce. The reference is built for real: a scratch database
 * on the same server, migrated to the same revisions, then the two catalogs are compared. The
 * scratch database is always dropped.
 */
import { randomBytes } from 'node:crypto';
import { type CatalogSnapshot, diffCatalogs, snapshotCatalog } from '../catalog.js';
import { createKnex } from '../knex.js';
import { readApplied } from './bookkeeping.js';
import { MigrateError } from './errors.js';
import { listMigrationFiles, MIGRATIONS_DIR } from './files.js';
import { type MigrateContext, readStatus } from './operations.js';
import { runMigrations } from './runner.js';

export interface CheckContext extends MigrateContext {
  /** Connection string of the database being checked; the scratch database lives on the same server. */
  connectionString: string;
}

export interface CheckResult {
  ok: boolean;
  current: string | null;
  pending: string[];
  missing: string[];
  /** Schema differences, live database vs. the migrations (see diffCatalogs). */
  differences: string[];
}

function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Builds the schema the applied revisions produce, in a scratch database, and snapshots it. */
async function referenceCatalog(ctx: CheckContext, revisions: string[]): Promise<CatalogSnapshot> {
  const scratch = `fo_check_${process.pid}_${randomBytes(4).toString('hex')}`;
  try {
    await ctx.knex.raw('CREATE DATABASE ??', [scratch]);
  } catch (err) {
    throw new MigrateError(
      `check needs to create a scratch database on ${ctx.target.replace(/\/[^/]*$/, '')}, and could not: ${(err as Error).message}`,
    );
  }
  const knex = createKnex({
    connectionString: withDatabase(ctx.connectionString, scratch),
    poolMax: 2,
    applicationName: 'fo-migrate-check',
  });
  try {
    const files = listMigrationFiles(ctx.dir ?? MIGRATIONS_DIR);
    const wanted = new Set(revisions);
    await runMigrations(knex, {
      direction: 'up',
      target: scratch,
      plan: () => files.filter((f) => wanted.has(f.name)),
    });
    return await snapshotCatalog(knex);
  } finally {
    await knex.destroy();
    await ctx.knex.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [scratch]);
  }
}

export async function checkSchema(ctx: CheckContext): Promise<CheckResult> {
  const status = await readStatus(ctx);
  const applied = (await readApplied(ctx.knex))
    .map((a) => a.name)
    .filter((name) => !status.missing.includes(name));
  const [expected, actual] = [await referenceCatalog(ctx, applied), await snapshotCatalog(ctx.knex)];
  const differences = diffCatalogs(expected, actual);
  return {
    ok: status.pending.length === 0 && status.missing.length === 0 && differences.length === 0,
    current: status.current,
    pending: status.pending.map((p) => p.name),
    missing: status.missing,
    differences,
  };
}
