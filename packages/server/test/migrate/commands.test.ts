/**
 * `up <rev>`, `down <rev>`, `down`, `down --all`, `current`, `history`, `status`, `stamp` and
 * revision errors, on three small fixture migrations in a temporary directory.
 */
import { describe, expect, it } from 'vitest';
import { executeCommand } from '../../src/db/migrate/command.js';
import { UnknownRevisionError, UsageError } from '../../src/db/migrate/errors.js';
import { migrateDown, migrateUp, readHistory, readStatus, stamp } from '../../src/db/migrate/operations.js';
import {
  FIXTURE_REVISIONS,
  fixtureMigrations,
  publicTables,
  recordIo,
  scratchDatabase,
} from '../support/migrate.js';

const [FIRST, SECOND, THIRD] = FIXTURE_REVISIONS as [string, string, string];

describe('pnpm migrate commands', { timeout: 120_000 }, () => {
  it('up <rev> applies up to and including rev; down <rev> leaves rev applied; down goes one step', async () => {
    await using dir = await fixtureMigrations();
    await using db = await scratchDatabase('cmd_updown');
    const ctx = db.ctx(dir.path);

    expect(await migrateUp(ctx, { to: '20990102' })).toEqual([FIRST, SECOND]);
    expect(await publicTables(db.knex)).toEqual(['knex_migrations', 'knex_migrations_lock', 'widgets']);
    expect((await readStatus(ctx)).current).toBe(SECOND);
    // Already there: nothing to do.
    expect(await migrateUp(ctx, { to: FIRST })).toEqual([]);

    expect(await migrateUp(ctx)).toEqual([THIRD]);
    expect(await migrateDown(ctx, { to: FIRST })).toEqual([THIRD, SECOND]);
    expect((await readStatus(ctx)).current).toBe(FIRST);
    const columns = await db
      .knex('information_schema.columns')
      .where({ table_name: 'widgets' })
      .pluck('column_name');
    expect(columns.sort()).toEqual(['id', 'name']);

    expect(await migrateDown(ctx)).toEqual([FIRST]);
    expect(await migrateDown(ctx)).toEqual([]);
    expect(await publicTables(db.knex)).toEqual(['knex_migrations', 'knex_migrations_lock']);

    await migrateUp(ctx);
    expect(await migrateDown(ctx, { all: true })).toEqual([THIRD, SECOND, FIRST]);
    expect(await migrateDown(ctx, { to: 'base' })).toEqual([]);
  });

  it('current, history and status report applied and pending revisions in order, with names and times', async () => {
    await using dir = await fixtureMigrations();
    await using db = await scratchDatabase('cmd_history');
    const ctx = db.ctx(dir.path);

    let io = recordIo();
    expect(await executeCommand({ name: 'current' }, ctx, io)).toBe(0);
    expect(io.stdout).toEqual(['No migration applied (3 pending migrations).']);

    const before = new Date();
    await migrateUp(ctx, { to: FIRST });
    await migrateUp(ctx, { to: SECOND });
    const history = await readHistory(ctx);
    expect(history.map((h) => [h.revision, h.state, h.batch, h.description])).toEqual([
      [FIRST, 'applied', 1, 'Widgets: the first table.'],
      [SECOND, 'applied', 2, 'Widget colors.'],
      [THIRD, 'pending', null, 'Gadgets, which belong to widgets.'],
    ]);
    expect(history[0]!.appliedAt!.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    expect(history[2]!.appliedAt).toBeNull();

    io = recordIo();
    expect(await executeCommand({ name: 'current' }, ctx, io)).toBe(0);
    expect(io.stdout).toEqual([`${SECOND} (1 pending migration; head is ${THIRD})`]);

    io = recordIo();
    expect(await executeCommand({ name: 'history' }, ctx, io)).toBe(0);
    expect(io.stdout).toHaveLength(3);
    expect(io.stdout[0]).toMatch(
      new RegExp(`^\\[x\\] ${FIRST}  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ \\(batch 1\\)  Widgets`),
    );
    expect(io.stdout[1]).toMatch(
      new RegExp(`^\\[x\\] ${SECOND} \\(current\\)  .*\\(batch 2\\)  Widget colors\\.$`),
    );
    expect(io.stdout[2]).toBe(`[ ] ${THIRD} (head)  pending  Gadgets, which belong to widgets.`);

    io = recordIo();
    expect(await executeCommand({ name: 'status' }, ctx, io)).toBe(0);
    expect(io.stdout[0]).toMatch(/: 2 applied, 1 pending \(current: 20990102000000_add_widget_color\)$/);
    expect(io.stdout[1]).toBe(`  pending: ${THIRD}`);

    await migrateUp(ctx);
    io = recordIo();
    await executeCommand({ name: 'current' }, ctx, io);
    expect(io.stdout).toEqual([`${THIRD} (head)`]);
  });

  it('stamp records revisions as applied or not without running them', async () => {
    await using dir = await fixtureMigrations();
    await using db = await scratchDatabase('cmd_stamp');
    const ctx = db.ctx(dir.path);

    expect(await stamp(ctx, SECOND)).toEqual({ marked: [FIRST, SECOND], unmarked: [] });
    expect(await publicTables(db.knex)).toEqual(['knex_migrations', 'knex_migrations_lock']);
    expect((await readStatus(ctx)).pending.map((p) => p.name)).toEqual([THIRD]);

    expect(await stamp(ctx, FIRST)).toEqual({ marked: [], unmarked: [SECOND] });
    expect(await stamp(ctx, 'base')).toEqual({ marked: [], unmarked: [FIRST] });
    expect((await readStatus(ctx)).applied).toEqual([]);

    // The usual use: the schema exists already (built by hand); stamp, then only newer migrations run.
    await db.knex.raw('CREATE TABLE widgets (id serial PRIMARY KEY, name text NOT NULL)');
    await stamp(ctx, FIRST);
    expect(await migrateUp(ctx)).toEqual([SECOND, THIRD]);
    const io = recordIo();
    expect(await executeCommand({ name: 'stamp', to: 'head' }, ctx, io)).toBe(0);
    expect(io.stdout).toEqual([
      expect.stringMatching(/^Stamped .* \(no migration was run\):$/),
      '  the record already matched',
    ]);
  });

  it('rejects an unknown revision, listing close matches, and changes nothing', async () => {
    await using dir = await fixtureMigrations();
    await using db = await scratchDatabase('cmd_unknown');
    const ctx = db.ctx(dir.path);

    await expect(migrateUp(ctx, { to: 'create_widgtes' })).rejects.toThrow(UnknownRevisionError);
    await expect(migrateUp(ctx, { to: 'create_widgtes' })).rejects.toMatchObject({ suggestions: [FIRST] });
    await expect(stamp(ctx, '20990104000000')).rejects.toThrow(UnknownRevisionError);
    await expect(migrateUp(ctx, { to: '2099010' })).rejects.toThrow(UsageError);
    expect(await publicTables(db.knex)).toEqual([]);

    const io = recordIo();
    expect(await executeCommand({ name: 'up', to: 'gadgetz', sql: false }, ctx, io)).toBe(1);
    expect(io.stderr.join('\n')).toBe(`Unknown revision "gadgetz". Did you mean:\n  ${THIRD}`);
    expect(await publicTables(db.knex)).toEqual([]);

    await migrateUp(ctx, { to: FIRST });
    await expect(migrateDown(ctx, { to: SECOND })).rejects.toThrow(/is not applied/);
    await expect(migrateDown(ctx, { to: 'nonsense' })).rejects.toThrow(UnknownRevisionError);
    expect((await readStatus(ctx)).current).toBe(FIRST);
  });

  it('refuses to run when applied revisions have no file, and says which', async () => {
    await using dir = await fixtureMigrations();
    await using db = await scratchDatabase('cmd_missing');
    const ctx = db.ctx(dir.path);
    await migrateUp(ctx);
    await db
      .knex('knex_migrations')
      .insert({ name: '20990105000000_from_another_branch', batch: 9, migration_time: new Date() });

    await expect(migrateDown(ctx)).rejects.toThrow(/20990105000000_from_another_branch/);
    const io = recordIo();
    expect(await executeCommand({ name: 'status' }, ctx, io)).toBe(0);
    expect(io.stdout).toContain('  applied but missing from migrations/: 20990105000000_from_another_branch');
    expect((await readHistory(ctx)).at(-1)).toMatchObject({
      revision: '20990105000000_from_another_branch',
      state: 'missing',
    });
  });
});
