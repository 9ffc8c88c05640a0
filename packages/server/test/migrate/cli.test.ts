/**
 * `pnpm migrate` end to end, as a subprocess against DATABASE_URL: output and exit codes, and a
 * readable error (host and port, never the password) when the server cannot be reached.
 */
import { describe, expect, it } from 'vitest';
import { listMigrationFiles } from '../../src/db/migrations.js';
import { runMigrateCli, scratchDatabase } from '../support/migrate.js';
import { findFreePort } from '../support/ports.js';

// Each run starts tsx from scratch: a few seconds apiece on a busy machine.
const SUBPROCESSES = 120_000;

describe('pnpm migrate (subprocess)', () => {
  const files = listMigrationFiles().map((f) => f.name);

  it('status, up, current and an unknown revision, with their exit codes', {
    timeout: SUBPROCESSES,
  }, async () => {
    await using db = await scratchDatabase('cli');
    const env = { DATABASE_URL: db.url };

    const before = await runMigrateCli(['status'], env);
    expect(before).toMatchObject({ code: 0, stderr: '' });
    expect(before.stdout).toContain(`: 0 applied, ${files.length} pending (current: none)`);

    const up = await runMigrateCli([], env);
    expect(up.code).toBe(0);
    expect(up.stdout).toContain(`Applied ${files.length} migration`);

    const current = await runMigrateCli(['current'], env);
    expect(current).toMatchObject({ code: 0, stdout: `${files.at(-1)} (head)\n` });

    const unknown = await runMigrateCli(['down', 'core_schma'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(
      'Unknown revision "core_schma". Did you mean:\n  20261124000000_core_schema',
    );
    expect((await db.knex('knex_migrations').pluck('name')).sort()).toEqual(files);
  });

  it('names host and port, never the password, when the database is unreachable', {
    timeout: SUBPROCESSES,
  }, async () => {
    const port = await findFreePort();
    const result = await runMigrateCli(['status'], {
      DATABASE_URL: `postgres://app:Sup3r-s3cret@127.0.0.1:${port}/family_office`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      `Cannot reach PostgreSQL at 127.0.0.1:${port}/family_office (ECONNREFUSED). Is the server running, and is DATABASE_URL right?`,
    );
    expect(result.stdout + result.stderr).not.toContain('Sup3r-s3cret');
  });
});
