/**
 * The HTTP server: fastify with the tRPC adapter at /trpc, liveness at /healthz, readiness at
 * /readyz and Plaid's webhooks at /webhooks/plaid. Request ids come from `x-request-id` when the
 * caller sends one.
 */
import { randomUUID } from 'node:crypto';
import type { TRPCError } from '@trpc/server';
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import Fastify, { type FastifyRequest } from 'fastify';
import { sessionTokenFromCookieHeader } from '../auth/cookies.js';
import { allowedOrigins, originVerdict } from '../auth/csrf.js';
import type { DatabaseKind } from '../db/database.js';
import type { Knex } from '../db/knex.js';
import { readMigrationState } from '../db/migrations.js';
import type { Logger } from '../logger.js';
import { type AppRouter, appRouter } from '../routers/index.js';
import { RateLimitedError } from '../services/errors.js';
import { type Credential, createContextInner } from '../trpc/context.js';
import { plaidWebhookRoutes } from './plaid-webhook.js';

export interface BuildServerOptions {
  db: Knex;
  databaseKind: DatabaseKind;
  logger: Logger;
  /** Largest request body accepted, bytes (imports send up to 10,000 rows). */
  bodyLimit?: number;
  /** Origins allowed to send cookie-authenticated mutations, besides PUBLIC_URL and CSRF_ALLOWED_ORIGINS. */
  allowedOrigins?: string[];
  /** /readyz answers 503 when the database has not answered within this time (default 2 s). */
  readinessTimeoutMs?: number;
}

type Readiness =
  | { status: 'ready'; revision: string | null }
  | { status: 'migrations_pending'; pending: string[] }
  | { status: 'database_unreachable'; error?: unknown };

/**
 * Ready means: the database answers, within the deadline (a probe must not hang on a partitioned
 * network), and every migration on disk is applied.
 */
async function checkReadiness(db: Knex, timeoutMs: number): Promise<Readiness> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Readiness>((resolve) => {
    timer = setTimeout(
      () => resolve({ status: 'database_unreachable', error: new Error(`no answer within ${timeoutMs} ms`) }),
      timeoutMs,
    );
  });
  const check = readMigrationState(db).then(
    (state): Readiness =>
      state.pending.length > 0
        ? { status: 'migrations_pending', pending: state.pending }
        : { status: 'ready', revision: state.current },
    (error: unknown): Readiness => ({ status: 'database_unreachable', error }),
  );
  try {
    return await Promise.race([check, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** `Authorization: Bearer` (SDK, scripts) wins over the session cookie (web apps). */
function credentialFrom(req: FastifyRequest): Credential | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) {
    const token = auth.slice(7).trim();
    return token ? { token, transport: 'bearer' } : null;
  }
  const cookie = sessionTokenFromCookieHeader(req.headers.cookie);
  return cookie ? { token: cookie, transport: 'cookie' } : null;
}

function header(req: FastifyRequest, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' ? value : null;
}

/** The error's RateLimitedError, if it is one (for the Retry-After header). */
function rateLimitOf(error: TRPCError): RateLimitedError | null {
  return error.cause instanceof RateLimitedError ? error.cause : null;
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

  // On close, fastify stops listening, closes idle keep-alive connections and answers new requests
  // on busy ones with 503; a response still in flight then asks its client to close the
  // connection, or the server would wait for that client to hang up.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    if (closing) reply.header('connection', 'close');
  });

  // Probes run every few seconds; their request logs would drown everything else.
  app.get('/healthz', { logLevel: 'warn' }, async () => ({ status: 'ok' }));

  app.get('/readyz', { logLevel: 'warn' }, async (_req, reply) => {
    const readiness = await checkReadiness(opts.db, opts.readinessTimeoutMs ?? 2_000);
    if (readiness.status === 'ready') return readiness;
    if (readiness.status === 'database_unreachable') {
      opts.logger.warn({ err: readiness.error }, 'readiness check failed');
      return reply.code(503).send({ status: readiness.status });
    }
    return reply.code(503).send(readiness);
  });

  // Its own scope: the raw-body parser it needs applies to this route only.
  await app.register(plaidWebhookRoutes(opts.db));

  const configuredOrigins = allowedOrigins(opts.allowedOrigins);

  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: ({ req, res }) => {
        const origin = header(req, 'origin');
        const secFetchSite = header(req, 'sec-fetch-site');
        // The server's own origin as this request reached it is always allowed (same-origin).
        const own = `${req.protocol}://${req.host}`;
        const allowed = configuredOrigins.has(own) ? configuredOrigins : new Set([...configuredOrigins, own]);
        return createContextInner({
          db: opts.db,
          databaseKind: opts.databaseKind,
          credential: credentialFrom(req),
          request: {
            requestId: String(req.id),
            ip: req.ip ?? null,
            userAgent: header(req, 'user-agent'),
            origin,
            secFetchSite,
            originVerdict: originVerdict({ origin, secFetchSite }, allowed),
          },
          response: { setHeader: (name, value) => void res.header(name, value) },
        });
      },
      responseMeta({ errors }) {
        const limited = errors.map(rateLimitOf).find((e) => e !== null);
        return limited ? { headers: new Headers({ 'retry-after': String(limited.retryAfterSeconds) }) } : {};
      },
      onError({ error, path, req }) {
        if (error.code === 'INTERNAL_SERVER_ERROR') {
          req.log.error({ err: error.cause ?? error, path }, 'procedure failed');
        }
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  });

  return app;
}
