/**
 * Sign-up, sign-in (password, then the second factor when MFA is on), sign-out and the user's
 * sessions. No user enumeration: sign-up answers the same whether or not the email was free, and
 * sign-in with an unknown email fails like a wrong password, after the same argon2 work.
 */
import type { LoginResult, SessionInfo } from '@fo/schema';
import type { Actor } from '../actor.js';
import {
  assertAcceptablePassword,
  hashPassword,
  verifyAgainstDummy,
  verifyPassword,
} from '../auth/passwords.js';
import {
  type ClientInfo,
  createSession,
  invalidateSession,
  invalidateUserSessions,
  purgeExpiredSessions,
} from '../auth/sessions.js';
import {
  assertNotThrottled,
  clearFailures,
  passwordLimits,
  purgeStaleThrottleKeys,
  recordFailure,
} from '../auth/throttle.js';
import type { Db } from '../db/transaction.js';
import { Session, User } from '../models/index.js';
import { recordAuditEvent } from './audit.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from './errors.js';
import { rehashIfNeeded, requireSecondFactor } from './reauth.js';
import { loadActorUser } from './users.js';

export interface PublicContext {
  db: Db;
  client: ClientInfo;
}

export interface ActorContext extends PublicContext {
  actor: Actor;
}

export const SIGNUP_ACCEPTED = {
  status: 'accepted',
  message: 'If this email can be used, the account is ready: sign in with auth.login.',
} as const;

export interface SignupInput {
  email: string;
  password: string;
  name?: string | undefined;
  baseCurrency?: string | undefined;
  riskTolerance?: User['risk_tolerance'] | undefined;
}

function isUniqueViolation(err: unknown): boolean {
  const native = (err as { nativeError?: { code?: string } } | null)?.nativeError ?? err;
  return (native as { code?: string } | null)?.code === '23505';
}

/**
 * Creates the account when the email is free. A taken email gets the same answer after the same
 * work (an argon2 hash), and its owner finds a `signup_existing_email` event in their audit log.
 */
export async function signup(ctx: PublicContext, input: SignupInput): Promise<typeof SIGNUP_ACCEPTED> {
  assertAcceptablePassword(input.password, input.email);
  const password_hash = await hashPassword(input.password);
  try {
    await ctx.db.transaction(async (trx) => {
      const user = await User.query(trx).insertAndFetch({
        email: input.email,
        password_hash,
        name: input.name ?? null,
        ...(input.baseCurrency ? { base_currency: input.baseCurrency } : {}),
        ...(input.riskTolerance ? { risk_tolerance: input.riskTolerance } : {}),
      });
      await recordAuditEvent(trx, { userId: user.id, event: 'signup', client: ctx.client });
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    const existing = await User.query(ctx.db).findOne({ email: input.email });
    if (existing) {
      await recordAuditEvent(ctx.db, {
        userId: existing.id,
        event: 'signup_existing_email',
        client: ctx.client,
      });
    }
  }
  return SIGNUP_ACCEPTED;
}

function loginResult(session: Session, token: string): LoginResult {
  return { token, expiresAt: session.absolute_expires_at, mfaRequired: session.mfa_pending };
}

/**
 * Password sign-in. Always a new session (no fixation). With MFA on, the session only allows
 * auth.verifyMfa until a code is given.
 */
export async function login(
  ctx: PublicContext,
  input: { email: string; password: string },
): Promise<LoginResult> {
  const limits = passwordLimits(input.email, ctx.client.ip);
  const user = await User.query(ctx.db).findOne({ email: input.email });
  try {
    await assertNotThrottled(
      ctx.db,
      limits.map((l) => l.key),
      'sign-in attempts',
    );
  } catch (err) {
    await recordAuditEvent(ctx.db, {
      userId: user?.id ?? null,
      event: 'login_throttled',
      client: ctx.client,
    });
    throw err;
  }
  const ok = user
    ? await verifyPassword(user.password_hash, input.password)
    : await verifyAgainstDummy(input.password);
  if (!user || !ok) {
    await recordFailure(ctx.db, limits);
    await recordAuditEvent(ctx.db, {
      userId: user?.id ?? null,
      event: 'login_failed',
      client: ctx.client,
      details: { reason: 'bad_credentials' },
    });
    throw new UnauthenticatedError('Email or password is incorrect');
  }
  await clearFailures(ctx.db, [limits[0]!.key]);
  await rehashIfNeeded(ctx.db, user, input.password, ctx.client);
  // Housekeeping rides on sign-ins (bounded, non-blocking): expired sessions and stale throttle keys.
  await purgeExpiredSessions(ctx.db);
  await purgeStaleThrottleKeys(ctx.db);
  const { token, session } = await createSession(ctx.db, user.id, {
    ...ctx.client,
    mfaPending: user.mfa_enabled,
  });
  await recordAuditEvent(ctx.db, {
    userId: user.id,
    event: 'login_succeeded',
    client: ctx.client,
    sessionId: session.id,
    details: { mfaPending: user.mfa_enabled },
  });
  return loginResult(session, token);
}

/** Second step of an MFA sign-in: a TOTP or recovery code turns the pending session into a full one. */
export async function verifyMfa(ctx: ActorContext, input: { code: string }): Promise<LoginResult> {
  const { actor } = ctx;
  if (!actor.mfaPending || !actor.sessionId) {
    throw new ForbiddenError('This session is not waiting for a second factor');
  }
  const user = await loadActorUser(ctx.db, actor);
  try {
    await requireSecondFactor(ctx.db, user, input.code, actor, ctx.client);
  } catch (err) {
    await recordAuditEvent(ctx.db, {
      userId: user.id,
      event: 'mfa_challenge_failed',
      actor,
      client: ctx.client,
    });
    throw err;
  }
  return ctx.db.transaction(async (trx) => {
    // A new token for the new privilege level: the pending one dies.
    await invalidateSession(trx, actor.sessionId!);
    const { token, session } = await createSession(trx, user.id, ctx.client);
    await recordAuditEvent(trx, {
      userId: user.id,
      event: 'mfa_challenge_passed',
      client: ctx.client,
      sessionId: session.id,
    });
    return loginResult(session, token);
  });
}

export async function logout(ctx: ActorContext): Promise<void> {
  if (ctx.actor.sessionId) await invalidateSession(ctx.db, ctx.actor.sessionId);
  await recordAuditEvent(ctx.db, {
    userId: ctx.actor.userId,
    event: 'logout',
    actor: ctx.actor,
    client: ctx.client,
  });
}

/** Ends every session of the user, this one included. */
export async function logoutAll(ctx: ActorContext): Promise<{ revoked: number }> {
  return ctx.db.transaction(async (trx) => {
    const revoked = await invalidateUserSessions(trx, ctx.actor.userId);
    await recordAuditEvent(trx, {
      userId: ctx.actor.userId,
      event: 'logout_all',
      actor: ctx.actor,
      client: ctx.client,
      details: { revoked },
    });
    return { revoked };
  });
}

export async function listSessions(ctx: { db: Db; actor: Actor }): Promise<SessionInfo[]> {
  const rows = await Session.query(ctx.db)
    .modify('visibleTo', ctx.actor)
    .where('expires_at', '>', new Date())
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
  return rows.map((s) => ({
    id: s.id,
    current: s.id === ctx.actor.sessionId,
    createdAt: s.created_at,
    lastUsedAt: s.last_used_at,
    expiresAt: s.expires_at,
    ip: s.ip,
    userAgent: s.user_agent,
    mfaPending: s.mfa_pending,
  }));
}

/** Ends one of the user's sessions; someone else's id is NOT_FOUND like a missing one. */
export async function revokeSession(ctx: ActorContext, input: { id: string }): Promise<void> {
  await ctx.db.transaction(async (trx) => {
    const deleted = await Session.query(trx).modify('visibleTo', ctx.actor).deleteById(input.id);
    if (deleted === 0) throw new NotFoundError('Session');
    await recordAuditEvent(trx, {
      userId: ctx.actor.userId,
      event: 'session_revoked',
      actor: ctx.actor,
      client: ctx.client,
      details: { revokedSessionId: input.id },
    });
  });
}
