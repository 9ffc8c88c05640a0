/**
 * One place that turns domain and database errors into tRPC errors. Services throw DomainErrors
 * or let PostgreSQL reject bad writes; this maps both to stable codes with a message naming the
 * field, and keeps the original as `cause`.
 */
import type { ErrorReason } from '@fo/schema';
import { TRPCError } from '@trpc/server';
import objection from 'objection';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotConfiguredError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  UpstreamError,
  ValidationError,
} from '../services/errors.js';

type TRPCCode = TRPCError['code'];

interface PgErrorLike {
  code?: string;
  constraint?: string;
  table?: string;
  detail?: string;
  column?: string;
}

function nativePgError(err: unknown): PgErrorLike | null {
  if (!err || typeof err !== 'object') return null;
  const native = (err as { nativeError?: unknown }).nativeError ?? err;
  const code = (native as PgErrorLike).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? (native as PgErrorLike) : null;
}

const CONSTRAINT_SUFFIXES = /_(check|nonneg|pos|iso|range|length|normalized|present|uq|fk|idx)$/;

/** Best-effort field name from a unique violation's detail, `Key (account_id, external_id)=(...)`. */
function fieldFromDetail(detail: string | undefined): string | undefined {
  const match = detail && /Key \((.+?)\)=/.exec(detail);
  if (!match?.[1]) return undefined;
  const columns = match[1]
    .split(',')
    .map((c) => c.trim().replace(/^lower\((.+)\)$/, '$1'))
    .filter((c) => c !== 'user_id' && c !== 'account_id');
  return columns.join(', ') || match[1];
}

function fieldFromConstraint(constraint: string | undefined, table: string | undefined): string | undefined {
  if (!constraint) return undefined;
  let name = constraint;
  if (table && name.startsWith(`${table}_`)) name = name.slice(table.length + 1);
  return name.replace(CONSTRAINT_SUFFIXES, '') || constraint;
}

function pgToDomain(pg: PgErrorLike): DomainError | null {
  switch (pg.code) {
    case '23505': {
      const field = fieldFromDetail(pg.detail) ?? fieldFromConstraint(pg.constraint, pg.table);
      return new ConflictError(
        `A record with this ${field ?? 'value'} already exists`,
        field,
        'UNIQUE_VIOLATION',
      );
    }
    case '23514':
    case '23502': {
      const field = pg.column ?? fieldFromConstraint(pg.constraint, pg.table);
      const err = new ValidationError(
        field ? [field] : [],
        `violates the rule ${pg.constraint ?? 'not null'}`,
      );
      return err;
    }
    case '23503': {
      // Deleting a row others still reference vs. inserting a reference to a missing row.
      if (pg.detail?.includes('is still referenced')) {
        return new ConflictError(
          'The record is still referenced by other records',
          undefined,
          'CONSTRAINT_VIOLATION',
        );
      }
      const field = fieldFromDetail(pg.detail);
      return new ValidationError(field ? [field] : [], 'references a record that does not exist');
    }
    case '22021': // a NUL character or invalid UTF-8 in text
    case '22P02':
    case '22003':
    case '22007':
    case '22008':
    case '22001':
      return new ValidationError([], `invalid value (${pg.code})`);
    case '40001':
    case '40P01':
    case '55P03':
      return new ConflictError(
        'The record was changed concurrently; retry the request',
        undefined,
        'STALE_VERSION',
      );
    default:
      return null;
  }
}

function codeFor(err: DomainError): TRPCCode {
  if (err instanceof NotFoundError) return 'NOT_FOUND';
  if (err instanceof ValidationError) return 'BAD_REQUEST';
  if (err instanceof ConflictError) return 'CONFLICT';
  if (err instanceof ForbiddenError) return 'FORBIDDEN';
  if (err instanceof UnauthenticatedError) return 'UNAUTHORIZED';
  if (err instanceof RateLimitedError) return 'TOO_MANY_REQUESTS';
  if (err instanceof NotConfiguredError) return 'PRECONDITION_FAILED';
  if (err instanceof UpstreamError) return 'BAD_GATEWAY';
  const byReason: Partial<Record<ErrorReason, TRPCCode>> = {
    NOT_FOUND: 'NOT_FOUND',
    VALIDATION: 'BAD_REQUEST',
    FORBIDDEN: 'FORBIDDEN',
    UNAUTHENTICATED: 'UNAUTHORIZED',
    RATE_LIMITED: 'TOO_MANY_REQUESTS',
    NOT_CONFIGURED: 'PRECONDITION_FAILED',
    UPSTREAM_ERROR: 'BAD_GATEWAY',
  };
  return byReason[err.reason] ?? 'CONFLICT';
}

/** Maps a thrown value to a TRPCError, or null when it is not one we know (left as a 500). */
export function toTRPCError(err: unknown): TRPCError | null {
  if (err instanceof TRPCError) return null;
  let domain: DomainError | null = null;
  if (err instanceof DomainError) domain = err;
  else if (err instanceof objection.NotFoundError) domain = new NotFoundError('Record');
  else {
    const pg = nativePgError(err);
    if (pg) domain = pgToDomain(pg);
  }
  if (!domain) return null;
  return new TRPCError({ code: codeFor(domain), message: domain.message, cause: domain });
}
