/**
 * Child process of the analytics and ledger benches: serves the platform (fastify + tRPC,
 * analytics worker thread as configured) so the load generator in the parent never shares its
 * event loop. IPC: { kind: 'stop' } closes it.
 */
import pino from 'pino';
import { createKnex } from '../../packages/server/src/db/knex.js';
import { buildServer } from '../../packages/server/src/http/server.js';
import { closeAnalyticsHost } from '../../packages/server/src/services/analytics/host.js';

const url = process.argv[2]!;
const db = createKnex({ connectionString: url, poolMax: 10, applicationName: 'fo-bench' });
const app = await buildServer({ db, databaseKind: 'external', logger: pino({ level: 'silent' }) });
const apiUrl = await app.listen({ host: '127.0.0.1', port: 0 });

process.on('message', (msg: { kind: string }) => {
  if (msg.kind === 'stop') {
    void (async () => {
      await app.close();
      await closeAnalyticsHost();
      await db.destroy();
      process.exit(0);
    })();
  }
});
process.send?.({ kind: 'ready', apiUrl });
