/**
 * `tax_loss_harvest`: lots with losses past both thresholds, their term by the IRS holding
 * period, the losses and tax savings by term, and wash-sale warnings from purchases in any
 * account within 30 days before (or recorded for the 30 days after) today.
 */
import { Decimal, todayIso } from '@fo/schema';
import { addDays } from '@fo/schema/calendar';
import { describe, expect, it } from 'vitest';
import { findHarvestableLots, harvestTotals, termOn } from '../../src/services/portfolio/harvest.js';
import type { BookAccount, OpenLot, ValuedPosition } from '../../src/services/portfolio/positions.js';
import type { Caller } from '../harness/types.js';
import { expectTRPCError } from '../support/expect-error.js';
import { brokerage, ledgerUser } from '../support/ledger-factories.js';
import { enqueue, startTestWorker, waitForStatus } from '../support/tasks-factories.js';

const today = todayIso();
const d = (x: Decimal) => x.toFixed();

async function buy(
  caller: Caller,
  accountId: string,
  symbol: string,
  tradeDate: string,
  quantity: string,
  price: string,
) {
  await caller.transactions.create({ accountId, type: 'buy', symbol, tradeDate, quantity, price });
}

describe('the holding period of a sale (IRS Publication 550, "Holding Period")', () => {
  // Pub 550's example: bought February 5, 2022; sold February 5, 2023 is short-term (held exactly
  // one year), sold February 6, 2023 is long-term. Equivalently, on a sale on 2023-02-05, a lot
  // bought on 2022-02-05 is short and one bought on 2022-02-04 (one year and one day) is long.
  it('is long-term only after one year and one day', () => {
    expect(termOn('2022-02-05', '2023-02-05')).toEqual({ term: 'short', longTermFrom: '2023-02-06' });
    expect(termOn('2022-02-05', '2023-02-06')).toEqual({ term: 'long', longTermFrom: null });
    expect(termOn('2022-02-04', '2023-02-05')).toEqual({ term: 'long', longTermFrom: null });
  });

  it('splits harvestable lots at that boundary, and totals their losses and tax savings by term', () => {
    const account: BookAccount = {
      id: 'acct',
      name: 'Taxable',
      type: 'brokerage',
      subtype: null,
      currency: 'USD',
      trackingMode: 'transactions',
      cash: new Decimal(0),
      taxAdvantaged: false,
      investment: true,
    };
    const position: ValuedPosition = {
      holdingId: 'h',
      account,
      symbol: 'PUB',
      name: null,
      assetClass: 'stock',
      currency: 'USD',
      quantity: new Decimal(30),
      costBasis: new Decimal(3000),
      price: new Decimal(80),
      priceSource: 'market',
      priceAsOf: '2023-02-05',
      stale: false,
      marketValue: new Decimal(2400),
      toBase: new Decimal(1),
      valueInBase: new Decimal(2400),
      problem: null,
    };
    const lot = (id: string, acquired: string, qty: number, basis: number): OpenLot => ({
      id,
      accountId: 'acct',
      symbol: 'PUB',
      acquiredDate: acquired,
      holdingStartDate: acquired,
      quantity: new Decimal(qty),
      basis: new Decimal(basis),
      orderSeq: 1,
    });
    const { lots } = findHarvestableLots(
      [position],
      new Map([
        [
          'acct|PUB',
          [
            lot('exactly-one-year', '2022-02-05', 10, 1000),
            lot('one-year-and-a-day', '2022-02-04', 20, 2000),
          ],
        ],
      ]),
      {
        asOf: '2023-02-05',
        baseCurrency: 'USD',
        minLossAmount: new Decimal(0),
        minLossPercent: new Decimal(0),
      },
    );
    expect(lots.map((l) => [l.lotId, l.term, l.longTermFrom, d(l.loss)])).toEqual([
      ['one-year-and-a-day', 'long', null, '400'],
      ['exactly-one-year', 'short', '2023-02-06', '200'],
    ]);
    const totals = harvestTotals(
      lots,
      { shortTerm: new Decimal('0.37'), longTerm: new Decimal('0.2') },
      'USD',
    );
    // 200 × 37 % = 74.00; 400 × 20 % = 80.00.
    expect([totals.shortTermLoss, totals.longTermLoss, totals.totalLoss].map(d)).toEqual([
      '200',
      '400',
      '600',
    ]);
    expect(Object.values(totals.estimatedTaxSavings).map(d)).toEqual(['74', '80', '154']);
  });
});

describe('tax_loss_harvest', () => {
  it('lists the lots past both thresholds with their term, totals, tax savings and wash-sale warnings', async () => {
    const { caller, db } = await ledgerUser();
    const taxable = await brokerage(caller, { name: 'Taxable' });
    const other = await brokerage(caller, { name: 'Joint' });
    const ira = await brokerage(caller, { name: 'IRA', type: 'retirement', subtype: 'ira' });
    await caller.prices.upsert({
      rows: [
        { symbol: 'XXX', date: today, close: '30', currency: 'USD' },
        { symbol: 'YYY', date: today, close: '80', currency: 'USD' },
        { symbol: 'ZZZ', date: today, close: '9', currency: 'USD' },
        { symbol: 'WWW', date: today, close: '100', currency: 'USD' },
      ],
    });
    const twoYearsAgo = addDays(today, -730);
    // XXX: a long-term loss of 2,000 (40 %); 10 shares bought 20 days ago in the IRA wash it.
    await buy(caller, taxable.id, 'XXX', twoYearsAgo, '100', '50');
    await buy(caller, ira.id, 'XXX', addDays(today, -20), '10', '28');
    // YYY: a short-term loss of 1,000 (20 %), a lot at a gain, and a purchase 40 days ago
    // (outside the window): no warning.
    await buy(caller, taxable.id, 'YYY', addDays(today, -100), '50', '100');
    await buy(caller, taxable.id, 'YYY', addDays(today, -400), '20', '70');
    await buy(caller, other.id, 'YYY', addDays(today, -40), '5', '78');
    // ZZZ: a short-term loss of exactly 100 (10 %), at the amount threshold; a buy already
    // recorded for ten days from now washes it.
    await buy(caller, taxable.id, 'ZZZ', addDays(today, -300), '100', '10');
    await buy(caller, other.id, 'ZZZ', addDays(today, 10), '3', '9');
    // WWW: a loss of 500, but only 0.5 % of its basis (below minLossPercent).
    await buy(caller, taxable.id, 'WWW', addDays(today, -50), '1000', '100.5');

    const task = await caller.tasks.create({
      type: 'tax_loss_harvest',
      input: { minLossAmount: '100', minLossPercent: '0.05' },
    });
    await using _w = await startTestWorker(db);
    const row = await waitForStatus(db, task.id, ['succeeded', 'failed'], 60_000);
    expect(row.last_error).toBeNull();
    const done = await caller.tasks.byId({ id: task.id });
    if (done.type !== 'tax_loss_harvest' || !done.result) throw new Error('expected a harvest result');
    const r = done.result;
    expect(r).toMatchObject({ asOf: today, baseCurrency: 'USD' });
    expect(
      [r.thresholds.minLossAmount, r.thresholds.minLossPercent, r.rates.shortTerm, r.rates.longTerm].map(d),
    ).toEqual(['100', '0.05', '0.37', '0.2']);

    expect(
      r.lots.map((l) => [
        l.symbol,
        l.accountName,
        l.acquiredDate,
        l.term,
        d(l.quantity),
        d(l.basis),
        d(l.price),
        d(l.marketValue),
        d(l.loss),
        d(l.lossPercent),
        d(l.lossInBase),
      ]),
    ).toEqual([
      ['XXX', 'Taxable', twoYearsAgo, 'long', '100', '5000', '30', '3000', '2000', '0.4', '2000'],
      ['YYY', 'Taxable', addDays(today, -100), 'short', '50', '5000', '80', '4000', '1000', '0.2', '1000'],
      ['ZZZ', 'Taxable', addDays(today, -300), 'short', '100', '1000', '9', '900', '100', '0.1', '100'],
    ]);
    expect(r.lots[0]?.longTermFrom).toBeNull();
    expect(r.lots[1]?.longTermFrom).toBe(termOn(addDays(today, -100), today).longTermFrom);

    expect([r.totals.shortTermLoss, r.totals.longTermLoss, r.totals.totalLoss].map(d)).toEqual([
      '1100',
      '2000',
      '3100',
    ]);
    // 1,100 × 37 % = 407.00 and 2,000 × 20 % = 400.00.
    expect(Object.values(r.totals.estimatedTaxSavings).map(d)).toEqual(['407', '400', '807']);

    expect(
      r.bySymbol.map((s) => [s.symbol, s.lots, d(s.shortTermLoss), d(s.longTermLoss), s.washSaleRisk]),
    ).toEqual([
      ['XXX', 1, '0', '2000', true],
      ['YYY', 1, '1000', '0', false],
      ['ZZZ', 1, '100', '0', true],
    ]);
    expect(r.washSaleWarnings.map((w) => w.symbol)).toEqual(['XXX', 'ZZZ']);
    const [xxx, zzz] = r.washSaleWarnings;
    expect(xxx).toMatchObject({
      windowFrom: addDays(today, -30),
      windowTo: addDays(today, 30),
      safeToRepurchaseFrom: addDays(today, 31),
    });
    expect(
      xxx?.purchases.map((p) => [p.accountName, p.taxAdvantaged, p.acquiredDate, d(p.quantity)]),
    ).toEqual([['IRA', true, addDays(today, -20), '10']]);
    expect(xxx?.message).toContain(`Do not buy XXX again, in any account, before ${addDays(today, 31)}`);
    expect(
      zzz?.purchases.map((p) => [p.accountName, p.taxAdvantaged, p.acquiredDate, d(p.quantity)]),
    ).toEqual([['Joint', false, addDays(today, 10), '3']]);
    expect(r.skipped).toEqual([]);
  });

  it('flags positions without a price or without lots instead of guessing', async () => {
    const { caller, db } = await ledgerUser();
    const taxable = await brokerage(caller, { name: 'Taxable' });
    await buy(caller, taxable.id, 'NOPRICE', addDays(today, -10), '5', '10');
    const manual = await brokerage(caller, { name: 'Positions only', trackingMode: 'holdings' });
    await caller.prices.upsert({ rows: [{ symbol: 'HELD', date: today, close: '5', currency: 'USD' }] });
    await caller.holdings.create({ accountId: manual.id, symbol: 'HELD', quantity: '10', costBasis: '100' });

    const task = await caller.tasks.create({ type: 'tax_loss_harvest', input: {} });
    await using _w = await startTestWorker(db);
    await waitForStatus(db, task.id, 'succeeded', 60_000);
    const done = await caller.tasks.byId({ id: task.id });
    if (done.type !== 'tax_loss_harvest' || !done.result) throw new Error('expected a harvest result');
    expect(done.result.lots).toEqual([]);
    expect(done.result.skipped.map((s) => [s.symbol, s.reason])).toEqual([
      ['HELD', 'NO_LOTS'],
      ['NOPRICE', 'MISSING_PRICE'],
    ]);
    expect(done.result.skipped[0]?.message).toContain('shows a loss of 50 USD');
    expect(done.result.totals.totalLoss.toFixed()).toBe('0');
  });

  it('refuses invalid input at creation, and a stored invalid input fails at once naming the field', async () => {
    const { caller, db, user } = await ledgerUser();
    const refused = await expectTRPCError(
      caller.tasks.create({ type: 'tax_loss_harvest', input: { minLossPercent: '1.5' } }),
      'BAD_REQUEST',
    );
    expect(refused.fields).toEqual(['input.minLossPercent']);

    const task = await enqueue(db, user, {
      type: 'tax_loss_harvest',
      input: { shortTermRate: 2 },
      maxAttempts: 3,
    });
    await using _w = await startTestWorker(db);
    const row = await waitForStatus(db, task.id, ['succeeded', 'failed']);
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(1);
    expect(row.last_error).toContain('shortTermRate: Must be from 0 to 1');
    expect(row.result).toBeNull();
  });
});
