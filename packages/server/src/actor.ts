import type { Scope } from '@fo/schema';

/**
 * Who is acting. Every service that touches a user's data takes one, and every query over user
 * data is scoped through it (see the models' `visibleTo` modifiers).
 */
export interface Actor {
  readonly userId: string;
  readonly scopes: ReadonlySet<Scope>;
  readonly via: 'session' | 'token' | 'system';
  readonly sessionId?: string;
  readonly tokenId?: string;
  /** A password-only session of an MFA user: only auth.verifyMfa and auth.logout accept it. */
  readonly mfaPending?: boolean;
}

export function systemActor(userId: string): Actor {
  return { userId, scopes: new Set(['read', 'write', 'tasks']), via: 'system' };
}
