/**
 * Fixtures for accounts, holdings, real estate and net worth tests: a user with a caller, plus
 * helpers that create records through the procedures (so they pass the same validation as users').
 */
import type { AccountCreateInput } from '@fo/schema';
import type { Actor } from '../../src/actor.js';
import type { Knex } from '../../src/db/knex.js';
import type { User } from '../../src/models/index.js';
import type { Caller } from '../harness/types.js';
import { callerAs } from './caller.js';
import { getTestDb } from './db.js';
import { actorFor, insertUser } from './factories.js';

export interface UserFixture {
  db: Knex;
  user: User;
  actor: Actor;
  caller: Caller;
}

export async function newUser(overrides: Partial<User> = {}): Promise<UserFixture> {
  const db = await getTestDb();
  const user = await insertUser(db, overrides);
  const actor = actorFor(user);
  return { db, user, actor, caller: await callerAs(actor) };
}

let n = 0;
export function uniqueName(prefix: string): string {
  n += 1;
  return `${prefix} ${n}`;
}

/** A brokerage account in holdings mode (positions entered directly). */
export function holdingsAccount(caller: Caller, overrides: Partial<AccountCreateInput> = {}) {
  return caller.accounts.create({
    name: uniqueName('Brokerage'),
    type: 'brokerage',
    trackingMode: 'holdings',
    currency: 'USD',
    ...overrides,
  });
}
