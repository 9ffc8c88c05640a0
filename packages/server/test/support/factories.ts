/**
 * Fixture factories: rows built through the models with sensible defaults, overridable per test.
 * No SQL dumps. (The auth layer adds factories that go through real signup.)
 */
import type { Actor } from '../../src/actor.js';
import type { Knex } from '../../src/db/knex.js';
import { Account, User } from '../../src/models/index.js';

let sequence = 0;
function next(): number {
  sequence += 1;
  return sequence;
}

export async function insertUser(db: Knex, overrides: Partial<User> = {}): Promise<User> {
  const n = next();
  return User.query(db).insertAndFetch({
    email: `user${n}.${Date.now().toString(36)}@example.com`,
    // Not a usable hash: users made this way sign in only through an injected actor.
    password_hash: '$unusable$',
    name: `Test User ${n}`,
    base_currency: 'USD',
    ...overrides,
  });
}

export function actorFor(
  user: { id: string },
  scopes: Actor['scopes'] = new Set(['read', 'write', 'tasks']),
): Actor {
  return { userId: user.id, scopes, via: 'session', sessionId: 'test' };
}

export async function insertAccount(
  db: Knex,
  user: { id: string },
  overrides: Partial<Account> = {},
): Promise<Account> {
  const n = next();
  return Account.query(db).insertAndFetch({
    user_id: user.id,
    name: `Account ${n}`,
    type: 'brokerage',
    currency: 'USD',
    ...overrides,
  });
}
