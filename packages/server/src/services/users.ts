/**
 * The user's own profile: auth.me and users.updateProfile.
 */
import type { Me, User as UserDto } from '@fo/schema';
import type { Actor } from '../actor.js';
import type { ClientInfo } from '../auth/sessions.js';
import type { Db } from '../db/transaction.js';
import { User } from '../models/index.js';
import { recordAuditEvent } from './audit.js';
import { NotFoundError } from './errors.js';

export function toUserDto(row: User): UserDto {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    riskTolerance: row.risk_tolerance,
    investmentHorizonYears: row.investment_horizon_years,
    baseCurrency: row.base_currency,
    mfaEnabled: row.mfa_enabled,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function loadActorUser(db: Db, actor: Actor): Promise<User> {
  const user = await User.query(db).modify('visibleTo', actor).first();
  if (!user) throw new NotFoundError('User');
  return user;
}

export async function getMe(ctx: { db: Db; actor: Actor }): Promise<Me> {
  const user = await loadActorUser(ctx.db, ctx.actor);
  return {
    user: toUserDto(user),
    credential: {
      via: ctx.actor.via,
      scopes: [...ctx.actor.scopes].sort(),
      sessionId: ctx.actor.sessionId ?? null,
      apiTokenId: ctx.actor.tokenId ?? null,
    },
  };
}

export interface ProfileChanges {
  name?: string | null | undefined;
  riskTolerance?: User['risk_tolerance'] | undefined;
  investmentHorizonYears?: number | null | undefined;
  baseCurrency?: string | undefined;
}

export async function updateProfile(
  ctx: { db: Db; actor: Actor; client?: ClientInfo },
  input: ProfileChanges,
): Promise<UserDto> {
  const patch: Partial<User> = {};
  if (input.name !== undefined) patch.name = input.name;
  if (input.riskTolerance !== undefined) patch.risk_tolerance = input.riskTolerance;
  if (input.investmentHorizonYears !== undefined)
    patch.investment_horizon_years = input.investmentHorizonYears;
  if (input.baseCurrency !== undefined) patch.base_currency = input.baseCurrency;
  return ctx.db.transaction(async (trx) => {
    const user = await loadActorUser(trx, ctx.actor);
    if (Object.keys(patch).length === 0) return toUserDto(user);
    const updated = await user.$query(trx).patchAndFetch(patch);
    await recordAuditEvent(trx, {
      userId: user.id,
      event: 'profile_updated',
      actor: ctx.actor,
      ...(ctx.client ? { client: ctx.client } : {}),
      details: { fields: Object.keys(input).filter((k) => input[k as keyof ProfileChanges] !== undefined) },
    });
    return toUserDto(updated);
  });
}
