/**
 * Helpers for the migration tests: scratch databases (empty, dropped on dispose), temporary
 * migration directories, and a CommandIo that records what a command printed.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { createKnex, describeConnection, type Knex } from '../../src/db/knex.js';
import type { CheckContext } from '../../src/db/migrate/check.js';
import type { CommandIo } from '../../src/db/migrate/command.js';
import { REPO_ROOT } from '../../src/env.js';
import { createEmptyDatabase, scratchDatabaseName } from './db.js';

export interface ScratchDatabase extends AsyncDisposable {
  name: string;
  url: string;
  knex: Knex;
  /** A context for the migrate operations, over `dir` (default: the real migrations). */
  ctx(dir?: string): CheckContext;
}

export async function dropDatabase(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('testDatabase').adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** An empty database of this worker's, dropped when disposed. */
export async function scratchDatabase(suffix: string): Promise<ScratchDatabase> {
  const name = scratchDatabaseName(suffix);
  const url = await createEmptyDatabase(name);
  const knex = createKnex({ connectionString: url, poolMax: 4, applicationName: 'fo-test-migrate' });
  return {
    name,
    url,
    knex,
    ctx: (dir) => ({ knex, target: describeConnection(url), connectionString: url, ...(dir && { dir }) }),
    async [Symbol.asyncDispose]() {
      await knex.destroy();
      await dropDatabase(name);
    },
  };
}

export interface TempDir extends AsyncDisposable {
  path: string;
  write(file: string, content: string): Promise<string>;
}

/** A directory under <repo>/.tmp (git-ignored), removed when disposed. */
export async function tempDir(prefix: string): Promise<TempDir> {
  const dir = path.join(REPO_ROOT, '.tmp', `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(dir, { recursive: true });
  return {
    path: dir,
    async write(file, content) {
      const full = path.join(dir, file);
      await writeFile(full, content);
      return full;
    },
    async [Symbol.asyncDispose]() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A migration file's source: `up` runs `upSql` statements, `down` runs `downSql`. */
export function migrationSource(upSql: string[], downSql: string[], header = 'Test migration.'): string {
  const body = (sql: string[]) => sql.map((s) => `  await knex.raw(${JSON.stringify(s)});`).join('\n');
  return `/** ${header} */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
${body(upSql)}
}

export async function down(knex: Knex): Promise<void> {
${body(downSql)}
}
`;
}

/** Three small migrations (widgets, a column and index, gadgets) in a temporary directory. */
export async function fixtureMigrations(): Promise<TempDir> {
  const dir = await tempDir('migrations');
  await dir.write(
    '20990101000000_create_widgets.ts',
    migrationSource(
      ['CREATE TABLE widgets (id serial PRIMARY KEY, name text NOT NULL)'],
      ['DROP TABLE widgets'],
      'Widgets: the first table.',
    ),
  );
  await dir.write(
    '20990102000000_add_widget_color.ts',
    migrationSource(
      ['ALTER TABLE widgets ADD COLUMN color text', 'CREATE INDEX widgets_color_idx ON widgets (color)'],
      ['DROP INDEX widgets_color_idx', 'ALTER TABLE widgets DROP COLUMN color'],
      'Widget colors.',
    ),
  );
  await dir.write(
    '20990103000000_create_gadgets.ts',
    migrationSource(
      ['CREATE TABLE gadgets (id serial PRIMARY KEY, widget_id int REFERENCES widgets ON DELETE CASCADE)'],
      ['DROP TABLE gadgets'],
      'Gadgets, which belong to widgets.',
    ),
  );
  return dir;
}

export const FIXTURE_REVISIONS = [
  '20990101000000_create_widgets',
  '20990102000000_add_widget_color',
  '20990103000000_create_gadgets',
];

export interface RecordedIo extends CommandIo {
  stdout: string[];
  stderr: string[];
  text(): string;
}

export function recordIo(): RecordedIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    text: () => [...stdout, ...stderr].join('\n'),
  };
}

/** Names of the tables in `public`, sorted. */
export async function publicTables(knex: Knex): Promise<string[]> {
  const { rows } = await knex.raw<{ rows: { tablename: string }[] }>(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
  );
  return rows.map((r) => r.tablename);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `pnpm -s migrate <args>` from the repository root, as a user would, with `env` on top of this process's. */
export function runMigrateCli(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete childEnv[key];
  return new Promise((resolve, reject) => {
    execFile(
      'pnpm',
      ['-s', 'migrate', ...args],
      { cwd: REPO_ROOT, env: childEnv, timeout: 120_000 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err);
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
  });
}
