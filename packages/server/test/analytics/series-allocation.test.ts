/**
 * analytics.series and analytics.allocation, the holdings' stored metrics, the query count, and
 * the SDK over HTTP.
 */
import { Decimal, todayIso } from '@fo/schema';
import { addMonthsToDay, dayToIso, isoToDay } from '@fo/schema/calendar';
import { describe, expect, it } from 'vitest';
import { runPortfolioAnalytics } from '../../src/services/analytics/service.js';
import { newUser } from '../support/accounts-factories.js';
import { insertLedger, seedPrices } from '../support/analytics-factories.js';
import { createUserWithSession } from '../support/auth-factories.js';
import { callerAs } from '../support/caller.js';
import { getTestDb } from '../support/db.js';
import { insertAccount } from '../support/factories.js';
import { startTestServer } from '../support/http.js';

describe('analytics.series', () => {
  it('gives value, contributions, cumulative TWR, benchmark and net worth per period', async () => {
    const { caller, db, user } = await newUser();
    const brokerage = await insertAccount(db, user, { name: 'Brokerage' });
    await seedPrices(caller, 'AAA', '2024-01-01', '2024-03-29', (d) => (d < '2024-02-01' ? 100 : 120));
    await seedPrices(caller, 'SPY', '2024-01-01', '2024-03-29', (d) => (d < '2024-03-01' ? 400 : 420));
    await insertLedger(db, user, brokerage, [
      { type: 'deposit', date: '2024-01-02', amount: 1_000 },
      { type: 'buy', date: '2024-01-02', symbol: 'AAA', quantity: 10, price: 100 },
      { type: 'deposit', date: '2024-02-15', amount: 500 },
    ]);
    // Outside the investment portfolio: a checking balance, a credit card debt, a house with a mortgage.
    const checking = await caller.accounts.create({ name: 'Checking', type: 'checking' });
    await caller.accounts.recordBalance({ accountId: checking.id, date: '2024-01-10', balance: '2000' });
    const card = await caller.accounts.create({ name: 'Card', type: 'credit_card' });
    await caller.accounts.recordBalance({ accountId: card.id, date: '2024-02-20', balance: '300' });
    const house = await caller.realEstate.create({
      name: 'House',
      propertyType: 'primary_residence',
      purchasePrice: '500000',
      purchaseDate: '2024-03-01',
    });
    await caller.realEstate.addMortgage({
      propertyId: house.id,
      originalPrincipal: '400000',
      annualRate: '0.06',
      termMonths: 360,
      startDate: '2024-03-01',
    });

    const res = await caller.analytics.series({ range: 'ITD', interval: 'month', asOf: '2024-03-29' });
    expect(res.range).toMatchObject({ from: '2024-01-01', to: '2024-03-29', status: 'ok' });
    expect(res.points.map((p) => p.date)).toEqual(['2024-01-01', '2024-01-31', '2024-02-29', '2024-03-29']);
    const [start, jan, feb, mar] = res.points;
    expect(start).toMatchObject({ twr: 0, benchmark: 0 });
    expect(start?.value?.toFixed()).toBe('0');
    expect(jan?.value?.toFixed(2)).toBe('1000.00');
    expect(jan?.contributions?.toFixed(2)).toBe('1000.00');
    expect(feb?.value?.toFixed(2)).toBe('1700.00');
    expect(feb?.netFlow?.toFixed(2)).toBe('500.00');
    expect(feb?.contributions?.toFixed(2)).toBe('1500.00');
    expect(feb?.twr).toBeCloseTo(0.2, 12);
    expect(mar?.benchmark).toBeCloseTo(0.05, 12);
    // Net worth: investments + checking 2,000 − card 300 (+ house 500,000 − mortgage from March).
    expect(jan?.netWorth?.toFixed(2)).toBe('3000.00');
    expect(feb?.netWorth?.toFixed(2)).toBe('3400.00');
    // The 2024-03-01 mortgage has its first payment on 2024-04-01: equity 100,000 in March.
    expect(mar?.netWorth?.toFixed(2)).toBe(new Decimal(1700 + 2000 - 300 + 100_000).toFixed(2));

    const daily = await caller.analytics.series({ range: 'ITD', asOf: '2024-03-29' });
    expect(daily.points).toHaveLength(1 + 64);
    expect(daily.unavailable).toEqual([]);
  });

  it('leaves net worth out of account and holding series, saying so', async () => {
    const { caller, db, user } = await newUser();
    const brokerage = await insertAccount(db, user);
    await seedPrices(caller, 'SPY', '2024-01-01', '2024-01-31', () => 400);
    await insertLedger(db, user, brokerage, [{ type: 'deposit', date: '2024-01-02', amount: 10 }]);
    const res = await caller.analytics.series({
      scope: { type: 'account', accountId: brokerage.id },
      interval: 'week',
      asOf: '2024-01-31',
    });
    expect(res.points.every((p) => p.netWorth === null)).toBe(true);
    expect(res.unavailable).toEqual([{ figure: 'netWorth', reason: 'net worth is a portfolio-wide figure' }]);
    expect(res.points.map((p) => p.date)).toEqual([
      '2024-01-01',
      '2024-01-05',
      '2024-01-12',
      '2024-01-19',
      '2024-01-26',
      '2024-01-31',
    ]);
  });
});

describe('analytics.allocation', () => {
  it('breaks the portfolio down by asset class, account and currency, with concentration', async () => {
    const { caller, db, user } = await newUser();
    const a = await insertAccount(db, user, { name: 'Taxable' });
    const b = await insertAccount(db, user, { name: 'IRA', type: 'retirement' });
    await seedPrices(caller, 'AAA', '2024-01-01', '2024-01-31', () => 100);
    await seedPrices(caller, 'BND', '2024-01-01', '2024-01-31', () => 50);
    await seedPrices(caller, 'SPY', '2024-01-01', '2024-01-31', () => 400);
    await insertLedger(db, user, a, [
      { type: 'deposit', date: '2024-01-02', amount: 7_000 },
      { type: 'buy', date: '2024-01-02', symbol: 'AAA', quantity: 30, price: 100 },
      { type: 'buy', date: '2024-01-03', symbol: 'BND', quantity: 40, price: 50 },
    ]);
    await insertLedger(db, user, b, [
      { type: 'transfer_in', date: '2024-01-02', symbol: 'AAA', quantity: 30 },
    ]);
    await db('assets').where({ symbol: 'BND' }).update({ asset_class: 'bond' });
    const res = await caller.analytics.allocation({ asOf: '2024-01-31' });
    // AAA 6,000 (two accounts), BND 2,000, cash 2,000: total 10,000.
    expect(res.total.toFixed(2)).toBe('10000.00');
    expect(res.byAssetClass.map((s) => [s.key, s.value.toFixed(2), s.weight])).toEqual([
      ['stock', '6000.00', 0.6],
      ['bond', '2000.00', 0.2],
      ['cash', '2000.00', 0.2],
    ]);
    expect(res.byAccount.map((s) => [s.key, s.label, s.value.toFixed(2)])).toEqual([
      [a.id, 'Taxable', '7000.00'],
      [b.id, 'IRA', '3000.00'],
    ]);
    expect(res.byCurrency).toEqual([{ key: 'USD', label: 'USD', value: new Decimal('10000.00'), weight: 1 }]);
    // Holdings (cash excluded): AAA 75 %, BND 25 % → HHI 0.625.
    expect(res.concentration.holdings).toBe(2);
    expect(res.concentration.herfindahl).toBeCloseTo(0.625, 12);
    expect(res.concentration.top10Weight).toBeCloseTo(1, 12);
    expect(res.concentration.largest.map((s) => [s.key, s.weight])).toEqual([
      ['AAA', 0.75],
      ['BND', 0.25],
    ]);
    expect(res.missing).toEqual([]);
  });
});

describe('holdings performance fields', () => {
  it('are refreshed when portfolio analytics run as of today', async () => {
    const { caller, db, user, actor } = await newUser();
    const account = await insertAccount(db, user);
    const today = todayIso();
    const start = dayToIso(addMonthsToDay(isoToDay(today), -18));
    let level = 100;
    await seedPrices(caller, 'AAA', start, today, (_d, i) => {
      if (i > 0) level *= i % 2 ? 1.01 : 0.995;
      return level.toFixed(6);
    });
    await seedPrices(caller, 'SPY', start, today, (_d, i) => (400 + (i % 3)).toFixed(2));
    const days = await db('prices').where('symbol', 'AAA').orderBy('date').select('date', 'close');
    await insertLedger(db, user, account, [
      { type: 'deposit', date: days[0].date, amount: 100_000 },
      { type: 'buy', date: days[0].date, symbol: 'AAA', quantity: 100, price: days[0].close },
    ]);
    const result = await runPortfolioAnalytics({ db, actor });
    expect(result.performance.ranges.find((r) => r.range.key === '1Y')?.range.status).toBe('ok');
    expect(result.allocation.total.gt(0)).toBe(true);
    const row = await db('assets').where({ account_id: account.id, symbol: 'AAA' }).first();
    expect(row.metrics_as_of).toBeInstanceOf(Date);
    const holding = await caller.analytics.risk({
      scope: { type: 'holding', holdingId: row.id },
      ranges: ['1Y'],
    });
    const perf = await caller.analytics.performance({ scope: { type: 'holding', holdingId: row.id } });
    expect(Number(row.return_1y)).toBeCloseTo(
      perf.ranges.find((r) => r.range.key === '1Y')?.twr as number,
      9,
    );
    expect(Number(row.return_total)).toBeCloseTo(
      perf.ranges.find((r) => r.range.key === 'ITD')?.twr as number,
      9,
    );
    expect(Number(row.volatility)).toBeCloseTo(holding.ranges[0]?.volatility as number, 9);
    expect(Number(row.beta)).toBeCloseTo(holding.ranges[0]?.beta as number, 9);
    expect(Number(row.alpha)).toBeCloseTo(holding.ranges[0]?.alpha as number, 9);
  });
});

describe('queries per call', () => {
  it('do not grow with the number of accounts, holdings and symbols', async () => {
    const count = async (accounts: number, symbols: number) => {
      const { caller, db, user, actor } = await newUser();
      for (let s = 0; s < symbols; s++)
        await seedPrices(caller, `S${s}`, '2024-01-01', '2024-01-31', () => 10 + s);
      for (let k = 0; k < accounts; k++) {
        const account = await insertAccount(db, user);
        await insertLedger(
          db,
          user,
          account,
          Array.from({ length: symbols }, (_, s) => ({
            type: 'buy' as const,
            date: '2024-01-03',
            symbol: `S${s}`,
            quantity: 1,
            price: 10,
          })),
        );
      }
      const fresh = await callerAs(actor);
      let queries = 0;
      const onQuery = () => {
        queries++;
      };
      db.on('query', onQuery);
      try {
        await fresh.analytics.performance({ asOf: '2024-01-31' });
        await fresh.analytics.allocation({ asOf: '2024-01-31' });
      } finally {
        db.off('query', onQuery);
      }
      return queries;
    };
    const small = await count(1, 1);
    const large = await count(8, 12);
    expect(large).toBe(small);
  });
});

describe('over HTTP with the SDK', () => {
  it('returns Decimals, numbers and dates as typed', async () => {
    const db = await getTestDb();
    const { user, token, actor } = await createUserWithSession(db);
    const caller = await callerAs(actor);
    const account = await insertAccount(db, user);
    await seedPrices(caller, 'SPY', '2024-01-01', '2024-02-29', (_d, i) => 400 + i);
    await insertLedger(db, user, account, [
      { type: 'transfer_in', date: '2024-01-02', symbol: 'SPY', quantity: 2 },
    ]);
    await using server = await startTestServer();
    const client = server.client(token);
    const perf = await client.analytics.performance.query({ asOf: '2024-02-29', ranges: ['1M', 'ITD'] });
    expect(perf.ranges[1]?.endValue).toBeInstanceOf(Decimal);
    expect(typeof perf.ranges[1]?.twr).toBe('number');
    const risk = await client.analytics.risk.query({ asOf: '2024-02-29', ranges: ['ITD'] });
    expect(risk.ranges[0]?.beta).toBeCloseTo(1, 9);
    const series = await client.analytics.series.query({ asOf: '2024-02-29', interval: 'week' });
    expect(series.points.length).toBeGreaterThan(5);
    const allocation = await client.analytics.allocation.query({ asOf: '2024-02-29' });
    expect(allocation.byAssetClass[0]?.key).toBe('stock');
  });
});
