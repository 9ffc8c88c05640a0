/**
 * Password and email changes: both need the current password and, with MFA on, a code. A new
 * password ends every other session (whoever knew the old one is signed out).
 */

import type { User as UserDto } from '@fo/schema';
import { assertAcceptablePassword, hashPassword } from '../auth/passwords.js';
import { invalidateUserSessions } from '../auth/sessions.js';
import { recordAuditEvent } from './audit.js';
import type { ActorContext } from './auth.js';
import { requirePassword, requireSecondFactorIfEnabled } from './reauth.js';
import { loadActorUser, toUserDto } from './users.js';

export async function changePassword(
  ctx: ActorContext,
  input: { currentPassword: string; newPassword: string; code?: string | undefined },
): Promise<{ revokedSessions: number }> {
  const user = await loadActorUser(ctx.db, ctx.actor);
  // Checked before the transaction so a failure is counted even though the change rolls back.
  assertAcceptablePassword(input.newPassword, user.email, 'newPassword');
  await requirePassword(ctx.db, user, input.currentPassword, ctx.client);
  await requireSecondFactorIfEnabled(ctx.db, user, input.code, ctx.actor, ctx.client);
  const password_hash = await hashPassword(input.newPassword);
  return ctx.db.transaction(async (trx) => {
    await user.$query(trx).patch({ password_hash });
    const revokedSessions = await invalidateUserSessions(trx, user.id, ctx.actor.sessionId);
    await recordAuditEvent(trx, {
      userId: user.id,
      event: 'password_changed',
      actor: ctx.actor,
      client: ctx.client,
      details: { revokedSessions },
    });
    return { revokedSessions };
  });
}

export async function changeEmail(
  ctx: ActorContext,
  input: { newEmail: string; currentPassword: string; code?: string | undefined },
): Promise<UserDto> {
  const user = await loadActorUser(ctx.db, ctx.actor);
  await requirePassword(ctx.db, user, input.currentPassword, ctx.client);
  await requireSecondFactorIfEnabled(ctx.db, user, input.code, ctx.actor, ctx.client);
  return ctx.db.transaction(async (trx) => {
    const previous = user.email;
    // A taken email is a unique violation: CONFLICT naming the field (this needs a signed-in
    // account and its password, and is throttled and audited; see the README on enumeration).
    const updated = await user.$query(trx).patchAndFetch({ email: input.newEmail });
    await recordAuditEvent(trx, {
      userId: user.id,
      event: 'email_changed',
      actor: ctx.actor,
      client: ctx.client,
      details: { previous, current: input.newEmail },
    });
    return toUserDto(updated);
  });
}
