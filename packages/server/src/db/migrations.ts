/**
 * Migration plumbing shared by `pnpm migrate`, `pnpm start`, `/readyz` and the tests. Migrations
 * are TypeScript files in `<repo>/migrations`, named `YYYYMMDDHHMMSS_what_it_does.ts`; the
 * revision id is the file name without its extension.
 *
 * A custom migration source loads them with our own `import()`, so they run the same way under
 * tsx, vitest and any future bundler (Knex's built-in loader imports from node_modules and cannot
 * see TypeScript there).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../env.js';
import type { Knex } from './knex.js';

export const MIGRATIONS_DIR = path.join(REPO_ROOT, 'migrations');
export const MIGRATIONS_TABLE = 'knex_migrations';
export const MIGRATIONS_LOCK_TABLE = 'knex_migrations_lock';

const MIGRATION_FILE = /^\d{14}_[a-z0-9_]+\.ts$/;

export interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
  config?: { transaction?: boolean };
}

export interface MigrationFile {
  /** Revision id: the file name without `.ts`. */
  name: string;
  file: string;
}

export function listMigrationFiles(dir = MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir)
    .filter((f) => MIGRATION_FILE.test(f))
    .sort()
    .map((f) => ({ name: f.replace(/\.ts$/, ''), file: path.join(dir, f) }));
}

export class FileMigrationSource implements Knex.MigrationSource<MigrationFile> {
  constructor(private readonly dir = MIGRATIONS_DIR) {}

  getMigrations(): Promise<MigrationFile[]> {
    return Promise.resolve(listMigrationFiles(this.dir));
  }

  getMigrationName(migration: MigrationFile): string {
    return migration.name;
  }

  async getMigration(migration: MigrationFile): Promise<Knex.Migration> {
    const mod = (await import(pathToFileURL(migration.file).href)) as MigrationModule;
    if (typeof mod.up !== 'function' || typeof mod.down !== 'function') {
      throw new Error(`Migration ${migration.name} must export up() and down()`);
    }
    return mod;
  }
}

export function migratorConfig(dir = MIGRATIONS_DIR): Knex.MigratorConfig {
  return {
    migrationSource: new FileMigrationSource(dir),
    tableName: MIGRATIONS_TABLE,
    // Each migration runs in its own transaction: a failing one rolls back whole.
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
  const hasTable = await knex.schema.hasTable(MIGRATIONS_TABLE);
  const rows: { name: string; migration_time: Date }[] = hasTable
    ? await knex(MIGRATIONS_TABLE).select('name', 'migration_time').orderBy('id')
    : [];
  const appliedNames = new Set(rows.map((r) => r.name));
  return {
    applied: rows.map((r) => ({ name: r.name, appliedAt: r.migration_time })),
    pending: all.filter((name) => !appliedNames.has(name)),
    current: rows.at(-1)?.name ?? null,
  };
}

export async function migrateLatest(knex: Knex, dir = MIGRATIONS_DIR): Promise<string[]> {
  const [, names] = (await knex.migrate.latest(migratorConfig(dir))) as [number, string[]];
  return names;
}
