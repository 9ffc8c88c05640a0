/**
 * A real HTTP server on an ephemeral port over the worker database, disposed with `await using`.
 */
import { createClient } from '@fo/sdk';
import pino, { type Logger } from 'pino';
import { buildServer } from '../../src/http/server.js';
import { getTestDb } from './db.js';

export interface TestServer extends AsyncDisposable {
  url: string;
  client(token?: string): ReturnType<typeof createClient>;
}

export interface TestServerOptions {
  /** The server's logger (default: silent); tests that inspect logs pass a capturing one. */
  logger?: Logger;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const db = await getTestDb();
  const app = await buildServer({
    db,
    databaseKind: 'external',
    logger: options.logger ?? pino({ level: 'silent' }),
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: address,
    client: (token?: string) => createClient({ url: address, ...(token ? { token } : {}) }),
    async [Symbol.asyncDispose]() {
      await app.close();
    },
  };
}
