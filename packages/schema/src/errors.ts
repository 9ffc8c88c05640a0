/**
 * Stable, machine-readable reasons carried in `error.data.reason` next to tRPC's `code`, so SDK
 * users can branch on them without parsing messages.
 */
export const ERROR_REASONS = [
  'VALIDATION',
  'NOT_FOUND',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'UNIQUE_VIOLATION',
  'CONSTRAINT_VIOLATION',
  'CONFLICT',
  'INSUFFICIENT_QUANTITY',
  'STALE_VERSION',
  'RATE_LIMITED',
  'NOT_CONFIGURED',
  /** A provider the platform depends on (Plaid) failed or is unavailable; retry later. */
  'UPSTREAM_ERROR',
  'INTERNAL',
] as const;
export type ErrorReason = (typeof ERROR_REASONS)[number];
