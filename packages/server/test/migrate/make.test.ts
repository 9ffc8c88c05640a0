/** `pnpm migrate make` and the argument parser. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMigrateArgs } from '../../src/db/migrate/args.js';
import { executeCommand } from '../../src/db/migrate/command.js';
import { UsageError } from '../../src/db/migrate/errors.js';
import { listMigrationFiles, loadMigration, MIGRATION_FILE } from '../../src/db/migrate/files.js';
import { makeMigration, nextTimestamp, slugify } from '../../src/db/migrate/make.js';
import { migrateDown, migrateUp, readHistory } from '../../src/db/migrate/operations.js';
import {
  FIXTURE_REVISIONS,
  fixtureMigrations,
  recordIo,
  scratchDatabase,
  tempDir,
} from '../support/migrate.js';

describe('pnpm migrate make', { timeout: 120_000 }, () => {
  it('creates a timestamped file from the template that loads, lists and runs', async () => {
    await using dir = await tempDir('make');
    const made = await makeMigration(
      'Add tax lots & wash sales!',
      dir.path,
      new Date('2027-03-04T05:06:07.890Z'),
    );
    expect(made.revision).toBe('20270304050607_add_tax_lots_wash_sales');
    expect(path.basename(made.file)).toMatch(MIGRATION_FILE);

    const source = await readFile(made.file, 'utf8');
    expect(source.startsWith('/**\n * Add tax lots & wash sales!\n')).toBe(true);
    expect(source).toContain("import type { Knex } from 'knex';");
    const mod = await loadMigration({ name: made.revision, file: made.file });
    expect(typeof mod.up).toBe('function');
    expect(typeof mod.down).toBe('function');
    expect(listMigrationFiles(dir.path).map((f) => f.name)).toEqual([made.revision]);

    await using db = await scratchDatabase('make');
    const ctx = db.ctx(dir.path);
    expect(await migrateUp(ctx)).toEqual([made.revision]);
    expect((await readHistory(ctx))[0]).toMatchObject({
      description: 'Add tax lots & wash sales!',
      state: 'applied',
    });
    expect(await migrateDown(ctx)).toEqual([made.revision]);
  });

  it('always sorts the new revision last, even behind future-dated files', async () => {
    await using dir = await fixtureMigrations();
    const io = recordIo();
    expect(
      await executeCommand({ name: 'make', message: 'later one' }, { ...dummyContext(), dir: dir.path }, io),
    ).toBe(0);
    const names = listMigrationFiles(dir.path).map((f) => f.name);
    expect(names).toEqual([...FIXTURE_REVISIONS, '20990103000001_later_one']);
    expect(io.stdout[0]).toMatch(
      /^Created .*20990103000001_later_one\.ts \(revision 20990103000001_later_one\)$/,
    );

    expect(nextTimestamp(['20261124000000_core'], new Date('2026-11-24T00:00:00Z'))).toBe('20261124000001');
    expect(nextTimestamp(['20261124000000_core'], new Date('2026-12-01T10:11:12Z'))).toBe('20261201101112');
    expect(nextTimestamp([], new Date('2026-12-31T23:59:59Z'))).toBe('20261231235959');
    expect(slugify('  Ünïcode -- names  ')).toBe('unicode_names');
    await expect(makeMigration('!!!', dir.path)).rejects.toThrow(UsageError);
  });
});

function dummyContext() {
  // `make` never touches the database; the context only carries the directory.
  return { knex: null as never, target: 'unused', connectionString: 'postgres://unused' };
}

describe('pnpm migrate arguments', () => {
  it('parses every command of the table, with Flask-Migrate verbs as aliases', () => {
    expect(parseMigrateArgs([])).toEqual({ name: 'up', sql: false });
    expect(parseMigrateArgs(['up', '2026'])).toEqual({ name: 'up', to: '2026', sql: false });
    expect(parseMigrateArgs(['upgrade', '--sql'])).toEqual({ name: 'up', sql: true });
    expect(parseMigrateArgs(['down'])).toEqual({ name: 'down', all: false, sql: false });
    expect(parseMigrateArgs(['downgrade', 'abc', '--sql'])).toEqual({
      name: 'down',
      to: 'abc',
      all: false,
      sql: true,
    });
    expect(parseMigrateArgs(['down', '--all'])).toEqual({ name: 'down', all: true, sql: false });
    expect(parseMigrateArgs(['stamp', 'head'])).toEqual({ name: 'stamp', to: 'head' });
    expect(parseMigrateArgs(['make', 'add', 'lots'])).toEqual({ name: 'make', message: 'add lots' });
    expect(parseMigrateArgs(['migrate', '-m', 'add lots'])).toEqual({ name: 'make', message: 'add lots' });
    for (const name of ['current', 'history', 'status', 'check', 'unlock'] as const) {
      expect(parseMigrateArgs([name])).toEqual({ name });
    }
    expect(parseMigrateArgs(['--help'])).toEqual({ name: 'help' });
    expect(parseMigrateArgs(['status', '-h'])).toEqual({ name: 'help' });
  });

  it('rejects what it does not understand with a usage error (exit code 2)', () => {
    const usage = (argv: string[]) => {
      try {
        parseMigrateArgs(argv);
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        expect((err as UsageError).exitCode).toBe(2);
        return (err as Error).message;
      }
      throw new Error(`accepted ${argv.join(' ')}`);
    };
    expect(usage(['frobnicate'])).toMatch(/^Unknown command "frobnicate"/);
    expect(usage(['up', 'a', 'b'])).toMatch(/at most one revision/);
    expect(usage(['down', 'a', '--all'])).toMatch(/either a revision or --all/);
    expect(usage(['stamp'])).toMatch(/needs a revision/);
    expect(usage(['make'])).toMatch(/needs a message/);
    expect(usage(['status', '--sql'])).toMatch(/does not take --sql/);
    expect(usage(['up', '--bogus'])).toMatch(/Unknown option '--bogus'/);
  });
});

describe('pnpm migrate --help', () => {
  it('prints the command table without touching a database', async () => {
    const io = recordIo();
    expect(await executeCommand(parseMigrateArgs(['--help']), null, io)).toBe(0);
    const help = io.stdout.join('\n');
    for (const command of [
      'up [<rev>]',
      'down <rev>',
      'down --all',
      'up --sql',
      'current',
      'history',
      'status',
      'stamp <rev>',
      'make "message"',
      'check',
      'unlock',
    ]) {
      expect(help).toContain(`pnpm migrate ${command}`);
    }
  });
});
