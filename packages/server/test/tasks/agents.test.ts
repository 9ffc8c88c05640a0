/**
 * The built-in agents end to end: created with tasks.create, run by a worker, their typed result
 * read back with tasks.byId.
 */
import { Decimal, TASK_TYPES, todayIso } from '@fo/schema';
import { addDays, addMonths } from '@fo/schema/calendar';
import { describe, expect, it } from 'vitest';
import { builtinAgents } from '../../src/agents/index.js';
import { holdingsAccount, newUser } from '../support/accounts-factories.js';
import { insertLedger, seedPrices } from '../support/analytics-factories.js';
import { insertAccount } from '../support/factories.js';
import { startTestWorker, waitForStatus } from '../support/tasks-factories.js';

const today = todayIso();

describe('the agent registry', () => {
  it('has exactly one built-in agent for every task type of the wire contract', () => {
    expect(builtinAgents.map((a) => a.type).sort()).toEqual([...TASK_TYPES].sort());
  });
});

describe('refresh_net_worth', () => {
  it('stores the day’s snapshot and returns it, and recurs daily by default', async () => {
    const { caller, db, user } = await newUser();
    const checking = await caller.accounts.create({ name: 'Checking', type: 'checking' });
    await caller.accounts.recordBalance({ accountId: checking.id, date: today, balance: '2500' });
    const task = await caller.tasks.create({ type: 'refresh_net_worth', input: {} });
    await using _w = await startTestWorker(db);
    await waitForStatus(db, task.id, 'succeeded');
    const done = await caller.tasks.byId({ id: task.id });
    if (done.type !== 'refresh_net_worth' || !done.result) throw new Error('expected a net-worth result');
    expect(done.result.netWorth).toBeInstanceOf(Decimal);
    expect(done.result.netWorth.toFixed(2)).toBe('2500.00');
    expect(done.result.asOf).toBe(today);
    const snapshot = await db('net_worth_snapshots').where({ user_id: user.id, date: today }).first();
    expect(new Decimal(snapshot.net_worth).toFixed(2)).toBe('2500.00');
    const schedules = await caller.tasks.schedules.list({ type: 'refresh_net_worth' });
    expect(schedules.items).toMatchObject([{ cron: '30 23 * * *', timezone: 'UTC', isDefault: true }]);
  });

  it('refuses a day in the future', async () => {
    const { caller } = await newUser();
    await expect(
      caller.tasks.create({ type: 'refresh_net_worth', input: { date: addDays(today, 2) } }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('portfolio_analysis', () => {
  it('stores returns, risk and allocation with concentration, volatility, stale-price and FX flags', async () => {
    const { caller, db, user } = await newUser({ risk_tolerance: 'conservative' });
    const start = addDays(today, -420);
    // A volatile stock that is most of the portfolio: ±6 % every other day.
    const brokerage = await insertAccount(db, user, { name: 'Brokerage' });
    await seedPrices(caller, 'AAA', start, today, (_d, i) => (i % 2 === 0 ? 100 : 106));
    await seedPrices(caller, 'SPY', start, today, (_d, i) => 400 + i / 10);
    await insertLedger(db, user, brokerage, [
      { type: 'deposit', date: start, amount: 10_000 },
      { type: 'buy', date: start, symbol: 'AAA', quantity: 90, price: 100 },
    ]);
    await db('assets').where({ account_id: brokerage.id, symbol: 'AAA' }).update({ quantity: '90' });
    // A position whose last price is two months old.
    const old = await holdingsAccount(caller, { name: 'Old positions' });
    await seedPrices(caller, 'OLDCO', start, addDays(today, -60), () => 5);
    await caller.holdings.create({ accountId: old.id, symbol: 'OLDCO', quantity: '10', costPerUnit: '5' });
    // A euro position without any EUR/USD rate.
    const euro = await holdingsAccount(caller, { name: 'Euro account', currency: 'EUR' });
    await seedPrices(caller, 'EUX', start, today, () => 20, 'EUR');
    await caller.holdings.create({ accountId: euro.id, symbol: 'EUX', quantity: '10', costPerUnit: '20' });

    const task = await caller.tasks.create({
      type: 'portfolio_analysis',
      input: { concentrationThreshold: 0.25 },
    });
    await using _w = await startTestWorker(db);
    const row = await waitForStatus(db, task.id, ['succeeded', 'failed'], 60_000);
    expect(row.last_error).toBeNull();
    const done = await caller.tasks.byId({ id: task.id });
    if (done.type !== 'portfolio_analysis' || !done.result) throw new Error('expected an analysis');
    const result = done.result;
    expect(result).toMatchObject({ asOf: today, baseCurrency: 'USD', riskTolerance: 'conservative' });
    expect(result.volatilityBand).toEqual({ min: 0, max: 0.06 });
    expect(result.performance.ranges.map((r) => r.range.key)).toEqual(['1M', '3M', 'YTD', '1Y', '3Y', 'ITD']);
    expect(result.allocation.total).toBeInstanceOf(Decimal);
    const oneYear = result.risk.ranges.find((r) => r.range.key === '1Y');
    expect(oneYear?.volatility).toBeGreaterThan(0.5);

    const byCode = (code: string) => result.flags.filter((f) => f.code === code);
    expect(byCode('CONCENTRATION')).toMatchObject([
      { subject: 'AAA', severity: 'critical', threshold: 0.25 },
    ]);
    expect(byCode('CONCENTRATION')[0]!.value).toBeGreaterThan(0.9);
    expect(byCode('VOLATILITY_ABOVE_TOLERANCE')).toMatchObject([
      { severity: 'critical', threshold: 0.06, value: oneYear?.volatility },
    ]);
    expect(byCode('STALE_PRICES').map((f) => f.subject)).toEqual(['OLDCO']);
    expect(byCode('MISSING_FX').map((f) => f.subject)).toEqual(['EUR/USD']);
  });
});

describe('cash_flow_forecast', () => {
  it('forecasts twelve months of rent net of vacancy, expenses, mortgage payments, dividends and recurring items', async () => {
    const { caller, db, user } = await newUser();
    await caller.realEstate.create({
      name: 'Elm Street duplex',
      propertyType: 'rental',
      purchasePrice: '400000',
      purchaseDate: '2020-01-01',
      vacancyRate: '0.05',
      rentRoll: [
        { unit: 'A', monthlyRent: '1500', leaseStart: '2024-01-01', leaseEnd: '2024-12-31' },
        { unit: 'B', monthlyRent: '1500' },
      ],
      expenses: [
        { category: 'property_tax', amount: '6000', frequency: 'annually' },
        { category: 'insurance', amount: '100' },
        { category: 'maintenance', amount: '600', frequency: 'quarterly' },
      ],
      mortgages: [
        { originalPrincipal: '300000', annualRate: '0.06', termMonths: 360, startDate: '2020-01-01' },
      ],
    });
    // Without an EUR/USD rate this one is reported and left out.
    await caller.realEstate.create({
      name: 'Paris flat',
      propertyType: 'rental',
      currency: 'EUR',
      rentRoll: [{ unit: '1', monthlyRent: '1000' }],
    });
    const brokerage = await insertAccount(db, user, { name: 'Brokerage' });
    await insertLedger(db, user, brokerage, [
      { type: 'dividend', date: addDays(today, -400), symbol: 'AAA', amount: 999 },
      ...[-300, -210, -120, -30].map((d) => ({
        type: 'dividend' as const,
        date: addDays(today, d),
        symbol: 'AAA',
        amount: 150,
      })),
    ]);

    const startMonth = addMonths(`${today.slice(0, 7)}-01`, 1).slice(0, 7);
    const task = await caller.tasks.create({
      type: 'cash_flow_forecast',
      input: { recurring: [{ label: 'Living costs', amount: '1000' }] },
    });
    await using _w = await startTestWorker(db);
    const row = await waitForStatus(db, task.id, ['succeeded', 'failed'], 60_000);
    expect(row.last_error).toBeNull();
    const done = await caller.tasks.byId({ id: task.id });
    if (done.type !== 'cash_flow_forecast' || !done.result) throw new Error('expected a forecast');
    const f = done.result;
    expect(f.from).toBe(startMonth);
    expect(f.months).toHaveLength(12);
    for (const month of f.months) {
      // 2 × 1,500 rent less 5 % vacancy.
      expect(month.rentalIncome.toFixed(2)).toBe('2850.00');
      // 6,000 / 12 + 100 + 600 / 3.
      expect(month.propertyExpenses.toFixed(2)).toBe('800.00');
      // $300,000 at 6 % over 30 years: $1,798.65 a month (the standard level-payment formula,
      // P·r / (1 − (1 + r)^−n) with r = 0.5 %, n = 360; e.g. Bankrate's mortgage calculator).
      expect(month.mortgagePayments.toFixed(2)).toBe('1798.65');
      expect(month.mortgageInterest.plus(month.mortgagePrincipal).toFixed(2)).toBe('1798.65');
      // Four dividends of 150 in the last twelve months (the older 999 is not), spread evenly.
      expect(month.dividends.toFixed(2)).toBe('50.00');
      expect(month.otherExpenses.toFixed(2)).toBe('1000.00');
      expect(month.net.toFixed(2)).toBe('-698.65');
    }
    expect(f.totals.net.toFixed(2)).toBe('-8383.80');
    // Interest falls (and principal grows) month by month on an amortizing loan.
    expect(f.months[11]!.mortgageInterest.lt(f.months[0]!.mortgageInterest)).toBe(true);
    expect(f.dividendRunRate.trailingTwelveMonths.toFixed(2)).toBe('600.00');
    expect(f.warnings).toMatchObject([{ code: 'MISSING_FX_RATE', pair: 'EUR/USD' }]);
    expect(f.properties.find((p) => p.name === 'Paris flat')?.included).toBe(false);
  });
});
