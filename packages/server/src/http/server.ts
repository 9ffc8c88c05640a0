/**
 * The HTTP server: fastify with the tRPC adapter at /trpc, liveness at /healthz and readiness at
 * /readyz. Request ids come from `x-request-id` when the caller sends one.
 */
import { randomUUID } from 'node:crypto';
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import Fastify, { type FastifyRequest } from 'fastify';
import type { DatabaseKind } from '../db/database.js';
import type { Knex } from '../db/knex.js';
import { readMigrationState } from '../db/migrations.js';
import type { Logger } from '../logger.js';
import { type AppRouter, appRouter } from '../routers/index.js';
import { type Credential, createContextInner } from '../trpc/context.js';

export interface BuildServerOptions {
  db: Knex;
  databaseKind: DatabaseKind;
  logger: Logger;
  /** Largest request body accepted, bytes (imports send up to 10,000 rows). */
  bodyLimit?: number;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

function credentialFrom(req: FastifyRequest): Credential | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) {
    const token = auth.slice(7).trim();
    return token ? { token, transport: 'bearer' } : null;
  }
  return null;
}

export async function buildServer(opts: BuildServerOptions) {
  const app = Fastify({
    loggerInstance: opts.logger,
    bodyLimit: opts.bodyLimit ?? 32 * 1024 * 1024,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { maxParamLength: 5_000 },
    return503OnClosing: true,
  });

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    try {
      const state = await readMigrationState(opts.db);
      if (state.pending.length > 0) {
        return reply.code(503).send({ status: 'migrations_pending', pending: state.pending });
      }
      return { status: 'ready', revision: state.current };
    } catch (err) {
      opts.logger.warn({ err }, 'readiness check failed');
      return reply.code(503).send({ status: 'database_unreachable' });
    }
  });

  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: ({ req, res }) =>
        createContextInner({
          db: opts.db,
          databaseKind: opts.databaseKind,
          credential: credentialFrom(req),
          request: {
            requestId: String(req.id),
            ip: req.ip ?? null,
            userAgent: req.headers['user-agent'] ?? null,
            origin: req.headers.origin ?? null,
            secFetchSite: (req.headers['sec-fetch-site'] as string | undefined) ?? null,
          },
          response: { setHeader: (name, value) => void res.header(name, value) },
        }),
      onError({ error, path, req }) {
        if (error.code === 'INTERNAL_SERVER_ERROR') {
          req.log.error({ err: error.cause ?? error, path }, 'procedure failed');
        }
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  });

  return app;
}
