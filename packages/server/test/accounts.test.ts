import { Decimal, todayIso } from '@fo/schema';
import { describe, expect, it } from 'vitest';
import { Asset, Transaction } from '../src/models/index.js';
import { holdingsAccount, newUser } from './support/accounts-factories.js';
import { expectTRPCError } from './support/expect-error.js';

function daysAgo(n: number): string {
  return todayIso(new Date(Date.now() - n * 86_400_000));
}

describe('accounts.create / byId', () => {
  it("defaults the currency to the user's base currency and the tracking mode by type", async () => {
    const { caller } = await newUser({ base_currency: 'EUR' });
    const checking = await caller.accounts.create({ name: 'Girokonto', type: 'checking' });
    expect(checking).toMatchObject({
      currency: 'EUR',
      trackingMode: 'holdings',
      isCashLike: true,
      isLiability: false,
      allowShort: false,
      costBasisMethod: 'fifo',
      closedAt: null,
    });
    expect(checking.balance).toEqual(new Decimal(0));
    const brokerage = await caller.accounts.create({
      name: 'Depot',
      type: 'brokerage',
      subtype: 'joint',
      currency: 'usd',
      institution: 'Fidelity',
    });
    expect(brokerage).toMatchObject({ currency: 'USD', trackingMode: 'transactions', subtype: 'joint' });
    expect(await caller.accounts.byId({ id: brokerage.id })).toEqual(brokerage);
    const card = await caller.accounts.create({ name: 'Visa', type: 'credit_card' });
    expect(card.isLiability).toBe(true);
  });

  it('rejects a non-ISO currency and a subtype that does not fit the type, writing nothing', async () => {
    const { caller, db, user } = await newUser();
    const bad = await expectTRPCError(
      caller.accounts.create({ name: 'X', type: 'checking', currency: 'XYZ' }),
      'BAD_REQUEST',
    );
    expect(bad.fields).toEqual(['currency']);
    const mismatch = await expectTRPCError(
      caller.accounts.create({ name: 'X', type: 'checking', subtype: '401k' }),
      'BAD_REQUEST',
    );
    expect(mismatch.fields).toEqual(['subtype']);
    expect(await db('accounts').where('user_id', user.id).count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it("answers NOT_FOUND for another user's account", async () => {
    const owner = await newUser();
    const intruder = await newUser();
    const account = await holdingsAccount(owner.caller);
    await expectTRPCError(intruder.caller.accounts.byId({ id: account.id }), 'NOT_FOUND');
    await expectTRPCError(intruder.caller.accounts.update({ id: account.id, name: 'Mine' }), 'NOT_FOUND');
    await expectTRPCError(intruder.caller.accounts.delete({ id: account.id }), 'NOT_FOUND');
    expect((await owner.caller.accounts.byId({ id: account.id })).name).toBe(account.name);
  });
});

describe('accounts.list', () => {
  it('filters by type, institution and closed state', async () => {
    const { caller } = await newUser();
    const a = await caller.accounts.create({ name: 'A', type: 'checking', institution: 'Chase' });
    const b = await caller.accounts.create({ name: 'B', type: 'savings', institution: 'Ally' });
    const c = await caller.accounts.create({ name: 'C', type: 'brokerage', institution: 'chase' });
    await caller.accounts.close({ id: b.id });

    const ids = async (input: Parameters<typeof caller.accounts.list>[0]) =>
      (await caller.accounts.list(input)).items.map((x) => x.id);
    expect(await ids({})).toEqual([a.id, c.id]);
    expect(await ids({ includeClosed: true })).toEqual([a.id, b.id, c.id]);
    expect(await ids({ type: 'checking' })).toEqual([a.id]);
    expect(await ids({ type: ['savings', 'brokerage'], includeClosed: true })).toEqual([b.id, c.id]);
    expect(await ids({ institution: 'CHASE' })).toEqual([a.id, c.id]);
  });

  it('pages with a keyset cursor in every sort, without gaps or repeats', async () => {
    const { caller } = await newUser();
    const names = ['delta', 'alpha', 'echo', 'charlie', 'bravo', 'foxtrot', 'golf'];
    for (const name of names) await caller.accounts.create({ name, type: 'savings' });

    for (const [sort, direction, expected] of [
      ['name', 'asc', [...names].sort()],
      ['name', 'desc', [...names].sort().reverse()],
      ['createdAt', 'asc', names],
      ['createdAt', 'desc', [...names].reverse()],
    ] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await caller.accounts.list({ sort, direction, limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((x) => x.name));
        cursor = page.nextCursor ?? undefined;
        pages += 1;
      } while (cursor);
      expect(seen, `${sort} ${direction}`).toEqual(expected);
      expect(pages).toBe(3);
    }
  });

  it('rejects a mangled cursor and a cursor from another sort', async () => {
    const { caller } = await newUser();
    for (const name of ['a', 'b']) await caller.accounts.create({ name, type: 'savings' });
    const page = await caller.accounts.list({ limit: 1 });
    expect(page.nextCursor).not.toBeNull();
    const other = await expectTRPCError(
      caller.accounts.list({ limit: 1, sort: 'name', cursor: page.nextCursor! }),
      'BAD_REQUEST',
    );
    expect(other.fields).toEqual(['cursor']);
    const mangled = await expectTRPCError(caller.accounts.list({ cursor: 'not-a-cursor' }), 'BAD_REQUEST');
    expect(mangled.fields).toEqual(['cursor']);
  });
});

describe('accounts.update', () => {
  it('renames and changes settings; refuses structural changes once the account holds records', async () => {
    const { caller, db, user } = await newUser();
    const account = await holdingsAccount(caller);
    const renamed = await caller.accounts.update({ id: account.id, name: 'Renamed', currency: 'EUR' });
    expect(renamed).toMatchObject({ name: 'Renamed', currency: 'EUR' });

    await Asset.query(db).insert({ account_id: account.id, user_id: user.id, symbol: 'AAPL', quantity: '1' });
    const conflict = await expectTRPCError(
      caller.accounts.update({ id: account.id, currency: 'GBP' }),
      'CONFLICT',
    );
    expect(conflict.fields).toEqual(['currency']);
    expect((await caller.accounts.byId({ id: account.id })).currency).toBe('EUR');

    const subtype = await expectTRPCError(
      caller.accounts.update({ id: account.id, subtype: 'heloc' }),
      'BAD_REQUEST',
    );
    expect(subtype.fields).toEqual(['subtype']);
  });

  it('refuses to disallow shorts while a short position is open', async () => {
    const { caller, db, user } = await newUser();
    const account = await holdingsAccount(caller, { allowShort: true });
    await Asset.query(db).insert({
      account_id: account.id,
      user_id: user.id,
      symbol: 'TSLA',
      quantity: '-5',
    });
    const err = await expectTRPCError(
      caller.accounts.update({ id: account.id, allowShort: false }),
      'CONFLICT',
    );
    expect(err.fields).toEqual(['allowShort']);
  });
});

describe('accounts.close / reopen / delete', () => {
  it('closes (keeping the record) and reopens', async () => {
    const { caller } = await newUser();
    const account = await holdingsAccount(caller);
    const closed = await caller.accounts.close({ id: account.id, closedOn: daysAgo(3) });
    expect(closed.closedAt?.toISOString().slice(0, 10)).toBe(daysAgo(3));
    await expectTRPCError(caller.accounts.close({ id: account.id }), 'CONFLICT');
    expect((await caller.accounts.byId({ id: account.id })).closedAt).not.toBeNull();
    const reopened = await caller.accounts.reopen({ id: account.id });
    expect(reopened.closedAt).toBeNull();
    await expectTRPCError(caller.accounts.reopen({ id: account.id }), 'CONFLICT');
    const future = await expectTRPCError(
      caller.accounts.close({ id: account.id, closedOn: '2999-01-01' }),
      'BAD_REQUEST',
    );
    expect(future.fields).toEqual(['closedOn']);
  });

  it('deletes an account without transactions, with its holdings and balances', async () => {
    const { caller, db } = await newUser();
    const account = await caller.accounts.create({ name: 'Savings', type: 'savings' });
    await caller.accounts.recordBalance({ accountId: account.id, date: todayIso(), balance: '100' });
    await caller.accounts.delete({ id: account.id });
    await expectTRPCError(caller.accounts.byId({ id: account.id }), 'NOT_FOUND');
    expect(await db('account_balances').where('account_id', account.id).count({ n: '*' })).toEqual([
      { n: 0 },
    ]);
  });

  it('refuses to delete an account with transactions and tells the user to close it', async () => {
    const { caller, db, user } = await newUser();
    const account = await caller.accounts.create({ name: 'Brokerage', type: 'brokerage' });
    await Transaction.query(db).insert({
      account_id: account.id,
      user_id: user.id,
      type: 'deposit',
      trade_date: todayIso(),
      amount: '100',
    });
    const err = await expectTRPCError(caller.accounts.delete({ id: account.id }), 'CONFLICT');
    expect(err.message).toMatch(/close it instead/);
    expect((await caller.accounts.byId({ id: account.id })).id).toBe(account.id);
  });
});

describe('accounts.recordBalance / balanceHistory', () => {
  it('keeps a dated history and the latest balance on the account', async () => {
    const { caller } = await newUser();
    const account = await caller.accounts.create({ name: 'Checking', type: 'checking' });
    await caller.accounts.recordBalance({ accountId: account.id, date: daysAgo(10), balance: '1000.50' });
    const latest = await caller.accounts.recordBalance({
      accountId: account.id,
      date: daysAgo(2),
      balance: '1200',
      source: 'statement',
    });
    expect(latest.account.balance).toEqual(new Decimal('1200'));
    expect(latest.account.balanceAsOf).toBe(daysAgo(2));
    expect(latest.entry).toMatchObject({ date: daysAgo(2), source: 'statement' });

    // An older balance fills in history without moving the account's current balance.
    const older = await caller.accounts.recordBalance({
      accountId: account.id,
      date: daysAgo(5),
      balance: '900',
    });
    expect(older.account.balance).toEqual(new Decimal('1200'));
    // The same day again replaces that day's balance.
    await caller.accounts.recordBalance({ accountId: account.id, date: daysAgo(10), balance: '1001' });

    const history = await caller.accounts.balanceHistory({ accountId: account.id, limit: 2 });
    expect(history.items.map((b) => [b.date, b.balance.toString()])).toEqual([
      [daysAgo(2), '1200'],
      [daysAgo(5), '900'],
    ]);
    const rest = await caller.accounts.balanceHistory({ accountId: account.id, cursor: history.nextCursor! });
    expect(rest.items.map((b) => [b.date, b.balance.toString()])).toEqual([[daysAgo(10), '1001']]);
    expect(rest.nextCursor).toBeNull();
    const ranged = await caller.accounts.balanceHistory({
      accountId: account.id,
      from: daysAgo(6),
      to: daysAgo(3),
    });
    expect(ranged.items.map((b) => b.date)).toEqual([daysAgo(5)]);
  });

  it('records liabilities as positive amounts owed and rejects a negative one', async () => {
    const { caller, db } = await newUser();
    const loan = await caller.accounts.create({ name: 'Car loan', type: 'loan', subtype: 'auto' });
    const ok = await caller.accounts.recordBalance({
      accountId: loan.id,
      date: todayIso(),
      balance: '15000',
    });
    expect(ok.account.balance).toEqual(new Decimal('15000'));
    const err = await expectTRPCError(
      caller.accounts.recordBalance({ accountId: loan.id, date: todayIso(), balance: '-15000' }),
      'BAD_REQUEST',
    );
    expect(err.fields).toEqual(['balance']);
    expect((await db('account_balances').where('account_id', loan.id).first())?.balance).toBe(
      '15000.00000000',
    );
  });

  it('rejects future dates, non-cash accounts, ledger accounts and foreign accounts, writing nothing', async () => {
    const { caller, db, user } = await newUser();
    const checking = await caller.accounts.create({ name: 'Checking', type: 'checking' });
    const future = await expectTRPCError(
      caller.accounts.recordBalance({ accountId: checking.id, date: '2999-12-31', balance: '1' }),
      'BAD_REQUEST',
    );
    expect(future.fields).toEqual(['date']);

    const brokerage = await holdingsAccount(caller);
    const notCash = await expectTRPCError(
      caller.accounts.recordBalance({ accountId: brokerage.id, date: todayIso(), balance: '1' }),
      'BAD_REQUEST',
    );
    expect(notCash.fields).toEqual(['accountId']);

    const ledger = await caller.accounts.create({
      name: 'Ledger checking',
      type: 'checking',
      trackingMode: 'transactions',
    });
    const ledgerErr = await expectTRPCError(
      caller.accounts.recordBalance({ accountId: ledger.id, date: todayIso(), balance: '1' }),
      'BAD_REQUEST',
    );
    expect(ledgerErr.message).toMatch(/ledger/);

    const other = await newUser();
    await expectTRPCError(
      other.caller.accounts.recordBalance({ accountId: checking.id, date: todayIso(), balance: '1' }),
      'NOT_FOUND',
    );
    await expectTRPCError(other.caller.accounts.balanceHistory({ accountId: checking.id }), 'NOT_FOUND');
    expect(await db('account_balances').where('user_id', user.id).count({ n: '*' })).toEqual([{ n: 0 }]);
  });
});
