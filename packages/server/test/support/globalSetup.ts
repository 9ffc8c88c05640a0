/**
 * Once per test run: find a PostgreSQL server (TEST_DATABASE_URL, else an embedded one kept in
 * .data/postgres-test), build a template database with every migration applied, and hand its
 * name to the workers, which clone it (CREATE DATABASE ... TEMPLATE) into one database each.
 * Names carry a run id so concurrent runs on one server never collide.
 */
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { createKnex } from '../../src/db/knex.js';
import { migrateLatest } from '../../src/db/migrations.js';
import { getEnv, REPO_ROOT } from '../../src/env.js';
import { findFreePort } from './ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabase: { adminUrl: string; template: string; runId: string; kind: 'embedded' | 'external' };
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export default async function setup(project: TestProject) {
  const env = getEnv();
  let adminUrl: string;
  let stopEmbedded: (() => Promise<void>) | null = null;
  if (env.TEST_DATABASE_URL) {
    adminUrl = env.TEST_DATABASE_URL;
  } else {
    const embedded = await startEmbeddedPostgres({
      dataDir: path.join(REPO_ROOT, '.data/postgres-test'),
      // A port the OS says is free right now: runs from several checkouts never collide.
      port: await findFreePort(),
      database: 'postgres',
    });
    adminUrl = embedded.adminUrl;
    stopEmbedded = () => embedded.stop();
  }

  const runId = `${process.pid}_${Date.now().toString(36)}`;
  const template = `fo_tpl_${runId}`;
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE "${template}"`));
  const knex = createKnex({ connectionString: withDatabase(adminUrl, template), poolMax: 2 });
  try {
    await migrateLatest(knex);
  } finally {
    await knex.destroy();
  }

  project.provide('testDatabase', {
    adminUrl,
    template,
    runId,
    kind: stopEmbedded ? 'embedded' : 'external',
  });

  return async () => {
    await admin(adminUrl, async (c) => {
      const { rows } = await c.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`,
        [`fo_test_${runId}_%`, template],
      );
      for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    });
    await stopEmbedded?.();
  };
}
