/**
 * analytics.performance and analytics.risk through the caller, on books built from the ledger,
 * prices and FX in the database.
 */

import { isoToDay } from '@fo/schema/calendar';
import { describe, expect, it } from 'vitest';
import { xirr } from '../../src/services/analytics/engine/index.js';
import { newUser } from '../support/accounts-factories.js';
import { insertLedger, seedFx, seedPrices } from '../support/analytics-factories.js';
import { expectTRPCError } from '../support/expect-error.js';
import { insertAccount } from '../support/factories.js';

/**
 * A year of history: 10,000 deposited and half invested in AAA at 100 on 2024-01-02; AAA jumps to
 * 110 on 2024-07-01, the day 5,000 more arrives (at the start of the day: it earns nothing that
 * day). SPY, the benchmark, goes 400 → 440 on the same day.
 */
async function simpleBook() {
  const fx = await newUser();
  const account = await insertAccount(fx.db, fx.user, { name: 'Brokerage' });
  await seedPrices(fx.caller, 'AAA', '2024-01-01', '2024-12-31', (d) => (d < '2024-07-01' ? 100 : 110));
  await seedPrices(fx.caller, 'SPY', '2024-01-01', '2024-12-31', (d) => (d < '2024-07-01' ? 400 : 440));
  await insertLedger(fx.db, fx.user, account, [
    { type: 'deposit', date: '2024-01-02', amount: 10_000 },
    { type: 'buy', date: '2024-01-02', symbol: 'AAA', quantity: 50, price: 100 },
    { type: 'deposit', date: '2024-07-01', amount: 5_000 },
  ]);
  return { ...fx, account };
}

describe('analytics.performance', () => {
  it('computes returns by range with their basis, and refuses ranges longer than the history', async () => {
    const { caller } = await simpleBook();
    const res = await caller.analytics.performance({ asOf: '2024-12-31' });
    expect(res.scope).toEqual({ type: 'portfolio', id: null, name: 'Portfolio', symbol: null });
    expect(res.basis).toMatchObject({ currency: 'USD', asOf: '2024-12-31', benchmark: 'SPY' });
    expect(res.missing).toEqual([]);
    const byKey = Object.fromEntries(res.ranges.map((r) => [r.range.key, r]));
    expect(Object.keys(byKey)).toEqual(['1M', '3M', '6M', 'YTD', '1Y', '3Y', '5Y', 'ITD']);

    const itd = byKey['ITD'];
    // 07-01: capital 10,000 + 5,000 at the start of the day, 15,500 at its close.
    expect(itd?.twr).toBeCloseTo(15_500 / 15_000 - 1, 12);
    expect(itd?.twrAnnualized).toBeNull();
    expect(itd?.unavailable).toContainEqual({
      figure: 'twrAnnualized',
      reason: 'the range is one year or shorter',
    });
    expect(itd?.startValue?.toFixed()).toBe('0');
    expect(itd?.endValue?.toFixed(2)).toBe('15500.00');
    expect(itd?.netFlows?.toFixed(2)).toBe('15000.00');
    expect(itd?.profit?.toFixed(2)).toBe('500.00');
    expect(itd?.simpleReturn).toBeCloseTo(500 / 15_000, 12);
    expect(itd?.benchmarkReturn).toBeCloseTo(0.1, 12);
    expect(itd?.range).toMatchObject({ from: '2024-01-01', to: '2024-12-31', status: 'ok' });
    // The money-weighted return solves the range's own cash flows.
    const days = [isoToDay('2024-01-02'), isoToDay('2024-07-01'), isoToDay('2024-12-31')];
    expect(itd?.xirr).toBeCloseTo(xirr(days, [-10_000, -5_000, 15_500]).rate as number, 10);
    const rate = itd?.xirr as number;
    const npv = -10_000 - 5_000 / (1 + rate) ** (181 / 365) + 15_500 / (1 + rate) ** (364 / 365);
    expect(Math.abs(npv)).toBeLessThan(1e-6);

    // 6M starts at the close of Friday 2024-06-28, before the jump; 3M after it.
    expect(byKey['6M']?.range.from).toBe('2024-06-28');
    expect(byKey['6M']?.twr).toBeCloseTo(1 / 30, 12);
    expect(byKey['3M']?.twr).toBe(0);
    expect(byKey['3M']?.profit?.toFixed(2)).toBe('0.00');
    for (const key of ['YTD', '1Y', '3Y', '5Y']) {
      expect(byKey[key]?.range.status).toBe('insufficient_history');
      expect(byKey[key]?.twr).toBeNull();
      expect(byKey[key]?.unavailable.map((u) => u.figure)).toContain('all');
    }
  });

  it('accepts custom ranges and a subset of the standard ones', async () => {
    const { caller } = await simpleBook();
    const res = await caller.analytics.performance({
      asOf: '2024-12-31',
      ranges: ['ITD'],
      custom: [{ from: '2024-06-01', to: '2024-08-30' }],
    });
    expect(res.ranges.map((r) => r.range.key)).toEqual(['ITD', 'custom']);
    const custom = res.ranges[1];
    expect(custom?.range).toMatchObject({
      requestedFrom: '2024-06-01',
      from: '2024-05-31',
      to: '2024-08-30',
    });
    expect(custom?.twr).toBeCloseTo(1 / 30, 12);
  });

  it('reports a price gap instead of valuing the holding at zero', async () => {
    const { caller, db, user } = await newUser();
    const account = await insertAccount(db, user);
    // ZZZ has prices only until 2024-03-15; nothing after.
    await seedPrices(caller, 'ZZZ', '2024-01-01', '2024-03-15', () => 50);
    await seedPrices(caller, 'SPY', '2024-01-01', '2024-06-28', () => 400);
    await insertLedger(db, user, account, [
      { type: 'deposit', date: '2024-01-02', amount: 1_000 },
      { type: 'buy', date: '2024-01-02', symbol: 'ZZZ', quantity: 10, price: 50 },
    ]);
    const res = await caller.analytics.performance({ asOf: '2024-06-28', ranges: ['ITD', '1M'] });
    const itd = res.ranges[0];
    expect(itd?.endValue).toBeNull();
    expect(itd?.profit).toBeNull();
    expect(itd?.unavailable.find((u) => u.figure === 'endValue')?.reason).toMatch(/unknown on the end day/);
    expect(itd?.missing).toHaveLength(1);
    expect(itd?.missing[0]).toMatchObject({
      kind: 'price',
      subject: 'ZZZ',
      from: '2024-03-21',
      to: '2024-06-28',
    });
    expect(itd?.missing[0]?.message).toMatch(/last price 2024-03-15/);
  });

  it('converts foreign-currency accounts and holdings with the FX series', async () => {
    const { caller, db, user } = await newUser();
    const account = await insertAccount(db, user, { currency: 'EUR', name: 'Euro account' });
    await seedPrices(caller, 'SAP', '2024-01-01', '2024-03-29', () => 150, 'EUR');
    await seedPrices(caller, 'SPY', '2024-01-01', '2024-03-29', () => 400);
    // EUR/USD 1.10 in January, 1.20 afterwards: a pure currency gain for a USD investor.
    await seedFx(caller, 'EUR', 'USD', '2024-01-01', '2024-03-29', (d) => (d < '2024-02-01' ? '1.1' : '1.2'));
    await insertLedger(db, user, { ...account, currency: 'EUR' }, [
      { type: 'deposit', date: '2024-01-02', amount: 3_000, currency: 'EUR' },
      { type: 'buy', date: '2024-01-02', symbol: 'SAP', quantity: 10, price: 150, currency: 'EUR' },
    ]);
    const res = await caller.analytics.performance({ asOf: '2024-03-29', ranges: ['ITD'] });
    const itd = res.ranges[0];
    expect(itd?.endValue?.toFixed(2)).toBe('3600.00');
    expect(itd?.netFlows?.toFixed(2)).toBe('3300.00');
    expect(itd?.twr).toBeCloseTo(1.2 / 1.1 - 1, 12);
    expect(res.missing).toEqual([]);
  });

  it('analyses one account or one holding, and refuses foreign or non-investment ones', async () => {
    const { caller, db, user, account } = await simpleBook();
    const holding = await db('assets').where({ account_id: account.id, symbol: 'AAA' }).first('id');
    const acct = await caller.analytics.performance({
      scope: { type: 'account', accountId: account.id },
      asOf: '2024-12-31',
      ranges: ['ITD'],
    });
    expect(acct.scope).toMatchObject({ type: 'account', id: account.id, name: 'Brokerage' });
    expect(acct.ranges[0]?.twr).toBeCloseTo(1 / 30, 12);

    const aaa = await caller.analytics.performance({
      scope: { type: 'holding', holdingId: holding.id },
      asOf: '2024-12-31',
      ranges: ['ITD'],
    });
    // The holding alone: bought at 100, worth 110.
    expect(aaa.scope).toMatchObject({ type: 'holding', symbol: 'AAA' });
    expect(aaa.ranges[0]?.twr).toBeCloseTo(0.1, 12);
    expect(aaa.ranges[0]?.profit?.toFixed(2)).toBe('500.00');

    const checking = await insertAccount(db, user, { type: 'checking', tracking_mode: 'holdings' });
    const bad = await expectTRPCError(
      caller.analytics.performance({ scope: { type: 'account', accountId: checking.id } }),
      'BAD_REQUEST',
    );
    expect(bad.fields).toEqual(['scope.accountId']);

    const other = await newUser();
    await expectTRPCError(
      other.caller.analytics.performance({ scope: { type: 'account', accountId: account.id } }),
      'NOT_FOUND',
    );
    await expectTRPCError(
      other.caller.analytics.risk({ scope: { type: 'holding', holdingId: holding.id } }),
      'NOT_FOUND',
    );
    await expectTRPCError(caller.analytics.performance({ asOf: '2999-01-01' }), 'BAD_REQUEST');
  });

  it('sees new transactions at once (the cache follows the data version)', async () => {
    const { caller, db, user, account } = await simpleBook();
    const before = await caller.analytics.performance({ asOf: '2024-12-31', ranges: ['ITD'] });
    expect(before.ranges[0]?.endValue?.toFixed(2)).toBe('15500.00');
    await insertLedger(db, user, account, [{ type: 'withdrawal', date: '2024-12-02', amount: -1_000 }]);
    const after = await caller.analytics.performance({ asOf: '2024-12-31', ranges: ['ITD'] });
    expect(after.ranges[0]?.endValue?.toFixed(2)).toBe('14500.00');
    expect(after.ranges[0]?.twr).toBeCloseTo(1 / 30, 12);
    await seedPrices(caller, 'AAA', '2024-12-31', '2024-12-31', () => 121);
    const repriced = await caller.analytics.performance({ asOf: '2024-12-31', ranges: ['ITD'] });
    expect(repriced.ranges[0]?.endValue?.toFixed(2)).toBe('15050.00');
  });
});

describe('analytics.risk', () => {
  it('gives beta 1, alpha 0 and correlation 1 for a portfolio holding only the benchmark', async () => {
    const { caller, db, user } = await newUser();
    const account = await insertAccount(db, user);
    // A zig-zag benchmark: +1 %, −0.5 %, +2 %, −1.5 %, … on weekdays.
    const moves = [0.01, -0.005, 0.02, -0.015, 0.004];
    let level = 400;
    await seedPrices(caller, 'SPY', '2024-01-01', '2024-12-31', (_d, i) => {
      if (i > 0) level *= 1 + (moves[i % moves.length] as number);
      return level.toFixed(6);
    });
    await insertLedger(db, user, account, [
      { type: 'transfer_in', date: '2024-01-02', symbol: 'SPY', quantity: 25 },
    ]);
    await caller.analytics.settings.set({ riskFreeRate: '0.05' });
    const res = await caller.analytics.risk({ asOf: '2024-12-31', ranges: ['ITD', '6M'] });
    for (const r of res.ranges) {
      expect(r.beta).toBeCloseTo(1, 9);
      expect(r.alpha).toBeCloseTo(0, 9);
      expect(r.correlation).toBeCloseTo(1, 9);
      expect(r.volatility).toBeGreaterThan(0);
      expect(r.riskFreeRate).toBeCloseTo(0.05, 9);
    }
    // 262 weekdays in 2024; the first is before the transfer, the second its (funding) day.
    expect(res.ranges[0]?.observations).toBe(260);
    expect(res.ranges[0]?.maxDrawdown?.depth).toBeLessThan(0);
  });

  it('explains every null figure', async () => {
    const { caller, db, user } = await newUser();
    const account = await insertAccount(db, user);
    await insertLedger(db, user, account, [{ type: 'deposit', date: '2024-01-02', amount: 100 }]);
    const res = await caller.analytics.risk({ asOf: '2024-03-29', ranges: ['ITD'] });
    const itd = res.ranges[0];
    expect(itd?.beta).toBeNull();
    expect(itd?.unavailable).toContainEqual({ figure: 'beta', reason: 'no benchmark prices' });
    expect(res.missing.map((m) => m.kind)).toEqual(['benchmark']);
  });
});
