/**
 * /readyz: 200 only when the database answers and every migration is applied; 503 with a reason
 * otherwise, and within a deadline even when the database never answers.
 */
import net from 'node:net';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createKnex, type Knex } from '../src/db/knex.js';
import { listMigrationFiles, migrateLatest } from '../src/db/migrations.js';
import { buildServer } from '../src/http/server.js';
import { createEmptyDatabase, scratchDatabaseName } from './support/db.js';

async function readyz(db: Knex, readinessTimeoutMs?: number) {
  const app = await buildServer({
    db,
    databaseKind: 'external',
    logger: pino({ level: 'silent' }),
    ...(readinessTimeoutMs ? { readinessTimeoutMs } : {}),
  });
  try {
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  } finally {
    await app.close();
  }
}

/** A TCP server that accepts connections and never says a word: a hung database. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('/readyz', () => {
  it('is 503 while migrations are pending, and 200 once they are applied', async () => {
    const url = await createEmptyDatabase(scratchDatabaseName('readyz'));
    const db = createKnex({ connectionString: url, poolMax: 2 });
    try {
      const pending = await readyz(db);
      expect(pending).toEqual({
        status: 503,
        body: { status: 'migrations_pending', pending: listMigrationFiles().map((m) => m.name) },
      });
      await migrateLatest(db);
      const ready = await readyz(db);
      expect(ready).toEqual({
        status: 200,
        body: { status: 'ready', revision: listMigrationFiles().at(-1)?.name },
      });
    } finally {
      await db.destroy();
    }
  });

  it('is 503 when the database refuses connections', async () => {
    const db = createKnex({ connectionString: `postgres://postgres@127.0.0.1:${await closedPort()}/x` });
    try {
      expect(await readyz(db)).toEqual({ status: 503, body: { status: 'database_unreachable' } });
    } finally {
      await db.destroy();
    }
  });

  it('is 503 within its deadline when the database never answers', async () => {
    const hung = await silentServer();
    const db = createKnex({ connectionString: `postgres://postgres@127.0.0.1:${hung.port}/x` });
    try {
      expect(await readyz(db, 300)).toEqual({ status: 503, body: { status: 'database_unreachable' } });
    } finally {
      await hung.close();
      await db.destroy();
    }
  });
});
