/**
 * Throttling of password and second-factor attempts, in PostgreSQL so every API instance sees the
 * same counts. Each key (an account, a client address) counts failures in a window (15 minutes by
 * default). Reaching the limit (10 per account) locks the key until the window's end; each further
 * failure locks it again for base·2^(failures-limit) seconds, capped (exponential backoff). A key
 * whose last failure is a whole window old starts over; a successful sign-in clears the account's
 * key (not the address's: one valid account must not reset an attacker's address budget).
 */

import type { Db } from '../db/transaction.js';
import { getEnv } from '../env.js';
import { RateLimitedError } from '../services/errors.js';
import { sha256Hex } from './secrets.js';

export interface ThrottleLimit {
  key: string;
  maxFailures: number;
}

export interface ThrottlePolicy {
  windowS: number;
  baseDelayS: number;
  maxDelayS: number;
}

export function throttlePolicy(): ThrottlePolicy {
  const env = getEnv();
  return {
    windowS: env.AUTH_THROTTLE_WINDOW_S,
    baseDelayS: env.AUTH_THROTTLE_BASE_DELAY_S,
    maxDelayS: env.AUTH_THROTTLE_MAX_DELAY_S,
  };
}

/** Seconds until the most restrictive of the keys accepts an attempt; 0 when none is locked. */
export async function retryAfterSeconds(db: Db, keys: readonly string[]): Promise<number> {
  if (keys.length === 0) return 0;
  const row = await db('auth_throttle')
    .whereIn('key', keys)
    .andWhere('locked_until', '>', db.fn.now())
    .max({ until: 'locked_until' })
    .first<{ until: Date | null }>();
  if (!row?.until) return 0;
  return Math.max(1, Math.ceil((row.until.getTime() - Date.now()) / 1000));
}

/** Throws RateLimitedError when any key is locked. */
export async function assertNotThrottled(db: Db, keys: readonly string[], what = 'attempts'): Promise<void> {
  const wait = await retryAfterSeconds(db, keys);
  if (wait > 0) {
    throw new RateLimitedError(`Too many failed ${what}; try again in ${wait} seconds`, wait);
  }
}

/** Records one failure against each key (one statement per key, atomic under concurrency). */
export async function recordFailure(
  db: Db,
  limits: readonly ThrottleLimit[],
  policy: ThrottlePolicy = throttlePolicy(),
): Promise<void> {
  for (const { key, maxFailures } of limits) {
    // A key starts over once a whole window has passed since its last failure and its last lock.
    await db.raw(
      `INSERT INTO auth_throttle AS t (key, failures, window_started_at, last_failure_at, locked_until)
       VALUES (:key, 1, now(), now(), CASE WHEN :max <= 1 THEN now() + make_interval(secs => :window) END)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN GREATEST(t.last_failure_at, COALESCE(t.locked_until, t.last_failure_at)) <= now() - make_interval(secs => :window) THEN 1 ELSE t.failures + 1 END,
         window_started_at = CASE WHEN GREATEST(t.last_failure_at, COALESCE(t.locked_until, t.last_failure_at)) <= now() - make_interval(secs => :window) THEN now() ELSE t.window_started_at END,
         last_failure_at = now(),
         locked_until = CASE
           WHEN GREATEST(t.last_failure_at, COALESCE(t.locked_until, t.last_failure_at)) <= now() - make_interval(secs => :window)
             THEN CASE WHEN :max <= 1 THEN now() + make_interval(secs => :window) END
           WHEN t.failures + 1 >= :max THEN GREATEST(
             t.window_started_at + make_interval(secs => :window),
             now() + make_interval(secs => LEAST(CAST(:maxDelay AS float8),
               CAST(:baseDelay AS float8) * power(2, LEAST(t.failures + 1 - :max, 30)))))
           ELSE t.locked_until END`,
      {
        key,
        max: maxFailures,
        window: policy.windowS,
        baseDelay: policy.baseDelayS,
        maxDelay: policy.maxDelayS,
      },
    );
  }
}

export async function clearFailures(db: Db, keys: readonly string[]): Promise<void> {
  if (keys.length) await db('auth_throttle').whereIn('key', keys).delete();
}

/**
 * Housekeeping: deletes up to `limit` keys that would start over anyway (a whole window since
 * their last failure and lock); SKIP LOCKED as for sessions.
 */
export async function purgeStaleThrottleKeys(
  db: Db,
  policy: ThrottlePolicy = throttlePolicy(),
  limit = 100,
): Promise<number> {
  const result = await db.raw<{ rowCount: number }>(
    `DELETE FROM auth_throttle WHERE key IN (
       SELECT key FROM auth_throttle
        WHERE last_failure_at <= now() - make_interval(secs => ?)
          AND COALESCE(locked_until, last_failure_at) <= now() - make_interval(secs => ?)
        LIMIT ? FOR UPDATE SKIP LOCKED)`,
    [policy.windowS, policy.windowS, limit],
  );
  return result.rowCount;
}

/** The limits a password check counts against: the account (by email, so unknown emails too) and the address. */
export function passwordLimits(email: string, ip: string | null | undefined): ThrottleLimit[] {
  const env = getEnv();
  return [
    { key: `password:account:${sha256Hex(email)}`, maxFailures: env.AUTH_THROTTLE_ACCOUNT_MAX_FAILURES },
    ...(ip ? [{ key: `password:address:${ip}`, maxFailures: env.AUTH_THROTTLE_ADDRESS_MAX_FAILURES }] : []),
  ];
}

/** The limits a second-factor check counts against. */
export function codeLimits(userId: string, ip: string | null | undefined): ThrottleLimit[] {
  const env = getEnv();
  return [
    { key: `code:account:${userId}`, maxFailures: env.AUTH_THROTTLE_ACCOUNT_MAX_FAILURES },
    ...(ip ? [{ key: `code:address:${ip}`, maxFailures: env.AUTH_THROTTLE_ADDRESS_MAX_FAILURES }] : []),
  ];
}
