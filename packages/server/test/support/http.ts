/**
 * A real HTTP server on an ephemeral port over the worker database, disposed with `await using`.
 */
import { createClient } from '@fo/sdk';
import pino from 'pino';
import { buildServer } from '../../src/http/server.js';
import { getTestDb } from './db.js';

export interface TestServer extends AsyncDisposable {
  url: string;
  client(token?: string): ReturnType<typeof createClient>;
}

export async function startTestServer(): Promise<TestServer> {
  const db = await getTestDb();
  const app = await buildServer({ db, databaseKind: 'external', logger: pino({ level: 'silent' }) });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: address,
    client: (token?: string) => createClient({ url: address, ...(token ? { token } : {}) }),
    async [Symbol.asyncDispose]() {
      await app.close();
    },
  };
}
