/**
 * accounts.reconcile / accounts.completeReconciliation: a statement's cash and positions against
 * the ledger as of its date.
 */
import { describe, expect, it } from 'vitest';
import { expectTRPCError } from '../support/expect-error.js';
import { brokerage, ledgerUser } from '../support/ledger-factories.js';

async function history() {
  const fx = await ledgerUser();
  const account = await brokerage(fx.caller);
  const c = (f: Parameters<typeof fx.caller.transactions.create>[0]) => fx.caller.transactions.create(f);
  await c({ accountId: account.id, type: 'deposit', tradeDate: '2024-01-02', amount: '5000' });
  await c({
    accountId: account.id,
    type: 'buy',
    symbol: 'AAPL',
    tradeDate: '2024-01-03',
    quantity: '10',
    price: '180',
    fees: '1',
  });
  await c({
    accountId: account.id,
    type: 'split',
    symbol: 'AAPL',
    tradeDate: '2024-01-20',
    splitRatio: '2:1',
  });
  await c({
    accountId: account.id,
    type: 'sell',
    symbol: 'AAPL',
    tradeDate: '2024-02-01',
    quantity: '5',
    price: '95',
  });
  // After the statement date: must not count.
  await c({
    accountId: account.id,
    type: 'buy',
    symbol: 'MSFT',
    tradeDate: '2024-03-05',
    quantity: '1',
    price: '400',
  });
  return { ...fx, account };
}

describe('accounts.reconcile', () => {
  it('compares cash and positions as of the statement date', async () => {
    const { caller, account } = await history();
    // As of 2024-02-29: cash 5000 − 1801 + 475 = 3674; AAPL 20 − 5 = 15.
    const ok = await caller.accounts.reconcile({
      accountId: account.id,
      statementDate: '2024-02-29',
      cashBalance: '3674',
      positions: [{ symbol: 'AAPL', quantity: '15' }],
    });
    expect(ok.balanced).toBe(true);
    expect(ok.unreconciledTransactions).toBe(4);
    expect(ok.positions.map((p) => [p.symbol, p.difference.toFixed()])).toEqual([['AAPL', '0']]);

    const off = await caller.accounts.reconcile({
      accountId: account.id,
      statementDate: '2024-02-29',
      cashBalance: '3700',
      positions: [
        { symbol: 'AAPL', quantity: '14' },
        { symbol: 'GOOG', quantity: '3' },
      ],
    });
    expect(off.balanced).toBe(false);
    expect(off.cashDifference.toFixed()).toBe('26');
    expect(
      off.positions.map((p) => [
        p.symbol,
        p.statementQuantity.toFixed(),
        p.ledgerQuantity.toFixed(),
        p.difference.toFixed(),
      ]),
    ).toEqual([
      ['AAPL', '14', '15', '-1'],
      ['GOOG', '3', '0', '3'],
    ]);
  });

  it('completes: marks transactions up to the date reconciled and stores the record', async () => {
    const { caller, account, db, user } = await history();
    const input = {
      accountId: account.id,
      statementDate: '2024-02-29',
      cashBalance: '3674',
      positions: [{ symbol: 'AAPL', quantity: '15' }],
    };
    const done = await caller.accounts.completeReconciliation(input);
    expect([done.status, done.transactionsReconciled, done.balanced]).toEqual(['balanced', 4, true]);
    const rows = await caller.transactions.list({ accountId: account.id, limit: 10 });
    expect(rows.items.map((t) => [t.tradeDate, t.reconciled])).toEqual([
      ['2024-03-05', false],
      ['2024-02-01', true],
      ['2024-01-20', true],
      ['2024-01-03', true],
      ['2024-01-02', true],
    ]);
    expect(rows.items[1]?.reconciliationId).toBe(done.id);
    expect(await db('reconciliations').where('account_id', account.id)).toHaveLength(1);
    expect(
      await db('audit_events').where({ user_id: user.id, event: 'reconciliation_completed' }),
    ).toHaveLength(1);
    expect((await caller.accounts.reconcile(input)).unreconciledTransactions).toBe(0);
  });

  it('refuses to complete with differences unless told to accept them', async () => {
    const { caller, account, db } = await history();
    const input = {
      accountId: account.id,
      statementDate: '2024-02-29',
      cashBalance: '3600',
      positions: [{ symbol: 'AAPL', quantity: '15' }],
    };
    const err = await expectTRPCError(caller.accounts.completeReconciliation(input), 'CONFLICT');
    expect(err.message).toContain('cash -74');
    expect(err.fields).toEqual(['acceptDifferences']);
    expect(await db('reconciliations').where('account_id', account.id)).toHaveLength(0);
    const accepted = await caller.accounts.completeReconciliation({ ...input, acceptDifferences: true });
    expect([accepted.status, accepted.cashDifference.toFixed()]).toEqual([
      'accepted_with_differences',
      '-74',
    ]);
  });

  it('only for accounts that track transactions', async () => {
    const { caller } = await ledgerUser();
    const checking = await caller.accounts.create({ name: 'Checking', type: 'checking' });
    const err = await expectTRPCError(
      caller.accounts.reconcile({
        accountId: checking.id,
        statementDate: '2024-02-29',
        cashBalance: '1',
        positions: [],
      }),
      'BAD_REQUEST',
    );
    expect(err.fields).toEqual(['accountId']);
  });
});
