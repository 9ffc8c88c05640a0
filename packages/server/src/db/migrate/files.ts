/**
 * Migration files: TypeScript modules in `<repo>/migrations` named `YYYYMMDDHHMMSS_what_it_does.ts`.
 * The revision id is the file name without `.ts`; file-name order is application order.
 *
 * Modules are loaded with our own `import()`, so they run the same way under tsx, vitest and any
 * future bundler (Knex's built-in loader imports from node_modules and cannot see TypeScript there).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../../env.js';
import type { Knex } from '../knex.js';

export const MIGRATIONS_DIR = path.join(REPO_ROOT, 'migrations');
/** Bookkeeping tables, in the format Knex's own migrator uses, so either can read them. */
export const MIGRATIONS_TABLE = 'knex_migrations';
export const MIGRATIONS_LOCK_TABLE = 'knex_migrations_lock';

export const MIGRATION_FILE = /^\d{14}_[a-z0-9_]+\.ts$/;

export interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
  /** `transaction: false` for statements PostgreSQL refuses inside one (CREATE INDEX CONCURRENTLY). */
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

export async function loadMigration(migration: MigrationFile): Promise<MigrationModule> {
  const mod = (await import(pathToFileURL(migration.file).href)) as Partial<MigrationModule>;
  if (typeof mod.up !== 'function' || typeof mod.down !== 'function') {
    throw new Error(`Migration ${migration.name} must export up() and down()`);
  }
  return mod as MigrationModule;
}

export function isTransactional(mod: MigrationModule): boolean {
  return mod.config?.transaction !== false;
}

/** The first sentence of the file's header comment: what `history` shows next to the revision. */
export function describeMigration(migration: MigrationFile): string {
  let source: string;
  try {
    source = readFileSync(migration.file, 'utf8');
  } catch {
    return '';
  }
  const header = /\/\*\*?([\s\S]*?)\*\//.exec(source)?.[1];
  if (!header) return '';
  // The first paragraph of the comment, then its first sentence.
  const lines = header.split('\n').map((line) => line.replace(/^\s*\*\s?/, '').trim());
  const start = lines.findIndex((line) => line !== '');
  const end = lines.indexOf('', start + 1);
  const text = lines
    .slice(Math.max(start, 0), end === -1 ? undefined : end)
    .join(' ')
    .trim();
  const sentence = /^(.*?\.)(\s|$)/.exec(text)?.[1] ?? text;
  return sentence.length > 90 ? `${sentence.slice(0, 87)}...` : sentence;
}
