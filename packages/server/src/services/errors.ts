/**
 * Domain errors: what services throw. They know nothing of tRPC; one middleware maps them (and
 * database errors) to TRPCError codes, keeping the original as `cause`.
 */
import type { ErrorReason } from '@fo/schema';

export interface IssueDetail {
  path: (string | number)[];
  message: string;
}

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    message: string,
    readonly reason: ErrorReason,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** A record that does not exist or belongs to someone else: the two are indistinguishable. */
export class NotFoundError extends DomainError {
  override name = 'NotFoundError';
  /** `field`: the input field that named the record (e.g. `accountId`), reported in `error.data.field`. */
  constructor(entity: string, id?: string, field?: string) {
    super(id ? `${entity} ${id} not found` : `${entity} not found`, 'NOT_FOUND', field);
  }
}

/** Input that passed the schema but breaks a domain rule; names the offending field. */
export class ValidationError extends DomainError {
  override name = 'ValidationError';
  readonly issues: IssueDetail[];
  constructor(path: (string | number)[] | string, message: string) {
    const p = typeof path === 'string' ? [path] : path;
    super(`${p.join('.') || 'input'}: ${message}`, 'VALIDATION', p.join('.'));
    this.issues = [{ path: p, message }];
  }
}

export class ConflictError extends DomainError {
  override name = 'ConflictError';
  constructor(message: string, field?: string, reason: ErrorReason = 'CONFLICT') {
    super(message, reason, field);
  }
}

export class ForbiddenError extends DomainError {
  override name = 'ForbiddenError';
  constructor(message = 'Not allowed') {
    super(message, 'FORBIDDEN');
  }
}

export class UnauthenticatedError extends DomainError {
  override name = 'UnauthenticatedError';
  constructor(message = 'Authentication required') {
    super(message, 'UNAUTHENTICATED');
  }
}

export class RateLimitedError extends DomainError {
  override name = 'RateLimitedError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, 'RATE_LIMITED');
  }
}

export class NotConfiguredError extends DomainError {
  override name = 'NotConfiguredError';
  constructor(message: string) {
    super(message, 'NOT_CONFIGURED');
  }
}

/** A provider the platform calls (Plaid) failed or is unavailable; the request may succeed later. */
export class UpstreamError extends DomainError {
  override name = 'UpstreamError';
  constructor(message: string) {
    super(message, 'UPSTREAM_ERROR');
  }
}
