/**
 * Child process of the net-worth bench: serves the platform (fastify + tRPC) and, for the
 * baseline, a hand-written node:http + pg handler running accounts.list's query, so the load
 * generator in the parent never competes with the servers for an event loop. Talks to the parent
 * over IPC: { kind: 'count' } answers the queries run since the last count and the process's CPU time.
 */
import http from 'node:http';
import pg from 'pg';
import pino from 'pino';
import { createKnex } from '../../packages/server/src/db/knex.js';
import { buildServer } from '../../packages/server/src/http/server.js';

const url = process.argv[2]!;
const userId = process.argv[3]!;
const db = createKnex({ connectionString: url, poolMax: 10, applicationName: 'fo-bench' });
const app = await buildServer({ db, databaseKind: 'external', logger: pino({ level: 'silent' }) });
const apiUrl = await app.listen({ host: '127.0.0.1', port: 0 });

// The baseline: the same columns, filter, order and limit + 1 as accounts.list's first page.
const pool = new pg.Pool({ connectionString: url, max: 10 });
const BASELINE_SQL = `SELECT id, name, type, subtype, institution, currency, tracking_mode, cost_basis_method,
    allow_short, cash_balance, balance_as_of, plaid_item_id, plaid_account_id, sync_status, last_synced_at,
    sync_error, closed_at, created_at, updated_at, created_at::text AS _cursor
  FROM accounts WHERE user_id = $1 AND closed_at IS NULL ORDER BY created_at, id LIMIT 51`;
const raw = http.createServer((_req, res) => {
  pool.query(BASELINE_SQL, [userId]).then(
    ({ rows }) => {
      const body = JSON.stringify({
        items: rows.slice(0, 50),
        nextCursor: rows.length > 50 ? rows[50]._cursor : null,
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    },
    (err: Error) => res.writeHead(500).end(err.message),
  );
});
await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
const rawUrl = `http://127.0.0.1:${(raw.address() as { port: number }).port}`;

let queries = 0;
db.on('query', () => {
  queries += 1;
});
process.on('message', (msg: { kind: string }) => {
  if (msg.kind === 'count') {
    const cpu = process.cpuUsage();
    process.send?.({ kind: 'count', queries, cpuMicros: cpu.user + cpu.system });
    queries = 0;
  } else if (msg.kind === 'stop') {
    void (async () => {
      await app.close();
      await new Promise((resolve) => raw.close(resolve));
      await pool.end();
      await db.destroy();
      process.exit(0);
    })();
  }
});
process.send?.({ kind: 'ready', apiUrl, rawUrl });
