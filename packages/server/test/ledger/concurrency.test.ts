/**
 * Concurrent writers to one account: the account row is locked (SELECT ... FOR UPDATE) and each
 * symbol partition takes an advisory lock, so parallel sells never lose an update and never sell
 * shares twice.
 */
import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../harness/router-walk.js';
import { brokerage, holdingOf, ledgerUser } from '../support/ledger-factories.js';

describe('50 parallel sells against one position', () => {
  it('all apply: exact final quantity, cash and lots', async () => {
    const { caller, db } = await ledgerUser();
    const account = await brokerage(caller);
    await caller.transactions.create({
      accountId: account.id,
      type: 'buy',
      symbol: 'PAR',
      tradeDate: '2024-01-02',
      quantity: '100',
      price: '10',
    });
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        outcomeOf(
          caller.transactions.create({
            accountId: account.id,
            type: 'sell',
            symbol: 'PAR',
            tradeDate: '2024-02-01',
            quantity: '1.5',
            price: String(11 + i / 100),
          }),
        ),
      ),
    );
    expect(outcomes.filter((o) => o.code !== 'OK').map((o) => String(o.error))).toEqual([]);
    const holding = await holdingOf(caller, account.id, 'PAR');
    expect([holding?.quantity.toFixed(), holding?.costBasis.toFixed()]).toEqual(['25', '250']);
    // −1,000 + Σ 1.5 × (11 + i/100) for i = 0..49 = −1,000 + 825 + 18.375
    expect((await caller.accounts.byId({ id: account.id })).balance.toFixed()).toBe('-156.625');
    const sold = await db('lot_allocations')
      .where({ account_id: account.id, kind: 'sale' })
      .sum({ q: 'quantity' })
      .first();
    expect(Number(sold?.q)).toBe(-75);
  });

  it('more sells than shares: exactly as many succeed as the position covers, the rest are CONFLICTs', async () => {
    const { caller } = await ledgerUser();
    const account = await brokerage(caller);
    await caller.transactions.create({
      accountId: account.id,
      type: 'buy',
      symbol: 'PAR',
      tradeDate: '2024-01-02',
      quantity: '30',
      price: '10',
    });
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, () =>
        outcomeOf(
          caller.transactions.create({
            accountId: account.id,
            type: 'sell',
            symbol: 'PAR',
            tradeDate: '2024-02-01',
            quantity: '1',
            price: '12',
          }),
        ),
      ),
    );
    expect(outcomes.filter((o) => o.code === 'OK')).toHaveLength(30);
    expect(outcomes.filter((o) => o.code === 'CONFLICT')).toHaveLength(20);
    expect((await holdingOf(caller, account.id, 'PAR'))?.quantity.toFixed()).toBe('0');
    expect((await caller.accounts.byId({ id: account.id })).balance.toFixed()).toBe('60'); // −300 + 30 × 12
    expect(
      (await caller.transactions.list({ accountId: account.id, type: 'sell', limit: 100 })).items,
    ).toHaveLength(30);
  });
});
