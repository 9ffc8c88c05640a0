/**
 * Request context in two layers: `createContextInner` needs no HTTP request (tests and scripts
 * call it directly); the HTTP adapter wraps it. Library types (Knex, Fastify) stay out of the
 * root context type so they never reach the SDK's declarations: the database travels as an
 * opaque `DbHandle` that a middleware unwraps.
 */
import type { Actor } from '../actor.js';
import type { OriginVerdict } from '../auth/csrf.js';
import type { Knex } from '../db/knex.js';

declare const dbHandleBrand: unique symbol;
/** The database, opaque outside the server. */
export interface DbHandle {
  readonly [dbHandleBrand]: true;
}

export function toDbHandle(knex: Knex): DbHandle {
  return knex as unknown as DbHandle;
}

export function fromDbHandle(handle: DbHandle): Knex {
  return handle as unknown as Knex;
}

export interface RequestInfo {
  requestId: string;
  ip: string | null;
  userAgent: string | null;
  /** Origin of the request (Origin header), for CSRF checks on cookie-authenticated mutations. */
  origin: string | null;
  secFetchSite: string | null;
  /**
   * What the browser headers say about where the request comes from, judged by the HTTP layer
   * against the allowed origins; `absent` for non-browser and in-process callers.
   */
  originVerdict: OriginVerdict;
}

/** Writes to the HTTP response (cookies, headers); absent for in-process callers. */
export interface ResponseWriter {
  setHeader(name: string, value: string | string[]): void;
}

/** How the request authenticated, before it is turned into an Actor. */
export interface Credential {
  token: string;
  transport: 'bearer' | 'cookie';
}

export interface Context {
  db: DbHandle;
  /** Which PostgreSQL the server runs on: the embedded default or DATABASE_URL. */
  databaseKind: 'embedded' | 'external';
  /** Set by the auth layer once a credential is validated. */
  actor: Actor | null;
  credential: Credential | null;
  request: RequestInfo;
  response: ResponseWriter | null;
}

export interface CreateContextInnerOptions {
  db: Knex;
  databaseKind?: 'embedded' | 'external';
  actor?: Actor | null;
  credential?: Credential | null;
  request?: Partial<RequestInfo>;
  response?: ResponseWriter | null;
}

export function createContextInner(opts: CreateContextInnerOptions): Context {
  return {
    db: toDbHandle(opts.db),
    databaseKind: opts.databaseKind ?? 'external',
    actor: opts.actor ?? null,
    credential: opts.credential ?? null,
    request: {
      requestId: opts.request?.requestId ?? 'internal',
      ip: opts.request?.ip ?? null,
      userAgent: opts.request?.userAgent ?? null,
      origin: opts.request?.origin ?? null,
      secFetchSite: opts.request?.secFetchSite ?? null,
      originVerdict: opts.request?.originVerdict ?? 'absent',
    },
    response: opts.response ?? null,
  };
}
