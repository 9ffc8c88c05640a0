/**
 * API tokens for scripts: created with a name, scopes and a lifetime; the plaintext is returned
 * once. Only sessions manage them (the router's `sessionOnly`).
 */
import type { ApiToken as ApiTokenDto, Scope } from '@fo/schema';
import type { Actor } from '../actor.js';
import { generateApiToken, publicPrefix } from '../auth/apiTokens.js';
import type { Db } from '../db/transaction.js';
import { getEnv } from '../env.js';
import { ApiToken } from '../models/index.js';
import { recordAuditEvent } from './audit.js';
import type { ActorContext } from './auth.js';
import { NotFoundError, ValidationError } from './errors.js';

const DAY_MS = 86_400_000;

function toDto(row: ApiToken): ApiTokenDto {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes as Scope[],
    prefix: publicPrefix(row.lookup),
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    createdAt: row.created_at,
  };
}

export async function createApiToken(
  ctx: ActorContext,
  input: { name: string; scopes: Scope[]; expiresInDays: number },
): Promise<{ apiToken: ApiTokenDto; token: string }> {
  const max = getEnv().API_TOKEN_MAX_LIFETIME_DAYS;
  if (input.expiresInDays > max) {
    throw new ValidationError(['expiresInDays'], `must be at most ${max} days`);
  }
  const { token, lookup, secretHash } = generateApiToken();
  return ctx.db.transaction(async (trx) => {
    const row = await ApiToken.query(trx).insertAndFetch({
      user_id: ctx.actor.userId,
      name: input.name,
      lookup,
      secret_hash: secretHash,
      scopes: input.scopes,
      expires_at: new Date(Date.now() + input.expiresInDays * DAY_MS),
    });
    await recordAuditEvent(trx, {
      userId: ctx.actor.userId,
      event: 'api_token_created',
      actor: ctx.actor,
      client: ctx.client,
      details: { apiTokenId: row.id, name: row.name, scopes: row.scopes },
    });
    return { apiToken: toDto(row), token };
  });
}

export async function listApiTokens(ctx: { db: Db; actor: Actor }): Promise<ApiTokenDto[]> {
  const rows = await ApiToken.query(ctx.db)
    .modify('visibleTo', ctx.actor)
    .orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
  return rows.map(toDto);
}

export async function revokeApiToken(ctx: ActorContext, input: { id: string }): Promise<void> {
  await ctx.db.transaction(async (trx) => {
    const row = await ApiToken.query(trx).modify('visibleTo', ctx.actor).findById(input.id);
    if (!row) throw new NotFoundError('API token');
    await row.$query(trx).delete();
    await recordAuditEvent(trx, {
      userId: ctx.actor.userId,
      event: 'api_token_revoked',
      actor: ctx.actor,
      client: ctx.client,
      details: { apiTokenId: row.id, name: row.name },
    });
  });
}
