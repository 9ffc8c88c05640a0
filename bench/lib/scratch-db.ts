/**
 * A database of a suite's own: created on the PostgreSQL server of BENCH_DATABASE_URL,
 * DATABASE_URL or TEST_DATABASE_URL, else on an embedded server kept in .data/postgres-bench;
 * `drop()` removes it (and stops the embedded server).
 */
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../packages/server/src/db/embedded.js';
import { REPO_ROOT } from './process.js';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function scratchDatabase(label: string): Promise<ScratchDatabase> {
  const serverUrl =
    process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  let adminUrl: string;
  let stopEmbedded = async () => {};
  if (serverUrl) {
    adminUrl = withDatabase(serverUrl, 'postgres');
  } else {
    const embedded = await startEmbeddedPostgres({
      dataDir: path.join(REPO_ROOT, '.data/postgres-bench'),
      port: Number(process.env.EMBEDDED_PG_PORT ?? 54329) + 2,
      database: 'postgres',
    });
    adminUrl = embedded.adminUrl;
    stopEmbedded = () => embedded.stop();
  }
  const name = `fo_bench_${label}_${process.pid}`;
  await admin(adminUrl, `CREATE DATABASE "${name}"`);
  return {
    url: withDatabase(adminUrl, name),
    async drop() {
      await admin(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await stopEmbedded();
    },
  };
}
