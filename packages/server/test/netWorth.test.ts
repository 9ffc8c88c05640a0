import { Decimal, todayIso } from '@fo/schema';
import { addDays } from '@fo/schema/calendar';
import { describe, expect, it } from 'vitest';
import { refreshNetWorthSnapshot } from '../src/services/portfolio/refresh.js';
import { balanceAsOf } from '../src/services/realEstate/amortization.js';
import { holdingsAccount, newUser } from './support/accounts-factories.js';
import { createUserWithSession, signUpAndLogin } from './support/auth-factories.js';
import { getTestDb } from './support/db.js';
import { expectTRPCError } from './support/expect-error.js';
import { startTestServer } from './support/http.js';

const today = todayIso();
const D = (v: Decimal.Value) => new Decimal(v);

describe('portfolio.netWorth', () => {
  it('adds up accounts, holdings and real estate by category, item and currency, in the base currency', async () => {
    const { caller, db, user } = await newUser();
    await caller.fx.upsert({
      rows: [
        { date: addDays(today, -5), base: 'EUR', quote: 'USD', rate: '1.2' },
        { date: addDays(today, -1), base: 'EUR', quote: 'USD', rate: '1.1' },
        // Only the inverse is stored for GBP: USD/GBP 0.8 converts GBP at 1.25.
        { date: addDays(today, -1), base: 'USD', quote: 'GBP', rate: '0.8' },
      ],
    });
    await caller.prices.upsert({ rows: [{ symbol: 'AAPL', date: today, close: '200', currency: 'USD' }] });

    const checking = await caller.accounts.create({ name: 'Checking', type: 'checking' });
    await caller.accounts.recordBalance({ accountId: checking.id, date: today, balance: '10000' });
    const savings = await caller.accounts.create({ name: 'Sparbuch', type: 'savings', currency: 'EUR' });
    await caller.accounts.recordBalance({ accountId: savings.id, date: today, balance: '5000' });
    const card = await caller.accounts.create({ name: 'Visa', type: 'credit_card' });
    await caller.accounts.recordBalance({ accountId: card.id, date: today, balance: '1500' });
    const loan = await caller.accounts.create({ name: 'Car loan', type: 'loan', currency: 'GBP' });
    await caller.accounts.recordBalance({ accountId: loan.id, date: today, balance: '800' });
    const brokerage = await holdingsAccount(caller);
    await caller.holdings.create({
      accountId: brokerage.id,
      symbol: 'AAPL',
      quantity: '10',
      costBasis: '1000',
    });
    await caller.holdings.create({
      accountId: brokerage.id,
      symbol: 'USD',
      assetClass: 'cash',
      quantity: '500',
    });
    const home = await caller.realEstate.create({
      name: 'Home',
      propertyType: 'primary_residence',
      purchasePrice: '400000',
      purchaseDate: '2020-01-01',
      ownershipShare: '0.5',
      mortgages: [
        { originalPrincipal: '100000', annualRate: '0.06', termMonths: 360, startDate: '2020-01-01' },
      ],
    });
    const mortgageBalance = home.mortgages[0]!.currentBalance;

    const nw = await caller.portfolio.netWorth();
    expect(nw.asOf).toBe(today);
    expect(nw.baseCurrency).toBe('USD');
    expect(nw.complete).toBe(true);
    expect(nw.warnings).toEqual([]);
    const equity = D(200000).minus(mortgageBalance);
    expect(nw.categories).toEqual({
      investments: D(2000),
      cash: D(10000).plus(5500).plus(500),
      realEstateEquity: equity,
      otherAssets: D(0),
      mortgages: D(0),
      loans: D(1000),
      creditCards: D(1500),
      otherLiabilities: D(0),
    });
    expect(nw.totalAssets).toEqual(D(18000).plus(equity));
    expect(nw.totalLiabilities).toEqual(D(2500));
    expect(nw.netWorth).toEqual(D(15500).plus(equity));

    const item = (id: string) => nw.items.find((i) => i.id === id)!;
    expect(item(savings.id)).toMatchObject({
      kind: 'account',
      type: 'savings',
      value: D(5500),
      missingRates: [],
    });
    expect(item(savings.id).amounts).toEqual([{ currency: 'EUR', amount: D(5000) }]);
    expect(item(loan.id).amounts).toEqual([{ currency: 'GBP', amount: D(-800) }]);
    expect(item(loan.id).value).toEqual(D(-1000));
    expect(item(brokerage.id).value).toEqual(D(2500));
    expect(item(home.id)).toMatchObject({ kind: 'property', type: 'primary_residence', value: equity });

    const eur = nw.byCurrency.find((c) => c.currency === 'EUR')!;
    expect(eur).toMatchObject({ net: D(5000), rate: D('1.1'), rateDate: addDays(today, -1), value: D(5500) });
    const gbp = nw.byCurrency.find((c) => c.currency === 'GBP')!;
    expect(gbp).toMatchObject({ liabilities: D(800), net: D(-800), rate: D('1.25'), value: D(-1000) });

    // The cached net worth followed the last change.
    const cached = await db('users').where('id', user.id).first();
    expect(D(cached.net_worth)).toEqual(nw.netWorth);
  });

  it('names a missing FX rate and leaves that amount out instead of converting at 1.0', async () => {
    const { caller } = await newUser();
    const usd = await caller.accounts.create({ name: 'USD', type: 'checking' });
    await caller.accounts.recordBalance({ accountId: usd.id, date: today, balance: '100' });
    const yen = await caller.accounts.create({ name: 'Yen', type: 'savings', currency: 'JPY' });
    await caller.accounts.recordBalance({ accountId: yen.id, date: today, balance: '1000000' });
    const nw = await caller.portfolio.netWorth();
    expect(nw.complete).toBe(false);
    expect(nw.netWorth).toEqual(D(100));
    expect(nw.warnings).toEqual([
      expect.objectContaining({ code: 'MISSING_FX_RATE', pair: 'JPY/USD', ids: [yen.id] }),
    ]);
    const item = nw.items.find((i) => i.id === yen.id)!;
    expect(item.value).toBeNull();
    expect(item.missingRates).toEqual(['JPY/USD']);
    expect(item.amounts).toEqual([{ currency: 'JPY', amount: D(1000000) }]);
    expect(nw.byCurrency.find((c) => c.currency === 'JPY')).toMatchObject({ rate: null, value: null });
  });

  it('moves negative amounts to the liability side and flags unpriced and stale holdings', async () => {
    const { caller } = await newUser();
    const overdrawn = await caller.accounts.create({ name: 'Overdrawn', type: 'checking' });
    await caller.accounts.recordBalance({ accountId: overdrawn.id, date: today, balance: '-200' });
    const card = await caller.accounts.create({ name: 'Card in credit', type: 'credit_card' });
    await caller.accounts.recordBalance({ accountId: card.id, date: today, balance: '0' });
    await caller.prices.upsert({
      rows: [{ symbol: 'GME', date: addDays(today, -20), close: '20', currency: 'USD' }],
    });
    const shorts = await holdingsAccount(caller, { allowShort: true });
    await caller.holdings.create({ accountId: shorts.id, symbol: 'GME', quantity: '-10', costBasis: '300' });
    await caller.holdings.create({
      accountId: shorts.id,
      symbol: 'PRIVATE',
      quantity: '1',
      costBasis: '1000',
    });
    await caller.realEstate.create({
      name: 'Underwater condo',
      propertyType: 'rental',
      purchasePrice: '100000',
      purchaseDate: '2024-01-01',
      mortgages: [{ originalPrincipal: '120000', annualRate: '0.07', termMonths: 360, startDate: today }],
    });
    const lot = await caller.realEstate.create({ name: 'Lot', propertyType: 'land' });

    const nw = await caller.portfolio.netWorth();
    expect(nw.categories.otherLiabilities).toEqual(D(200).plus(200));
    expect(nw.categories.investments).toEqual(D(1000));
    // Mortgages beyond the property's value count as mortgage debt, not negative equity.
    expect(nw.categories.realEstateEquity).toEqual(D(0));
    expect(nw.categories.mortgages).toEqual(D(20000));
    expect(nw.categories.creditCards).toEqual(D(0));
    expect(nw.warnings.map((w) => [w.code, w.symbols, w.ids])).toEqual([
      ['UNPRICED_HOLDINGS', ['PRIVATE'], []],
      ['STALE_PRICES', ['GME'], []],
      ['NO_VALUATION', [], [lot.id]],
    ]);
  });

  it("values a past day with that day's balances, valuations, prices and mortgage balance, and leaves closed accounts out", async () => {
    const { caller } = await newUser();
    const past = addDays(today, -40);
    const savings = await caller.accounts.create({ name: 'Savings', type: 'savings' });
    await caller.accounts.recordBalance({ accountId: savings.id, date: addDays(past, -1), balance: '1000' });
    await caller.accounts.recordBalance({ accountId: savings.id, date: today, balance: '3000' });
    const old = await caller.accounts.create({ name: 'Old savings', type: 'savings' });
    await caller.accounts.recordBalance({ accountId: old.id, date: addDays(past, -5), balance: '700' });
    await caller.accounts.close({ id: old.id, closedOn: addDays(past, 10) });
    await caller.prices.upsert({
      rows: [
        { symbol: 'VTI', date: addDays(past, -2), close: '100', currency: 'USD' },
        { symbol: 'VTI', date: today, close: '120', currency: 'USD' },
      ],
    });
    const brokerage = await holdingsAccount(caller);
    await caller.holdings.create({ accountId: brokerage.id, symbol: 'VTI', quantity: '10' });
    const home = await caller.realEstate.create({
      name: 'Home',
      propertyType: 'primary_residence',
      purchasePrice: '300000',
      purchaseDate: '2019-01-01',
      mortgages: [
        { originalPrincipal: '200000', annualRate: '0.05', termMonths: 360, startDate: '2019-01-01' },
      ],
    });
    await caller.realEstate.recordValuation({ propertyId: home.id, date: addDays(past, 5), value: '350000' });

    const then = await caller.portfolio.netWorth({ asOf: past });
    const terms = {
      principal: D(200000),
      annualRate: D('0.05'),
      termMonths: 360,
      startDate: '2019-01-01',
      frequency: 'monthly' as const,
      currency: 'USD',
    };
    expect(then.categories.cash).toEqual(D(1700));
    expect(then.categories.investments).toEqual(D(1000));
    expect(then.categories.realEstateEquity).toEqual(D(300000).minus(balanceAsOf(terms, past).balance));

    const now = await caller.portfolio.netWorth();
    expect(now.categories.cash).toEqual(D(3000));
    expect(now.categories.investments).toEqual(D(1200));
    expect(now.categories.realEstateEquity).toEqual(D(350000).minus(balanceAsOf(terms, today).balance));
    await expectTRPCError(caller.portfolio.netWorth({ asOf: '2999-01-01' }), 'BAD_REQUEST');
  });
});

describe('cached net worth and history', () => {
  it("refreshes users.net_worth and today's snapshot on every change; the daily refresh writes any day", async () => {
    const { caller, db, user } = await newUser();
    const a = await caller.accounts.create({ name: 'Savings', type: 'savings' });
    await caller.accounts.recordBalance({ accountId: a.id, date: today, balance: '2500' });
    let row = await db('users').where('id', user.id).first();
    expect(row.net_worth).toBe('2500.00000000');
    expect(row.net_worth_as_of).toBeInstanceOf(Date);

    await caller.realEstate.create({
      name: 'Cabin',
      propertyType: 'vacation',
      purchasePrice: '100000',
      purchaseDate: '2021-01-01',
    });
    row = await db('users').where('id', user.id).first();
    expect(row.net_worth).toBe('102500.00000000');

    for (const days of [70, 40, 10]) {
      await refreshNetWorthSnapshot(db, user.id, addDays(today, -days));
    }
    const daily = await caller.portfolio.netWorthHistory({ from: addDays(today, -100) });
    expect(daily.points.map((p) => p.date)).toEqual([
      addDays(today, -70),
      addDays(today, -40),
      addDays(today, -10),
      today,
    ]);
    expect(daily.points.at(-1)).toMatchObject({ netWorth: D(102500), baseCurrency: 'USD', complete: true });
    // A balance recorded today did not exist 40 days ago.
    expect(daily.points[1]!.netWorth).toEqual(D(100000));

    const monthly = await caller.portfolio.netWorthHistory({ from: addDays(today, -100), interval: 'month' });
    expect(monthly.points.length).toBeLessThan(daily.points.length + 1);
    expect(monthly.points.at(-1)?.date).toBe(today);
    const bad = await expectTRPCError(
      caller.portfolio.netWorthHistory({ from: today, to: addDays(today, -1) }),
      'BAD_REQUEST',
    );
    expect(bad.fields).toEqual(['from']);
  });

  it("stores each holding's valuation with the daily refresh", async () => {
    const { caller, db, user } = await newUser();
    const account = await holdingsAccount(caller);
    const h = await caller.holdings.create({ accountId: account.id, symbol: 'QQQ', quantity: '2' });
    await caller.prices.upsert({ rows: [{ symbol: 'QQQ', date: today, close: '450', currency: 'USD' }] });
    await refreshNetWorthSnapshot(db, user.id, today);
    const stored = await db('assets').where('id', h.id).first();
    expect(stored.current_price).toBe('450.00000000');
    expect(stored.current_value).toBe('900.00000000');
    expect(stored.price_as_of.toISOString().slice(0, 10)).toBe(today);
  });
});

describe('no N+1', () => {
  async function seed(db: Awaited<ReturnType<typeof newUser>>['db'], userId: string, holdings: number) {
    const accounts = await db('accounts')
      .insert(
        Array.from({ length: 10 }, (_, i) => ({
          user_id: userId,
          name: `Account ${i}`,
          type: 'brokerage',
          tracking_mode: 'holdings',
          currency: i % 2 ? 'EUR' : 'USD',
        })),
      )
      .returning('id');
    const rows = Array.from({ length: holdings }, (_, i) => ({
      account_id: accounts[i % 10].id,
      user_id: userId,
      symbol: `S${i}`,
      quantity: '1',
      cost_basis: '10',
      currency: i % 2 ? 'EUR' : 'USD',
    }));
    for (let i = 0; i < rows.length; i += 500) await db('assets').insert(rows.slice(i, i + 500));
    const prices = rows.map((r) => ({ symbol: r.symbol, date: today, close: '12.5', currency: r.currency }));
    for (let i = 0; i < prices.length; i += 500) {
      await db('prices')
        .insert(prices.slice(i, i + 500))
        .onConflict(['symbol', 'date'])
        .ignore();
    }
    await db('fx')
      .insert({ base: 'EUR', quote: 'USD', date: today, rate: '1.1' })
      .onConflict(['base', 'quote', 'date'])
      .ignore();
    const property = await db('real_estate')
      .insert({ user_id: userId, name: 'Home', property_type: 'primary_residence', currency: 'USD' })
      .returning('id');
    await db('mortgages').insert({
      property_id: property[0].id,
      user_id: userId,
      original_principal: '100000',
      annual_rate: '0.05',
      term_months: 360,
      start_date: '2020-01-01',
    });
  }

  async function queriesFor(holdings: number): Promise<{ count: number; investments: Decimal }> {
    const { caller, db, user } = await newUser();
    await seed(db, user.id, holdings);
    let count = 0;
    const listener = () => {
      count += 1;
    };
    db.on('query', listener);
    try {
      const nw = await caller.portfolio.netWorth();
      return { count, investments: nw.categories.investments };
    } finally {
      db.removeListener('query', listener);
    }
  }

  it('portfolio.netWorth runs the same number of queries for 10 and for 1,000 holdings', async () => {
    const small = await queriesFor(10);
    const large = await queriesFor(1000);
    expect(large.count).toBe(small.count);
    expect(small.count).toBeLessThanOrEqual(8);
    // 500 USD holdings at 12.5 and 500 EUR holdings at 12.5 × 1.1.
    expect(large.investments).toEqual(D(6250).plus(D(6250).mul('1.1')));
  });
});

describe('over HTTP with the SDK', () => {
  it('signs in, builds a portfolio and reads net worth and an amortization schedule with real Decimals', async () => {
    await using server = await startTestServer();
    const { token } = await signUpAndLogin(server.client());
    const fo = server.client(token);
    const account = await fo.accounts.create.mutate({ name: 'Checking', type: 'checking' });
    await fo.accounts.recordBalance.mutate({ accountId: account.id, date: today, balance: '1234.56' });
    const property = await fo.realEstate.create.mutate({
      name: 'Rental',
      propertyType: 'rental',
      purchasePrice: '250000',
      purchaseDate: '2022-01-01',
      mortgages: [
        { originalPrincipal: '200000', annualRate: '0.065', termMonths: 360, startDate: '2022-01-01' },
      ],
    });
    const schedule = await fo.realEstate.amortizationSchedule.query({
      mortgageId: property.mortgages[0]!.id,
    });
    expect(schedule.payment).toBeInstanceOf(Decimal);
    expect(schedule.rows).toHaveLength(360);
    const nw = await fo.portfolio.netWorth.query();
    expect(nw.netWorth).toBeInstanceOf(Decimal);
    expect(nw.categories.cash.toFixed(2)).toBe('1234.56');
    const page = await fo.accounts.list.query({ limit: 10 });
    expect(page.items[0]?.createdAt).toBeInstanceOf(Date);
    // A foreign id over HTTP is NOT_FOUND too.
    const other = await createUserWithSession(await getTestDb());
    const intruder = server.client(other.token);
    await expect(intruder.accounts.byId.query({ id: account.id })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND' },
    });
  });
});
