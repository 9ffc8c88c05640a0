/**
 * Turns a request's credential (session token or API token) into an Actor.
 * Sessions and API tokens arrive with the auth issue; until then no credential is accepted.
 */
import type { Actor } from '../actor.js';
import type { Knex } from '../db/knex.js';
import type { Credential } from '../trpc/context.js';

export interface ResolveOptions {
  allowPendingMfa?: boolean | undefined;
}

export async function resolveActor(
  _db: Knex,
  _credential: Credential | null,
  _options: ResolveOptions = {},
): Promise<Actor | null> {
  return null;
}
