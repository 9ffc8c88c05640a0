/**
 * `rebalance`: drift per asset class against the user's targets (or the default model of their
 * risk tolerance) and the trades back within the bands, selling the lots that realize the least
 * taxable gain. The figures are worked by hand in the comments.
 */
import { Decimal, todayIso } from '@fo/schema';
import { addDays } from '@fo/schema/calendar';
import { describe, expect, it } from 'vitest';
import type { BookAccount, OpenLot, ValuedPosition } from '../../src/services/portfolio/positions.js';
import { planSells } from '../../src/services/portfolio/rebalanceTrades.js';
import type { Caller } from '../harness/types.js';
import { holdingsAccount, newUser } from '../support/accounts-factories.js';
import { expectTRPCError } from '../support/expect-error.js';
import { brokerage, ledgerUser } from '../support/ledger-factories.js';
import { enqueue, startTestWorker, waitForStatus } from '../support/tasks-factories.js';

const today = todayIso();
const d = (x: Decimal | null) => (x === null ? null : x.toFixed());

async function runRebalance(caller: Caller, db: Parameters<typeof startTestWorker>[0], input = {}) {
  const task = await caller.tasks.create({ type: 'rebalance', input });
  await using _w = await startTestWorker(db);
  const row = await waitForStatus(db, task.id, ['succeeded', 'failed'], 60_000);
  expect(row.last_error).toBeNull();
  const done = await caller.tasks.byId({ id: task.id });
  if (done.type !== 'rebalance' || !done.result) throw new Error('expected a rebalance result');
  return done.result;
}

const classRow = (c: {
  assetClass: string;
  value: Decimal;
  currentWeight: Decimal | null;
  targetWeight: Decimal | null;
  drift: Decimal | null;
  outsideBand: boolean;
  plannedChange: Decimal;
  valueAfter: Decimal;
  weightAfter: Decimal | null;
  withinBandAfter: boolean | null;
}) => [
  c.assetClass,
  d(c.value),
  d(c.currentWeight),
  d(c.targetWeight),
  d(c.drift),
  c.outsideBand,
  d(c.plannedChange),
  d(c.valueAfter),
  d(c.weightAfter),
  c.withinBandAfter,
];

describe('rebalance', () => {
  it('70/30 target, 80/20 portfolio: sells the loss lot, then the long-term gain, never the short-term one', async () => {
    const { caller, db } = await ledgerUser();
    await caller.portfolio.targetAllocation.set({
      targets: [
        { assetClass: 'stock', weight: '0.7' },
        { assetClass: 'bond', weight: '0.3' },
      ],
    });
    const account = await brokerage(caller, { name: 'Taxable' });
    const trade = (type: 'buy' | 'deposit', tradeDate: string, fields: Record<string, string>) =>
      caller.transactions.create({ accountId: account.id, type, tradeDate, ...fields });
    const threeYearsAgo = addDays(today, -1100);
    await trade('deposit', threeYearsAgo, { amount: '77800' });
    // STK: 50 @ 120 three years ago (a long-term loss at 100), 300 @ 50 two years ago (a long-term
    // gain of 50 a share), 450 @ 80 a hundred days ago (a short-term gain of 20 a share).
    await trade('buy', threeYearsAgo, { symbol: 'STK', quantity: '50', price: '120' });
    await trade('buy', addDays(today, -730), { symbol: 'STK', quantity: '300', price: '50' });
    await trade('buy', addDays(today, -100), { symbol: 'STK', quantity: '450', price: '80' });
    await trade('buy', addDays(today, -730), { symbol: 'BND', quantity: '400', price: '52' });
    const bond = await caller.holdings.list({ accountId: account.id, symbol: 'BND' });
    await caller.holdings.update({ id: bond.items[0]!.id, assetClass: 'bond' });
    await caller.prices.upsert({
      rows: [
        { symbol: 'STK', date: today, close: '100', currency: 'USD' },
        { symbol: 'BND', date: today, close: '50', currency: 'USD' },
      ],
    });

    const r = await runRebalance(caller, db);
    expect(r).toMatchObject({
      status: 'rebalance',
      targetSource: 'user',
      baseCurrency: 'USD',
      wholeShares: true,
    });
    // Stocks 800 × 100 = 80,000 and bonds 400 × 50 = 20,000 of 100,000 (cash 0): 80/20 against
    // 70/30, a drift of ±0.1 beyond the 0.05 bands. Back to target: sell 10,000 of stocks, buy
    // 10,000 of bonds; cash (target 0) stays at 0.
    expect([d(r.totalValue), d(r.rebalancedValue)]).toEqual(['100000', '100000']);
    expect(r.classes.map(classRow)).toEqual([
      ['stock', '80000', '0.8', '0.7', '0.1', true, '-10000', '70000', '0.7', true],
      ['bond', '20000', '0.2', '0.3', '-0.1', true, '10000', '30000', '0.3', true],
      ['cash', '0', '0', '0', '0', false, '0', '0', '0', true],
    ]);
    // 100 shares: the 50 of the loss lot first (proceeds 5,000, basis 6,000: −1,000), then 50 of
    // the long-term lot (5,000 − 2,500 = +2,500), though the short-term lot costs more (80 > 50).
    expect(
      r.trades.map((t) => [t.action, t.symbol, d(t.quantity), d(t.price), d(t.amount), t.washSaleRisk]),
    ).toEqual([
      ['sell', 'STK', '100', '100', '10000', false],
      ['buy', 'BND', '200', '50', '10000', false],
    ]);
    const sale = r.trades[0]!;
    expect(
      sale.lots.map((l) => [l.acquiredDate, l.term, d(l.quantity), d(l.basis), d(l.proceeds), d(l.gain)]),
    ).toEqual([
      [threeYearsAgo, 'long', '50', '6000', '5000', '-1000'],
      [addDays(today, -730), 'long', '50', '2500', '5000', '2500'],
    ]);
    expect(Object.values(sale.estimatedGain).map(d)).toEqual(['0', '1500', '0']);
    expect(sale.lots.every((l) => l.lotId !== null)).toBe(true);
    expect([r.totals.sells, r.totals.buys, r.totals.netCash].map(d)).toEqual(['10000', '10000', '0']);
    expect(Object.values(r.totals.estimatedGain).map(d)).toEqual(['0', '1500', '0']);
    expect(r.skipped).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it('uses the default model of the risk tolerance, leaves untargeted classes alone, and skips unpriced positions', async () => {
    const { caller, db } = await newUser({ risk_tolerance: 'balanced' });
    const account = await holdingsAccount(caller, { name: 'Positions' });
    await caller.prices.upsert({
      rows: [
        { symbol: 'VTI', date: today, close: '100', currency: 'USD' },
        { symbol: 'QQQ', date: today, close: '500', currency: 'USD' },
      ],
    });
    await caller.holdings.create({
      accountId: account.id,
      symbol: 'VTI',
      quantity: '100',
      costBasis: '8000',
    });
    await caller.holdings.create({
      accountId: account.id,
      symbol: 'QQQ',
      assetClass: 'etf',
      quantity: '10',
      costBasis: '4000',
    });
    await caller.holdings.create({ accountId: account.id, symbol: 'NOPX', quantity: '5', costBasis: '50' });

    const r = await runRebalance(caller, db);
    expect(r).toMatchObject({ status: 'rebalance', targetSource: 'default', riskTolerance: 'balanced' });
    expect(r.targets.map((t) => [t.assetClass, d(t.weight), d(t.band)])).toEqual([
      ['stock', '0.6', '0.05'],
      ['bond', '0.35', '0.05'],
      ['cash', '0.05', '0.05'],
    ]);
    // Stocks 10,000 are the whole rebalanced value (the ETF class has no target): 1.0 against 0.6
    // and bonds 0 against 0.35 are outside their bands, cash 0 against 0.05 is at its band's edge.
    // Sell 4,000 of stocks, buy 3,500 of bonds; the 500 left goes to cash, the class inside its
    // band that is short of its target.
    expect([d(r.totalValue), d(r.rebalancedValue)]).toEqual(['15000', '10000']);
    expect(r.classes.map(classRow)).toEqual([
      ['stock', '10000', '1', '0.6', '0.4', true, '-4000', '6000', '0.6', true],
      ['bond', '0', '0', '0.35', '-0.35', true, '3500', '3500', '0.35', true],
      ['cash', '0', '0', '0.05', '-0.05', false, '500', '500', '0.05', true],
      ['etf', '5000', null, null, null, false, '0', '5000', null, null],
    ]);
    // VTI has no lots (a holdings-mode account): 40 shares at a gain of 20 each, term unknown.
    expect(
      r.trades.map((t) => [t.action, t.assetClass, t.symbol, d(t.quantity), d(t.amount), t.note !== null]),
    ).toEqual([
      ['sell', 'stock', 'VTI', '40', '4000', false],
      ['buy', 'bond', null, null, '3500', true],
    ]);
    expect(r.trades[0]!.lots.map((l) => [l.lotId, l.term, d(l.basis), d(l.gain)])).toEqual([
      [null, null, '3200', '800'],
    ]);
    expect(Object.values(r.totals.estimatedGain).map(d)).toEqual(['0', '0', '800']);
    expect(d(r.totals.netCash)).toBe('500');
    expect(r.skipped.map((s) => [s.symbol, s.reason])).toEqual([['NOPX', 'MISSING_PRICE']]);
  });

  it('proposes nothing within the bands, and nothing for an empty portfolio', async () => {
    const { caller, db } = await newUser({ risk_tolerance: 'aggressive' });
    expect(await runRebalance(caller, db)).toMatchObject({ status: 'empty', trades: [] });

    const account = await holdingsAccount(caller);
    await caller.prices.upsert({ rows: [{ symbol: 'VTI', date: today, close: '100', currency: 'USD' }] });
    await caller.holdings.create({
      accountId: account.id,
      symbol: 'VTI',
      quantity: '100',
      costBasis: '8000',
    });
    await caller.portfolio.targetAllocation.set({
      targets: [
        { assetClass: 'stock', weight: '0.9', band: '0.1' },
        { assetClass: 'cash', weight: '0.1', band: '0.1' },
      ],
    });
    const r = await runRebalance(caller, db);
    expect(r).toMatchObject({ status: 'within_bands', trades: [] });
    expect(r.classes.map((c) => [c.assetClass, d(c.drift), c.outsideBand])).toEqual([
      ['stock', '0.1', false],
      ['cash', '-0.1', false],
    ]);
  });

  it('flags a purchase that would wash a loss sold in the last 30 days', async () => {
    const { caller, db } = await ledgerUser();
    await caller.portfolio.targetAllocation.set({ targets: [{ assetClass: 'stock', weight: '1' }] });
    const account = await brokerage(caller, { name: 'Taxable' });
    await caller.transactions.create({
      accountId: account.id,
      type: 'deposit',
      tradeDate: addDays(today, -800),
      amount: '3000',
    });
    const base = { accountId: account.id, symbol: 'XYZ' };
    await caller.transactions.create({
      ...base,
      type: 'buy',
      tradeDate: addDays(today, -730),
      quantity: '20',
      price: '150',
    });
    // Ten shares sold at a 500 loss ten days ago; cash is now 1,000, half the portfolio.
    await caller.transactions.create({
      ...base,
      type: 'sell',
      tradeDate: addDays(today, -10),
      quantity: '10',
      price: '100',
    });
    await caller.prices.upsert({ rows: [{ symbol: 'XYZ', date: today, close: '100', currency: 'USD' }] });

    const r = await runRebalance(caller, db);
    expect(r.trades.map((t) => [t.action, t.symbol, d(t.quantity), t.washSaleRisk])).toEqual([
      ['buy', 'XYZ', '10', true],
    ]);
    expect(r.warnings).toEqual([
      {
        code: 'WASH_SALE',
        subject: 'XYZ',
        message: `XYZ was sold at a loss on ${addDays(today, -10)}: buying it before ${addDays(today, 21)} would disallow that loss`,
      },
    ]);
  });
});

describe('rebalance input', () => {
  it('is refused at creation when invalid, and a stored invalid input fails at once naming the field', async () => {
    const { caller, db, user } = await newUser();
    const refused = await expectTRPCError(
      caller.tasks.create({ type: 'rebalance', input: { wholeShares: 'yes' as unknown as boolean } }),
      'BAD_REQUEST',
    );
    expect(refused.fields).toEqual(['input.wholeShares']);
    const task = await enqueue(db, user, { type: 'rebalance', input: { wholeShares: 1 }, maxAttempts: 3 });
    await using _w = await startTestWorker(db);
    const row = await waitForStatus(db, task.id, ['succeeded', 'failed']);
    expect([row.status, row.attempts, row.result]).toEqual(['failed', 1, null]);
    expect(row.last_error).toContain('Invalid input for rebalance: wholeShares:');
  });
});

describe('the order lots are sold in', () => {
  it('losses first, then tax-advantaged accounts, then long-term and short-term gains, the highest cost first in each', () => {
    const account = (id: string, taxAdvantaged: boolean): BookAccount => ({
      id,
      name: id,
      type: taxAdvantaged ? 'retirement' : 'brokerage',
      subtype: taxAdvantaged ? 'ira' : null,
      currency: 'USD',
      trackingMode: 'transactions',
      cash: new Decimal(0),
      taxAdvantaged,
      investment: true,
    });
    const position = (acct: BookAccount, quantity: number): ValuedPosition => ({
      holdingId: `h-${acct.id}`,
      account: acct,
      symbol: 'ABC',
      name: null,
      assetClass: 'stock',
      currency: 'USD',
      quantity: new Decimal(quantity),
      costBasis: new Decimal(0),
      price: new Decimal(10),
      priceSource: 'market',
      priceAsOf: '2025-06-30',
      stale: false,
      marketValue: new Decimal(quantity * 10),
      toBase: new Decimal(1),
      valueInBase: new Decimal(quantity * 10),
      problem: null,
    });
    const lot = (id: string, acct: string, acquired: string, unitCost: number): OpenLot => ({
      id,
      accountId: acct,
      symbol: 'ABC',
      acquiredDate: acquired,
      holdingStartDate: acquired,
      quantity: new Decimal(1),
      basis: new Decimal(unitCost),
      orderSeq: 0,
    });
    const taxable = account('taxable', false);
    const ira = account('ira', true);
    const lots = new Map([
      [
        'taxable|ABC',
        [
          lot('st-gain-9', 'taxable', '2025-03-01', 9),
          lot('lt-gain-2', 'taxable', '2020-01-01', 2),
          lot('loss-11', 'taxable', '2025-05-01', 11),
          lot('lt-gain-5', 'taxable', '2021-01-01', 5),
          lot('st-gain-4', 'taxable', '2025-04-01', 4),
          lot('loss-15', 'taxable', '2019-01-01', 15),
        ],
      ],
      ['ira|ABC', [lot('ira-1', 'ira', '2025-06-01', 1)]],
    ]);
    // Every lot is one share worth 10: selling 10 × n takes the first n lots of the order.
    const sold = (amount: number) =>
      planSells(new Decimal(amount), [position(taxable, 6), position(ira, 1)], lots, {
        asOf: '2025-06-30',
        baseCurrency: 'USD',
        wholeShares: true,
      }).trades.map((t) => [t.accountId, ...t.lots.map((l) => l.lotId)]);
    expect(sold(20)).toEqual([['taxable', 'loss-15', 'loss-11']]);
    expect(sold(30)).toEqual([
      ['taxable', 'loss-15', 'loss-11'],
      ['ira', 'ira-1'],
    ]);
    expect(sold(50)).toEqual([
      ['taxable', 'loss-15', 'loss-11', 'lt-gain-5', 'lt-gain-2'],
      ['ira', 'ira-1'],
    ]);
    expect(sold(60)).toEqual([
      ['taxable', 'loss-15', 'loss-11', 'lt-gain-5', 'lt-gain-2', 'st-gain-9'],
      ['ira', 'ira-1'],
    ]);
    // More than the lots hold: everything is sold and the rest reported unfilled.
    const all = planSells(new Decimal(100), [position(taxable, 6), position(ira, 1)], lots, {
      asOf: '2025-06-30',
      baseCurrency: 'USD',
      wholeShares: true,
    });
    expect(all.trades.flatMap((t) => t.lots).length).toBe(7);
    expect(all.unfilled.toFixed()).toBe('30');
  });
});
