/**
 * Every migration's `down` reverses its `up`: stepping up one migration at a time records the
 * catalog after each step; stepping down must pass through the same catalogs in reverse, back to
 * the empty database; and a second full `up` rebuilds exactly the first.
 */
import { describe, expect, it } from 'vitest';
import { type CatalogSnapshot, snapshotCatalog } from '../../src/db/catalog.js';
import { migrateDown, migrateUp, readStatus } from '../../src/db/migrate/operations.js';
import { listMigrationFiles } from '../../src/db/migrations.js';
import { scratchDatabase } from '../support/migrate.js';

// Runs every migration up and down three times: give it room as the list grows.
describe('migrations are reversible', { timeout: 300_000 }, () => {
  const files = listMigrationFiles();

  it('has migrations to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('down reverses up, one migration at a time, and up again rebuilds the same schema', async () => {
    await using db = await scratchDatabase('reversible');
    const ctx = db.ctx();
    const empty = await snapshotCatalog(db.knex);
    expect(empty.tables).toEqual({});

    // Up, one step at a time: snapshots[i] is the catalog with the first i migrations applied.
    const snapshots: CatalogSnapshot[] = [empty];
    for (const file of files) {
      expect(await migrateUp(ctx, { to: file.name })).toEqual([file.name]);
      snapshots.push(await snapshotCatalog(db.knex));
    }
    const full = snapshots.at(-1)!;
    for (const table of ['users', 'accounts', 'assets', 'real_estate', 'transactions', 'agent_tasks']) {
      expect(full.tables).toHaveProperty(`public.${table}`, 'table');
    }

    // Down, one step at a time, through the same catalogs in reverse.
    for (let i = files.length - 1; i >= 0; i--) {
      expect(await migrateDown(ctx)).toEqual([files[i]!.name]);
      expect(await snapshotCatalog(db.knex), `after reverting ${files[i]!.name}`).toEqual(snapshots[i]);
    }
    expect((await readStatus(ctx)).applied).toEqual([]);

    // Up all at once, then down --all, then up again.
    expect(await migrateUp(ctx)).toEqual(files.map((f) => f.name));
    expect(await snapshotCatalog(db.knex)).toEqual(full);
    expect(await migrateDown(ctx, { all: true })).toEqual(files.map((f) => f.name).reverse());
    expect(await snapshotCatalog(db.knex)).toEqual(empty);
    await migrateUp(ctx);
    expect(await snapshotCatalog(db.knex)).toEqual(full);
  });
});
