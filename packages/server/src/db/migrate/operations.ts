/**
 * The migration operations behind `pnpm migrate`: plain functions over a Knex handle and a
 * migrations directory, returning what they did. Formatting and exit codes live in command.ts.
 */
import type { Knex } from '../knex.js';
import {
  type AppliedRevision,
  acquireLock,
  clearLock,
  nextBatch,
  readApplied,
  releaseLock,
} from './bookkeeping.js';
import { MigrateError, MissingRevisionsError, UsageError } from './errors.js';
import {
  describeMigration,
  listMigrationFiles,
  MIGRATIONS_DIR,
  MIGRATIONS_TABLE,
  type MigrationFile,
} from './files.js';
import { type Revision, resolveRevision } from './revisions.js';
import { runMigrations } from './runner.js';

export interface MigrateContext {
  knex: Knex;
  /** Directory of migration files; default `<repo>/migrations`. */
  dir?: string;
  /** host:port/database, safe to print. */
  target: string;
}

export interface PreviewOptions {
  /** Print the SQL through `onSql` instead of changing anything. */
  dryRun?: boolean;
  onSql?: (statement: string) => void;
}

export interface MigrationStatus {
  applied: AppliedRevision[];
  pending: MigrationFile[];
  /** Applied revisions whose files are not in the directory. */
  missing: string[];
  /** Newest applied revision; null on an empty database. */
  current: string | null;
  /** Newest migration file. */
  head: string | null;
}

export interface HistoryEntry {
  revision: string;
  description: string;
  state: 'applied' | 'pending' | 'missing';
  appliedAt: Date | null;
  batch: number | null;
}

function filesOf(ctx: MigrateContext): MigrationFile[] {
  return listMigrationFiles(ctx.dir ?? MIGRATIONS_DIR);
}

function missingFiles(applied: AppliedRevision[], files: MigrationFile[]): string[] {
  const names = new Set(files.map((f) => f.name));
  return applied.map((a) => a.name).filter((name) => !names.has(name));
}

function assertNoneMissing(ctx: MigrateContext, applied: AppliedRevision[], files: MigrationFile[]): void {
  const missing = missingFiles(applied, files);
  if (missing.length) throw new MissingRevisionsError(missing, ctx.dir ?? MIGRATIONS_DIR);
}

export async function readStatus(ctx: MigrateContext): Promise<MigrationStatus> {
  const files = filesOf(ctx);
  const applied = await readApplied(ctx.knex);
  const appliedNames = new Set(applied.map((a) => a.name));
  return {
    applied,
    pending: files.filter((f) => !appliedNames.has(f.name)),
    missing: missingFiles(applied, files),
    current: applied.at(-1)?.name ?? null,
    head: files.at(-1)?.name ?? null,
  };
}

/** Every revision in order: the files (applied or pending), then applied revisions with no file. */
export async function readHistory(ctx: MigrateContext): Promise<HistoryEntry[]> {
  const files = filesOf(ctx);
  const applied = new Map((await readApplied(ctx.knex)).map((a) => [a.name, a]));
  const entries: HistoryEntry[] = files.map((f) => {
    const row = applied.get(f.name);
    return {
      revision: f.name,
      description: describeMigration(f),
      state: row ? 'applied' : 'pending',
      appliedAt: row?.appliedAt ?? null,
      batch: row?.batch ?? null,
    };
  });
  const fileNames = new Set(files.map((f) => f.name));
  for (const row of applied.values()) {
    if (fileNames.has(row.name)) continue;
    entries.push({
      revision: row.name,
      description: '',
      state: 'missing',
      appliedAt: row.appliedAt,
      batch: row.batch,
    });
  }
  return entries;
}

/** Applies pending migrations: all, or those up to and including `to`. */
export async function migrateUp(
  ctx: MigrateContext,
  options: PreviewOptions & { to?: string } = {},
): Promise<string[]> {
  const files = filesOf(ctx);
  let limit: string | undefined;
  if (options.to !== undefined) {
    const rev = resolveRevision(
      options.to,
      files.map((f) => f.name),
    );
    if (rev === null)
      throw new UsageError('`up base` does nothing; to empty the database use `pnpm migrate down --all`.');
    limit = rev;
  }
  return runMigrations(ctx.knex, {
    direction: 'up',
    target: ctx.target,
    dryRun: options.dryRun,
    onSql: options.onSql,
    plan(applied) {
      assertNoneMissing(ctx, applied, files);
      const done = new Set(applied.map((a) => a.name));
      return files.filter((f) => !done.has(f.name) && (limit === undefined || f.name <= limit));
    },
  });
}

/**
 * Reverts migrations: the newest one (no `to`), or every one applied after `to`, leaving `to`
 * applied (`base` or `all: true` empties the database). Newest first.
 */
export async function migrateDown(
  ctx: MigrateContext,
  options: PreviewOptions & { to?: string; all?: boolean } = {},
): Promise<string[]> {
  const files = filesOf(ctx);
  const fileByName = new Map(files.map((f) => [f.name, f]));
  let to: Revision | undefined = options.all ? null : undefined;
  if (options.to !== undefined && !options.all) {
    const applied = await readApplied(ctx.knex);
    const known = [...new Set([...files.map((f) => f.name), ...applied.map((a) => a.name)])].sort();
    to = resolveRevision(options.to, known);
    if (to !== null && !applied.some((a) => a.name === to)) {
      const current = applied.at(-1)?.name ?? 'none (empty database)';
      throw new MigrateError(
        `Revision ${to} is not applied, so there is nothing to go down to. Current: ${current}.`,
      );
    }
  }
  return runMigrations(ctx.knex, {
    direction: 'down',
    target: ctx.target,
    dryRun: options.dryRun,
    onSql: options.onSql,
    plan(applied) {
      const newestFirst = [...applied].reverse();
      const chosen =
        to === undefined ? newestFirst.slice(0, 1) : newestFirst.filter((a) => to === null || a.name > to);
      const missing = chosen.map((a) => a.name).filter((name) => !fileByName.has(name));
      if (missing.length) throw new MissingRevisionsError(missing, ctx.dir ?? MIGRATIONS_DIR);
      return chosen.map((a) => fileByName.get(a.name)!);
    },
  });
}

export interface StampResult {
  marked: string[];
  unmarked: string[];
}

/**
 * Rewrites the record so that exactly the revisions up to and including `rev` count as applied,
 * without running any migration (`base` clears the record).
 */
export async function stamp(ctx: MigrateContext, revision: string): Promise<StampResult> {
  const files = filesOf(ctx);
  const rev = resolveRevision(
    revision,
    files.map((f) => f.name),
  );
  const wanted = files.filter((f) => rev !== null && f.name <= rev).map((f) => f.name);
  return ctx.knex.transaction(async (trx) => {
    await acquireLock(trx, ctx.target);
    const applied = await readApplied(trx);
    const appliedNames = new Set(applied.map((a) => a.name));
    const wantedNames = new Set(wanted);
    const marked = wanted.filter((name) => !appliedNames.has(name));
    const unmarked = applied.map((a) => a.name).filter((name) => !wantedNames.has(name));
    if (unmarked.length) await trx(MIGRATIONS_TABLE).whereIn('name', unmarked).delete();
    if (marked.length) {
      const batch = await nextBatch(trx);
      const now = new Date();
      await trx(MIGRATIONS_TABLE).insert(marked.map((name) => ({ name, batch, migration_time: now })));
    }
    await releaseLock(trx);
    return { marked, unmarked };
  });
}

/** Clears a lock left by an interrupted run. Returns whether one was set. */
export function unlock(ctx: MigrateContext): Promise<boolean> {
  return clearLock(ctx.knex);
}

/** Applies every pending migration (what `pnpm start` does on boot). */
export function migrateLatest(knex: Knex, dir = MIGRATIONS_DIR, target = 'the database'): Promise<string[]> {
  return migrateUp({ knex, dir, target });
}
