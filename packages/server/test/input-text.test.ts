/**
 * PostgreSQL's text types cannot store U+0000. Found by the fuzz harness: such a string reached
 * the database and came back as INTERNAL_SERVER_ERROR. Every procedure now refuses it up front.
 */
import { describe, expect, it } from 'vitest';
import { Account, ApiToken } from '../src/models/index.js';
import { createUserWithSession } from './support/auth-factories.js';
import { callerAs } from './support/caller.js';
import { getTestDb } from './support/db.js';
import { expectTRPCError } from './support/expect-error.js';

describe('text input with a NUL character', () => {
  it('is BAD_REQUEST naming the field, and nothing is written', async () => {
    const db = await getTestDb();
    const u = await createUserWithSession(db);
    const caller = await callerAs(u.actor);

    const token = await expectTRPCError(
      caller.apiTokens.create({ name: '\u0000', scopes: ['read'], expiresInDays: 90 }),
      'BAD_REQUEST',
    );
    expect(token.fields).toEqual(['name']);
    expect(token.message).toBe('name: must not contain the NUL character (U+0000)');

    const account = await expectTRPCError(
      caller.accounts.create({ name: 'Depot', type: 'brokerage', institution: 'Bank\u0000AG' }),
      'BAD_REQUEST',
    );
    expect(account.fields).toEqual(['institution']);

    expect(await ApiToken.query(db).where({ user_id: u.user.id }).resultSize()).toBe(0);
    expect(await Account.query(db).where({ user_id: u.user.id }).resultSize()).toBe(0);
  });

  it('names the path inside arrays and nested objects', async () => {
    const db = await getTestDb();
    const u = await createUserWithSession(db);
    const caller = await callerAs(u.actor);
    const account = await caller.accounts.create({ name: 'Depot', type: 'brokerage' });
    const err = await expectTRPCError(
      caller.transactions.import({
        accountId: account.id,
        rows: [
          { type: 'deposit', tradeDate: '2026-01-02', amount: '100', externalId: 'a' },
          {
            type: 'deposit',
            tradeDate: '2026-01-03',
            amount: '100',
            externalId: 'b',
            description: 'x\u0000',
          },
        ],
      }),
      'BAD_REQUEST',
    );
    expect(err.fields).toEqual(['rows.1.description']);
  });
});
