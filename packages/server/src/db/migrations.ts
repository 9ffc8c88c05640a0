/**
 * Migration plumbing shared by `pnpm migrate`, `pnpm start`, `/readyz` and the tests. The files
 * and their loading live in migrate/files.ts, the runner and commands in migrate/; this module is
 * the small surface the rest of the server uses.
 */
import type { Knex } from './knex.js';
import { readApplied } from './migrate/bookkeeping.js';
import {
  listMigrationFiles,
  loadMigration,
  MIGRATIONS_DIR,
  MIGRATIONS_TABLE,
  type MigrationFile,
} from './migrate/files.js';

export {
  listMigrationFiles,
  loadMigration,
  MIGRATIONS_DIR,
  MIGRATIONS_LOCK_TABLE,
  MIGRATIONS_TABLE,
  type MigrationFile,
  type MigrationModule,
} from './migrate/files.js';
export { migrateLatest } from './migrate/operations.js';

/** Knex's own migrator reading our files, for tools that want Knex's API (`knex.migrate.*`). */
export class FileMigrationSource implements Knex.MigrationSource<MigrationFile> {
  constructor(private readonly dir = MIGRATIONS_DIR) {}

  getMigrations(): Promise<MigrationFile[]> {
    return Promise.resolve(listMigrationFiles(this.dir));
  }

  getMigrationName(migration: MigrationFile): string {
    return migration.name;
  }

  getMigration(migration: MigrationFile): Promise<Knex.Migration> {
    return loadMigration(migration);
  }
}

export function migratorConfig(dir = MIGRATIONS_DIR): Knex.MigratorConfig {
  return {
    migrationSource: new FileMigrationSource(dir),
    tableName: MIGRATIONS_TABLE,
    disableTransactions: false,
  };
}

export interface MigrationState {
  applied: { name: string; appliedAt: Date }[];
  pending: string[];
  /** The newest applied revision, or null on an empty database. */
  current: string | null;
}

export async function readMigrationState(knex: Knex, dir = MIGRATIONS_DIR): Promise<MigrationState> {
  const all = listMigrationFiles(dir).map((m) => m.name);
  const applied = await readApplied(knex);
  const appliedNames = new Set(applied.map((r) => r.name));
  return {
    applied: applied.map((r) => ({ name: r.name, appliedAt: r.appliedAt })),
    pending: all.filter((name) => !appliedNames.has(name)),
    current: applied.at(-1)?.name ?? null,
  };
}
