/**
 * Sessions as Lucia documents them (lucia-auth.com, "Sessions"), without the deprecated package:
 *
 * - token = `<id>.<secret>`: id 120 random bits, secret 160 random bits, both lower-case base32;
 * - the database keeps the id and SHA-256(secret); validation looks the id up and compares the
 *   hashes in constant time, so neither a timing side channel nor a leaked table yields a token;
 * - `expires_at` is the idle expiry, pushed forward on use (at most once a minute, to keep reads
 *   cheap) but never past `absolute_expires_at`, fixed at sign-in;
 * - every sign-in creates a new session (no fixation); a password-only sign-in of an MFA user
 *   creates a short `mfa_pending` session that verifyMfa replaces with a full one.
 */

import type { Db } from '../db/transaction.js';
import { getEnv } from '../env.js';
import { Session } from '../models/index.js';
import { hashesEqual, randomBase32, sha256Of } from './secrets.js';

const TOKEN = /^([a-z2-7]{24})\.([a-z2-7]{32})$/;
const ID_BYTES = 15;
const SECRET_BYTES = 20;
/** Longest gap between two writes of last_used_at/expires_at for a session in use. */
const REFRESH_INTERVAL_MS = 60_000;

export interface SessionPolicy {
  idleTimeoutMs: number;
  absoluteLifetimeMs: number;
  mfaPendingLifetimeMs: number;
}

export function sessionPolicy(): SessionPolicy {
  const env = getEnv();
  return {
    idleTimeoutMs: env.SESSION_IDLE_TIMEOUT_S * 1000,
    absoluteLifetimeMs: env.SESSION_ABSOLUTE_LIFETIME_S * 1000,
    mfaPendingLifetimeMs: env.MFA_PENDING_LIFETIME_S * 1000,
  };
}

export interface ClientInfo {
  ip?: string | null;
  userAgent?: string | null;
}

export interface CreatedSession {
  token: string;
  session: Session;
}

export function looksLikeSessionToken(token: string): boolean {
  return TOKEN.test(token);
}

export async function createSession(
  db: Db,
  userId: string,
  options: ClientInfo & { mfaPending?: boolean; now?: Date; policy?: SessionPolicy } = {},
): Promise<CreatedSession> {
  const policy = options.policy ?? sessionPolicy();
  const now = options.now ?? new Date();
  const id = randomBase32(ID_BYTES);
  const secret = randomBase32(SECRET_BYTES);
  const absolute = new Date(
    now.getTime() + (options.mfaPending ? policy.mfaPendingLifetimeMs : policy.absoluteLifetimeMs),
  );
  const idle = new Date(Math.min(now.getTime() + policy.idleTimeoutMs, absolute.getTime()));
  const session = await Session.query(db).insertAndFetch({
    id,
    user_id: userId,
    secret_hash: Buffer.from(sha256Of(secret)),
    mfa_pending: options.mfaPending ?? false,
    ip: options.ip?.slice(0, 64) ?? null,
    user_agent: options.userAgent?.slice(0, 512) ?? null,
    last_used_at: now,
    expires_at: idle,
    absolute_expires_at: absolute,
    created_at: now,
    updated_at: now,
  });
  return { token: `${id}.${secret}`, session };
}

/**
 * The live session a token names, refreshed (sliding idle expiry), or null when the token is
 * malformed, unknown, wrong or expired. Expired sessions are deleted on sight.
 */
export async function validateSessionToken(
  db: Db,
  token: string,
  options: { now?: Date; policy?: SessionPolicy } = {},
): Promise<Session | null> {
  const match = TOKEN.exec(token);
  if (!match) return null;
  const [, id, secret] = match as unknown as [string, string, string];
  const session = await Session.query(db).findById(id);
  if (!session) return null;
  if (!hashesEqual(sha256Of(secret), session.secret_hash)) return null;
  const now = options.now ?? new Date();
  if (now >= session.expires_at || now >= session.absolute_expires_at) {
    await Session.query(db).deleteById(id);
    return null;
  }
  if (now.getTime() - session.last_used_at.getTime() >= REFRESH_INTERVAL_MS) {
    const policy = options.policy ?? sessionPolicy();
    const expires = new Date(
      Math.min(now.getTime() + policy.idleTimeoutMs, session.absolute_expires_at.getTime()),
    );
    await Session.query(db).patch({ last_used_at: now, expires_at: expires }).where('id', id);
    session.last_used_at = now;
    session.expires_at = expires;
  }
  return session;
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
  await Session.query(db).deleteById(sessionId);
}

/** Deletes every session of a user except `keep`; returns how many. */
export async function invalidateUserSessions(db: Db, userId: string, keep?: string): Promise<number> {
  const query = Session.query(db).delete().where('user_id', userId);
  if (keep) query.whereNot('id', keep);
  return query;
}

/**
 * Housekeeping: deletes up to `limit` sessions past their expiry. SKIP LOCKED lets concurrent
 * callers (every sign-in calls it) share the work without waiting on each other.
 */
export async function purgeExpiredSessions(db: Db, limit = 100): Promise<number> {
  const result = await db.raw<{ rowCount: number }>(
    `DELETE FROM sessions WHERE id IN (
       SELECT id FROM sessions WHERE expires_at <= now() ORDER BY expires_at LIMIT ? FOR UPDATE SKIP LOCKED)`,
    [limit],
  );
  return result.rowCount;
}
