/**
 * Users with real credentials, fast: the password hash is computed once per process (argon2id at
 * the configured parameters) and reused, and sessions are inserted directly (the same code
 * auth.login uses after the password check). For tests that need a real token (HTTP + SDK) or a
 * real session id (auth.sessions, isolation cases).
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@fo/sdk';
import type { Actor } from '../../src/actor.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { createSession } from '../../src/auth/sessions.js';
import type { Knex } from '../../src/db/knex.js';
import { User } from '../../src/models/index.js';

/** The password of every user these factories make. */
export const TEST_PASSWORD = 'fixture passphrase 7d1c9e';

let passwordHash: Promise<string> | undefined;
/** argon2id of TEST_PASSWORD, computed once per process. */
export function testPasswordHash(): Promise<string> {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  return passwordHash;
}

export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomUUID()}@example.com`;
}

/** A user who can sign in with TEST_PASSWORD. */
export async function createUser(db: Knex, overrides: Partial<User> = {}): Promise<User> {
  return User.query(db).insertAndFetch({
    email: uniqueEmail(),
    password_hash: await testPasswordHash(),
    name: 'Test User',
    base_currency: 'USD',
    ...overrides,
  });
}

export interface UserWithSession {
  user: User;
  /** Session token, for `Authorization: Bearer` / the SDK's `token`. */
  token: string;
  /** The actor the token resolves to, for `callerAs(actor)`. */
  actor: Actor;
  password: string;
}

export async function createUserWithSession(
  db: Knex,
  overrides: Partial<User> = {},
): Promise<UserWithSession> {
  const user = await createUser(db, overrides);
  const { token, session } = await createSession(db, user.id, { ip: '127.0.0.1', userAgent: 'vitest' });
  return {
    user,
    token,
    actor: {
      userId: user.id,
      scopes: new Set(['read', 'write', 'tasks']),
      via: 'session',
      sessionId: session.id,
    },
    password: TEST_PASSWORD,
  };
}

/** Through the SDK, as a user would: sign up with a unique email, sign in, return the session token. */
export async function signUpAndLogin(
  client: Client,
  overrides: { email?: string; password?: string; name?: string } = {},
): Promise<{ email: string; password: string; token: string }> {
  const email = overrides.email ?? uniqueEmail('sdk');
  const password = overrides.password ?? 'a long sdk test passphrase';
  await client.auth.signup.mutate({ email, password, ...(overrides.name ? { name: overrides.name } : {}) });
  const { token } = await client.auth.login.mutate({ email, password });
  return { email, password, token };
}
