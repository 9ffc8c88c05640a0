/**
 * `pnpm migrate make "message"`: a new migration file named `YYYYMMDDHHMMSS_message.ts` (UTC), from
 * a template with the header comment, `up` and `down`. The timestamp is never earlier than the newest
 * existing file's, so the new revision always sorts last.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from './errors.js';
import { listMigrationFiles, MIGRATION_FILE, MIGRATIONS_DIR } from './files.js';

export function slugify(message: string): string {
  return message
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60)
    .replace(/_+$/, '');
}

function formatTimestamp(date: Date): string {
  return date.toISOString().replace(/\D/g, '').slice(0, 14);
}

function parseTimestamp(stamp: string): Date {
  const [y, mo, d, h, mi, s] = [0, 4, 6, 8, 10, 12].map((at, i) =>
    Number(stamp.slice(at, at + (i === 0 ? 4 : 2))),
  );
  return new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
}

/** Now, or one second after the newest existing revision if that is later. */
export function nextTimestamp(existing: readonly string[], now: Date = new Date()): string {
  const newest = existing.at(-1)?.slice(0, 14);
  if (newest && formatTimestamp(now) <= newest) {
    return formatTimestamp(new Date(parseTimestamp(newest).getTime() + 1000));
  }
  return formatTimestamp(now);
}

export function migrationTemplate(message: string): string {
  const header = message.trim().replace(/\*\//g, '* /');
  return `/**
 * ${header}
 *
 * Why: what needs this change, and what it means for existing rows.
 * Once on main, never edit this file; add a new migration instead.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  // e.g. await knex.schema.alterTable('accounts', (t) => { ... });
  // Name every constraint and index; give foreign keys an explicit ON DELETE.
}

export async function down(knex: Knex): Promise<void> {
  // Reverse everything up() did, in the opposite order.
}
`;
}

export interface MadeMigration {
  revision: string;
  file: string;
}

export async function makeMigration(
  message: string,
  dir = MIGRATIONS_DIR,
  now?: Date,
): Promise<MadeMigration> {
  const slug = slugify(message);
  if (!slug)
    throw new UsageError(
      'Give the migration a message with letters or digits, e.g. `pnpm migrate make "add tax lots"`.',
    );
  const stamp = nextTimestamp(
    listMigrationFiles(dir).map((f) => f.name),
    now,
  );
  const fileName = `${stamp}_${slug}.ts`;
  if (!MIGRATION_FILE.test(fileName))
    throw new UsageError(`Cannot build a valid file name from "${message}".`);
  const file = path.join(dir, fileName);
  if (existsSync(file)) throw new UsageError(`${file} already exists.`);
  await writeFile(file, migrationTemplate(message), { flag: 'wx' });
  return { revision: fileName.replace(/\.ts$/, ''), file };
}
