/**
 * The data versions the analytics cache is keyed by: bumped once per committing transaction that
 * changes a user's data, not by derived-column refreshes, atomically with the data.
 */
import { describe, expect, it } from 'vitest';
import type { Knex } from '../../src/db/knex.js';
import { newUser } from '../support/accounts-factories.js';
import { insertAccount } from '../support/factories.js';

async function versionOf(db: Knex, userId: string): Promise<number> {
  const row = await db('analytics_data_versions').where('user_id', userId).first('version');
  return row ? Number(row.version) : 0;
}

describe('analytics data versions', () => {
  it('bumps once per transaction, whatever the number of rows or statements', async () => {
    const { db, user } = await newUser();
    const before = await versionOf(db, user.id);
    await db.transaction(async (trx) => {
      const a = await insertAccount(trx, user);
      await insertAccount(trx, user);
      await trx('assets').insert([
        { account_id: a.id, user_id: user.id, symbol: 'AAA', quantity: '1' },
        { account_id: a.id, user_id: user.id, symbol: 'BBB', quantity: '2' },
      ]);
      // Not visible before commit.
      expect(await versionOf(db, user.id)).toBe(before);
    });
    expect(await versionOf(db, user.id)).toBe(before + 1);
  });

  it('ignores refreshes of derived columns and rolled-back writes', async () => {
    const { db, user } = await newUser();
    const account = await insertAccount(db, user);
    await db('assets').insert({ account_id: account.id, user_id: user.id, symbol: 'AAA', quantity: '1' });
    const v = await versionOf(db, user.id);
    await db('assets')
      .where('user_id', user.id)
      .update({ beta: '1.1', alpha: '0.01', metrics_as_of: db.fn.now() });
    await db('users').where('id', user.id).update({ name: 'Renamed' });
    expect(await versionOf(db, user.id)).toBe(v);
    await db
      .transaction(async (trx) => {
        await trx('assets').where('user_id', user.id).update({ quantity: '5' });
        throw new Error('rollback');
      })
      .catch(() => {});
    expect(await versionOf(db, user.id)).toBe(v);
    await db('assets').where('user_id', user.id).update({ quantity: '5' });
    await db('users').where('id', user.id).update({ base_currency: 'EUR' });
    expect(await versionOf(db, user.id)).toBe(v + 2);
  });

  it('keeps other users apart and survives concurrent writers', async () => {
    const a = await newUser();
    const b = await newUser();
    const account = await insertAccount(a.db, a.user);
    const vb = await versionOf(b.db, b.user.id);
    const va = await versionOf(a.db, a.user.id);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        a.db.transaction(async (trx) => {
          await trx('account_balances').insert({
            account_id: account.id,
            user_id: a.user.id,
            date: `2024-01-${String(i + 1).padStart(2, '0')}`,
            balance: String(i),
          });
        }),
      ),
    );
    expect(await versionOf(a.db, a.user.id)).toBe(va + 20);
    expect(await versionOf(b.db, b.user.id)).toBe(vb);
    expect(await a.db('analytics_version_pending').count({ n: '*' })).toEqual([{ n: 0 }]);
  });
});
