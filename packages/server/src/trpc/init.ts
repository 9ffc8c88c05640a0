/**
 * The single initTRPC. Exports the router factory, the procedure builders and the caller factory;
 * everything else builds on these.
 */
import type { Scope } from '@fo/schema';
import { transformer } from '@fo/schema/transformer';
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError, z } from 'zod';
import { resolveActor } from '../auth/authenticate.js';
import { mutationAllowed } from '../auth/csrf.js';
import { DomainError, RateLimitedError, ValidationError } from '../services/errors.js';
import { type Context, fromDbHandle } from './context.js';
import { toTRPCError } from './errors.js';

export interface ProcedureMeta {
  /** Scope a credential needs; default `read` for queries and subscriptions, `write` for mutations. */
  scope?: Scope;
  /** Callable with a session that still awaits its MFA code (only auth.verifyMfa and auth.logout). */
  allowPendingMfa?: boolean;
  /** Only sessions may call it, never API tokens (credential management). */
  sessionOnly?: boolean;
}

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    transformer,
    errorFormatter({ shape, error }) {
      const cause = error.cause;
      const issues =
        cause instanceof ZodError
          ? cause.issues.map((i) => ({
              path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
              message: i.message,
            }))
          : cause instanceof ValidationError
            ? cause.issues
            : undefined;
      return {
        ...shape,
        data: {
          ...shape.data,
          // Stack traces stay in the server's logs.
          stack: undefined,
          reason:
            cause instanceof DomainError ? cause.reason : cause instanceof ZodError ? 'VALIDATION' : null,
          field: cause instanceof DomainError ? (cause.field ?? null) : null,
          issues: issues ?? null,
          zodError: error.code === 'BAD_REQUEST' && cause instanceof ZodError ? z.flattenError(cause) : null,
          retryAfterSeconds: cause instanceof RateLimitedError ? cause.retryAfterSeconds : null,
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const mergeRouters = t.mergeRouters;

/**
 * The path of the first string holding U+0000, which PostgreSQL's text types cannot store: such
 * input is refused up front, naming the field, instead of failing in the database.
 */
function findNulCharacter(value: unknown, path: (string | number)[] = []): (string | number)[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNulCharacter(value[i], [...path, i]);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) return [...path, key];
      const found = findNulCharacter(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

/**
 * Maps domain and database errors to TRPCErrors, unwraps the database handle, and refuses
 * cross-site mutations that ride on the session cookie (CSRF; see auth/csrf.ts).
 */
const baseProcedure = t.procedure.use(async ({ ctx, type, next, getRawInput }) => {
  if (type === 'mutation' && !mutationAllowed(ctx.credential?.transport ?? null, ctx.request.originVerdict)) {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: 'Cross-site request refused: cookie-authenticated changes must come from an allowed origin',
    });
  }
  const nulAt = findNulCharacter(await getRawInput());
  if (nulAt) {
    const cause = new ValidationError(nulAt, 'must not contain the NUL character (U+0000)');
    throw new TRPCError({ code: 'BAD_REQUEST', message: cause.message, cause });
  }
  const result = await next({ ctx: { db: fromDbHandle(ctx.db) } });
  if (!result.ok) {
    const mapped = toTRPCError(result.error.cause);
    if (mapped) throw mapped;
  }
  return result;
});

export const publicProcedure = baseProcedure;

/** Requires an authenticated actor holding the procedure's scope; narrows `ctx.actor`. */
export const authedProcedure = baseProcedure.use(async ({ ctx, meta, type, next }) => {
  const actor =
    ctx.actor ?? (await resolveActor(ctx.db, ctx.credential, { allowPendingMfa: meta?.allowPendingMfa }));
  if (!actor) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Authentication required' });
  if (meta?.sessionOnly && actor.via === 'token') {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: 'API tokens cannot manage credentials; sign in with a session',
    });
  }
  const scope: Scope = meta?.scope ?? (type === 'mutation' ? 'write' : 'read');
  if (!actor.scopes.has(scope)) {
    throw new TRPCError({ code: 'FORBIDDEN', message: `This credential lacks the '${scope}' scope` });
  }
  return next({ ctx: { actor } });
});
