/**
 * Proof of presence for sensitive changes and sign-in: the password (throttled per account and
 * address like sign-in itself) and, when MFA is on, a TOTP or recovery code (throttled too).
 */
import type { Actor } from '../actor.js';
import { acceptSecondFactor, type SecondFactor } from '../auth/mfa.js';
import { hashPassword, needsRehash, verifyPassword } from '../auth/passwords.js';
import type { ClientInfo } from '../auth/sessions.js';
import {
  assertNotThrottled,
  clearFailures,
  codeLimits,
  passwordLimits,
  recordFailure,
} from '../auth/throttle.js';
import type { Db } from '../db/transaction.js';
import type { User } from '../models/index.js';
import { recordAuditEvent } from './audit.js';
import { ValidationError } from './errors.js';

/** Throws BAD_REQUEST naming `field` when the password is wrong; counts the failure. */
export async function requirePassword(
  db: Db,
  user: User,
  password: string,
  client: ClientInfo,
  field = 'currentPassword',
): Promise<void> {
  const limits = passwordLimits(user.email, client.ip);
  await assertNotThrottled(
    db,
    limits.map((l) => l.key),
    'password attempts',
  );
  if (!(await verifyPassword(user.password_hash, password))) {
    await recordFailure(db, limits);
    throw new ValidationError([field], 'is incorrect');
  }
  await clearFailures(db, [limits[0]!.key]);
  await rehashIfNeeded(db, user, password, client);
}

/** Raises the stored hash to the configured argon2 parameters after a successful check. */
export async function rehashIfNeeded(
  db: Db,
  user: User,
  password: string,
  client: ClientInfo,
): Promise<void> {
  if (!needsRehash(user.password_hash)) return;
  const password_hash = await hashPassword(password);
  await user.$query(db).patch({ password_hash });
  user.password_hash = password_hash;
  await recordAuditEvent(db, { userId: user.id, event: 'password_rehashed', client });
}

/**
 * When MFA is on, requires a valid TOTP or recovery code (consumed). Returns which was used, or
 * null when MFA is off.
 */
export async function requireSecondFactorIfEnabled(
  db: Db,
  user: User,
  code: string | undefined,
  actor: Actor | null,
  client: ClientInfo,
  field = 'code',
): Promise<SecondFactor | null> {
  if (!user.mfa_enabled) return null;
  if (!code) throw new ValidationError([field], 'Two-factor authentication is on: a code is required');
  return requireSecondFactor(db, user, code, actor, client, field);
}

export async function requireSecondFactor(
  db: Db,
  user: User,
  code: string,
  actor: Actor | null,
  client: ClientInfo,
  field = 'code',
): Promise<SecondFactor> {
  const limits = codeLimits(user.id, client.ip);
  await assertNotThrottled(
    db,
    limits.map((l) => l.key),
    'code attempts',
  );
  const used = await acceptSecondFactor(db, user, code);
  if (!used) {
    await recordFailure(db, limits);
    throw new ValidationError([field], 'is not a valid code (codes are accepted once)');
  }
  await clearFailures(db, [limits[0]!.key]);
  if (used === 'recovery_code') {
    await recordAuditEvent(db, { userId: user.id, event: 'recovery_code_used', actor, client });
  }
  return used;
}
