/**
 * TOTP two-factor authentication: enroll (a new secret, pending until confirmed), confirm (the
 * first valid code turns it on and yields ten recovery codes), disable (password and code),
 * regenerate recovery codes (code). Turning MFA on or off ends the user's other sessions.
 */
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import { acceptTotp, encryptTotpKey, replaceRecoveryCodes } from '../auth/mfa.js';
import { invalidateUserSessions } from '../auth/sessions.js';
import { assertNotThrottled, clearFailures, codeLimits, recordFailure } from '../auth/throttle.js';
import { generateTotpKey, totpUri } from '../auth/totp.js';
import { MfaRecoveryCode } from '../models/index.js';
import { recordAuditEvent } from './audit.js';
import type { ActorContext } from './auth.js';
import { ConflictError, ValidationError } from './errors.js';
import { requirePassword, requireSecondFactor } from './reauth.js';
import { loadActorUser } from './users.js';

export const TOTP_ISSUER = 'Family Office';

export async function enrollMfa(ctx: ActorContext): Promise<{ secret: string; uri: string }> {
  const user = await loadActorUser(ctx.db, ctx.actor);
  if (user.mfa_enabled)
    throw new ConflictError('Two-factor authentication is already on; disable it first', 'mfa');
  const key = generateTotpKey();
  await ctx.db.transaction(async (trx) => {
    await user.$query(trx).patch({ mfa_secret: encryptTotpKey(user.id, key), mfa_last_used_step: null });
    await recordAuditEvent(trx, {
      userId: user.id,
      event: 'mfa_enrollment_started',
      actor: ctx.actor,
      client: ctx.client,
    });
  });
  return { secret: encodeBase32UpperCaseNoPadding(key), uri: totpUri(TOTP_ISSUER, user.email, key) };
}

export async function confirmMfa(
  ctx: ActorContext,
  input: { code: string },
): Promise<{ recoveryCodes: string[] }> {
  const user = await loadActorUser(ctx.db, ctx.actor);
  if (user.mfa_enabled) throw new ConflictError('Two-factor authentication is already on', 'mfa');
  if (!user.mfa_secret) throw new ValidationError(['code'], 'Start with auth.mfa.enroll');
  const limits = codeLimits(user.id, ctx.client.ip);
  await assertNotThrottled(
    ctx.db,
    limits.map((l) => l.key),
    'code attempts',
  );
  if (!(await acceptTotp(ctx.db, user, input.code))) {
    await recordFailure(ctx.db, limits);
    throw new ValidationError(['code'], 'is not a valid code for the enrolled secret');
  }
  await clearFailures(ctx.db, [limits[0]!.key]);
  return ctx.db.transaction(async (trx) => {
    await user.$query(trx).patch({ mfa_enabled: true, mfa_enabled_at: new Date() });
    const recoveryCodes = await replaceRecoveryCodes(trx, user.id);
    const revokedSessions = await invalidateUserSessions(trx, user.id, ctx.actor.sessionId);
    await recordAuditEvent(trx, {
      userId: user.id,
      event: 'mfa_enabled',
      actor: ctx.actor,
      client: ctx.client,
      details: { revokedSessions },
    });
    return { recoveryCodes };
  });
}

export async function disableMfa(
  ctx: ActorContext,
  input: { password: string; code: string },
): Promise<void> {
  const user = await loadActorUser(ctx.db, ctx.actor);
  if (!user.mfa_enabled) throw new ConflictError('Two-factor authentication is not on', 'mfa');
  await requirePassword(ctx.db, user, input.password, ctx.client, 'password');
  await requireSecondFactor(ctx.db, user, input.code, ctx.actor, ctx.client);
  await ctx.db.transaction(async (trx) => {
    await user
      .$query(trx)
      .patch({ mfa_enabled: false, mfa_secret: null, mfa_last_used_step: null, mfa_enabled_at: null });
    await MfaRecoveryCode.query(trx).delete().where('user_id', user.id);
    const revokedSessions = await invalidateUserSessions(trx, user.id, ctx.actor.sessionId);
    await recordAuditEvent(trx, {
      userId: user.id,
      event: 'mfa_disabled',
      actor: ctx.actor,
      client: ctx.client,
      details: { revokedSessions },
    });
  });
}

export async function regenerateRecoveryCodes(
  ctx: ActorContext,
  input: { code: string },
): Promise<{ recoveryCodes: string[] }> {
  const user = await loadActorUser(ctx.db, ctx.actor);
  if (!user.mfa_enabled) throw new ConflictError('Two-factor authentication is not on', 'mfa');
  await requireSecondFactor(ctx.db, user, input.code, ctx.actor, ctx.client);
  return ctx.db.transaction(async (trx) => {
    const recoveryCodes = await replaceRecoveryCodes(trx, user.id);
    await recordAuditEvent(trx, {
      userId: user.id,
      event: 'recovery_codes_regenerated',
      actor: ctx.actor,
      client: ctx.client,
    });
    return { recoveryCodes };
  });
}
