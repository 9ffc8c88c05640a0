/**
 * Turns a request's credential (session token or API token) into an Actor. Sessions carry every
 * scope; API tokens the scopes they were created with. A session still awaiting its second factor
 * is accepted only by procedures that allow it (auth.verifyMfa, auth.logout).
 */
import { SCOPES } from '@fo/schema';
import type { Actor } from '../actor.js';
import type { Knex } from '../db/knex.js';
import { UnauthenticatedError } from '../services/errors.js';
import type { Credential } from '../trpc/context.js';
import { looksLikeApiToken, scopesOf, validateApiToken } from './apiTokens.js';
import { validateSessionToken } from './sessions.js';

export interface ResolveOptions {
  allowPendingMfa?: boolean | undefined;
}

const ALL_SCOPES = new Set(SCOPES);

export async function resolveActor(
  db: Knex,
  credential: Credential | null,
  options: ResolveOptions = {},
): Promise<Actor | null> {
  if (!credential) return null;
  if (looksLikeApiToken(credential.token)) {
    // API tokens travel only in the Authorization header, never in a cookie.
    if (credential.transport !== 'bearer') return null;
    const row = await validateApiToken(db, credential.token);
    return row ? { userId: row.user_id, scopes: scopesOf(row), via: 'token', tokenId: row.id } : null;
  }
  const session = await validateSessionToken(db, credential.token);
  if (!session) return null;
  if (session.mfa_pending && !options.allowPendingMfa) {
    throw new UnauthenticatedError('Two-factor verification required: call auth.verifyMfa with your code');
  }
  return {
    userId: session.user_id,
    scopes: ALL_SCOPES,
    via: 'session',
    sessionId: session.id,
    ...(session.mfa_pending ? { mfaPending: true } : {}),
  };
}
