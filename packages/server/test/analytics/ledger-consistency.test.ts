/**
 * The analytics read the ledger's positions and cash, not a second reading of its rules: on every
 * market day, each position's quantity in the analytics equals what the ledger's lots add up to on
 * that day, and each account's cash equals the sum of its transactions' cash effects (the
 * ledger's `cash_effect`). Books here are written through `transactions.create`, so the ledger's
 * replay (lots, holdings, cash) runs exactly as it does for users.
 */

import { dayToIso } from '@fo/schema/calendar';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Knex } from '../../src/db/knex.js';
import { resolveAsOf } from '../../src/services/analytics/context.js';
import { prepareModel, snapshotAt } from '../../src/services/analytics/engine/index.js';
import { parseRawBook } from '../../src/services/analytics/engine/raw.js';
import { loadContext, loadMeta, loadRawBook } from '../../src/services/analytics/loader.js';
import { holdingsAccount } from '../support/accounts-factories.js';
import { seedPrices } from '../support/analytics-factories.js';
import { actorFor } from '../support/factories.js';
import { brokerage, holdingOf, ledgerUser } from '../support/ledger-factories.js';
import { applyRandomOp, bookDate, openRandomBook, type RandomLedgerOp } from '../support/random-ledger.js';

type Book = Map<string, Map<string, number>>;

/** `${accountId}|${symbol}` → quantity, and accountId → cash, per market day of the analytics' calendar. */
interface DailyBook {
  days: string[];
  positions: Book;
  cash: Book;
}

/** What the analytics engine holds on each market day up to `asOf`, through the real loader. */
async function analyticsBook(db: Knex, userId: string, asOf: string): Promise<DailyBook> {
  const actor = actorFor({ id: userId });
  const ctx = await loadContext(db, actor);
  const meta = await loadMeta(db, userId);
  const raw = await loadRawBook(db, ctx, meta, asOf);
  const parsed = parseRawBook(raw);
  const model = prepareModel(parsed.input);
  const days = [...model.days].map(dayToIso);
  const positions: Book = new Map();
  const cash: Book = new Map();
  for (let slot = 0; slot < model.days.length; slot++) {
    const snap = snapshotAt(model, slot);
    const day = days[slot] as string;
    parsed.positions.forEach((pos, p) => {
      const key = `${meta.accounts[pos.account]?.id}|${pos.symbol}`;
      if (!positions.has(key)) positions.set(key, new Map());
      positions.get(key)?.set(day, snap.quantity[p] as number);
    });
    meta.accounts.forEach((account) => {
      if (!cash.has(account.id)) cash.set(account.id, new Map());
      cash.get(account.id)?.set(day, snap.cash[account.index] as number);
    });
  }
  return { days, positions, cash };
}

/**
 * What the ledger holds on `day`: the lots it opened up to that day plus every change to them
 * (sales, transfers, splits, wash-sale pieces) up to that day; and the cash effects up to it.
 */
async function ledgerOn(db: Knex, userId: string, day: string) {
  const { rows } = await db.raw<{ rows: { account_id: string; symbol: string; quantity: string }[] }>(
    `SELECT account_id, symbol, sum(q)::text AS quantity FROM (
       SELECT account_id, symbol, quantity_opened AS q FROM tax_lots WHERE user_id = ? AND created_date <= ?
       UNION ALL
       SELECT account_id, symbol, quantity FROM lot_allocations WHERE user_id = ? AND event_date <= ?
     ) x GROUP BY account_id, symbol`,
    [userId, day, userId, day],
  );
  const cash = await db('transactions')
    .where('user_id', userId)
    .where('trade_date', '<=', day)
    .groupBy('account_id')
    .select<{ account_id: string; cash: string }[]>('account_id', db.raw('sum(cash_effect)::text AS cash'));
  return {
    positions: new Map(rows.map((r) => [`${r.account_id}|${r.symbol}`, Number(r.quantity)])),
    cash: new Map(cash.map((r) => [r.account_id, Number(r.cash)])),
  };
}

/** Every market day: the analytics' positions and cash equal the ledger's (and nothing else is held). */
async function expectSameAsLedger(db: Knex, userId: string, asOf: string, accountIds: string[]) {
  const book = await analyticsBook(db, userId, asOf);
  expect(book.days.length).toBeGreaterThan(0);
  for (const day of book.days) {
    const ledger = await ledgerOn(db, userId, day);
    const keys = new Set([...ledger.positions.keys(), ...book.positions.keys()]);
    for (const key of keys) {
      const expected = ledger.positions.get(key) ?? 0;
      const actual = book.positions.get(key)?.get(day) ?? 0;
      if (expected === 0) expect(actual, `${key} on ${day}`).toBe(0);
      else
        expect(Math.abs(actual - expected), `${key} on ${day}: ${actual} vs ${expected}`).toBeLessThan(1e-8);
    }
    for (const id of accountIds) {
      const expected = ledger.cash.get(id) ?? 0;
      const actual = book.cash.get(id)?.get(day) ?? 0;
      expect(Math.abs(actual - expected), `cash of ${id} on ${day}`).toBeLessThan(1e-8);
    }
  }
  return book;
}

describe('a reinvested dividend', () => {
  /**
   * 1,000 deposited and 10 DRIP bought at 100 on Monday 2024-03-04. DRIP closes 100, 110 (Tue),
   * 110 (Wed: a dividend of 25 buys 0.2 shares at 110 with a 0.50 fee, leaving 2.50 in cash), 121
   * (Thu), 121 (Fri: all 10.2 shares sold at 121), 130 (Mon 03-11).
   */
  async function dripBook() {
    const fx = await ledgerUser();
    const account = await brokerage(fx.caller, { name: 'DRIP account' });
    const closes: Record<string, number> = {
      '2024-03-04': 100,
      '2024-03-05': 110,
      '2024-03-06': 110,
      '2024-03-07': 121,
      '2024-03-08': 121,
      '2024-03-11': 130,
    };
    await seedPrices(fx.caller, 'DRIP', '2024-03-04', '2024-03-11', (d) => closes[d] as number);
    const create = (input: Omit<Parameters<typeof fx.caller.transactions.create>[0], 'accountId'>) =>
      fx.caller.transactions.create({ accountId: account.id, ...input });
    await create({ type: 'deposit', tradeDate: '2024-03-04', amount: '1000' });
    await create({ type: 'buy', symbol: 'DRIP', tradeDate: '2024-03-04', quantity: '10', price: '100' });
    const dividend = await create({
      type: 'dividend',
      symbol: 'DRIP',
      tradeDate: '2024-03-06',
      reinvested: true,
      amount: '25',
      quantity: '0.2',
      price: '110',
      fees: '0.5',
    });
    return { ...fx, account, closes, dividend };
  }

  it('adds its shares and leaves only its cash effect in cash, so a sale of every share leaves nothing', async () => {
    const { db, user, caller, account, closes, dividend } = await dripBook();
    // The ledger: 0.2 shares bought, 25 − 0.2 × 110 − 0.50 = 2.50 left in cash.
    expect(dividend.cashEffect.toFixed(2)).toBe('2.50');
    expect((await holdingOf(caller, account.id, 'DRIP'))?.quantity.toFixed()).toBe('10.2');

    const before = await expectSameAsLedger(db, user.id, '2024-03-07', [account.id]);
    expect(before.positions.get(`${account.id}|DRIP`)?.get('2024-03-07')).toBeCloseTo(10.2, 12);

    await caller.transactions.create({
      accountId: account.id,
      type: 'sell',
      symbol: 'DRIP',
      tradeDate: '2024-03-08',
      quantity: '10.2',
      price: '121',
    });
    expect((await holdingOf(caller, account.id, 'DRIP'))?.quantity.toFixed()).toBe('0');
    const after = await expectSameAsLedger(db, user.id, '2024-03-11', [account.id]);
    // No position left over after the sale (it used to be −0.2 shares).
    expect(after.positions.get(`${account.id}|DRIP`)?.get('2024-03-08')).toBe(0);
    expect(after.positions.get(`${account.id}|DRIP`)?.get('2024-03-11')).toBe(0);

    // Values per day: the ledger's shares × close + the ledger's cash.
    const series = await caller.analytics.series({ range: 'ITD', interval: 'day', asOf: '2024-03-11' });
    const byDate = new Map(series.points.map((p) => [p.date, p.value?.toFixed(2)]));
    for (const [day, close] of Object.entries(closes)) {
      const ledger = await ledgerOn(db, user.id, day);
      const value =
        (ledger.positions.get(`${account.id}|DRIP`) ?? 0) * close + (ledger.cash.get(account.id) ?? 0);
      expect(byDate.get(day), day).toBe(value.toFixed(2));
    }
    expect(byDate.get('2024-03-06')).toBe('1124.50'); // 10.2 × 110 + 2.50
    expect(byDate.get('2024-03-07')).toBe('1236.70'); // 10.2 × 121 + 2.50
    expect(byDate.get('2024-03-11')).toBe('1236.70'); // 2.50 + 10.2 × 121, all cash

    // TWR, linked daily (the only external flow is the 1,000 at the start of Monday):
    //   Mon 1,000 / 1,000 · Tue 1,100 / 1,000 · Wed 1,124.50 / 1,100 (the dividend is income)
    //   · Thu 1,236.70 / 1,124.50 (the 0.2 reinvested shares gain 10 % too) · Fri and Mon 1
    //   = 1,236.70 / 1,000 → TWR 0.2367. (Reading 25 as cash and no new shares gave 0.2332.)
    // From the close of Wednesday: 1,236.70 / 1,124.50 − 1 = 0.0997776789…
    const perf = await caller.analytics.performance({
      asOf: '2024-03-11',
      ranges: ['ITD'],
      custom: [{ from: '2024-03-06', to: '2024-03-11' }],
    });
    const [itd, custom] = perf.ranges;
    expect(itd?.range.status).toBe('ok');
    expect(itd?.twr).toBeCloseTo(0.2367, 12);
    expect(itd?.endValue?.toFixed(2)).toBe('1236.70');
    expect(itd?.profit?.toFixed(2)).toBe('236.70');
    expect(custom?.twr).toBeCloseTo(1236.7 / 1124.5 - 1, 12);

    // Nothing but cash is left: no negative DRIP position valued at 130.
    const mix = await caller.analytics.allocation({ asOf: '2024-03-11' });
    expect(mix.concentration.holdings).toBe(0);
    expect(mix.byAssetClass.map((s) => [s.key, s.value.toFixed(2)])).toEqual([['cash', '1236.70']]);
  });
});

describe('a split', () => {
  it('scales the position by its exact ratio: after a 1-for-3 split, selling every share leaves nothing', async () => {
    const { db, user, caller } = await ledgerUser();
    const account = await brokerage(caller);
    const create = (input: Omit<Parameters<typeof caller.transactions.create>[0], 'accountId'>) =>
      caller.transactions.create({ accountId: account.id, ...input });
    await create({ type: 'buy', symbol: 'SPL', tradeDate: '2024-03-04', quantity: '30', price: '10' });
    await create({ type: 'split', symbol: 'SPL', tradeDate: '2024-03-05', splitRatio: '1:3' });
    await create({ type: 'sell', symbol: 'SPL', tradeDate: '2024-03-06', quantity: '10', price: '30' });
    expect((await holdingOf(caller, account.id, 'SPL'))?.quantity.toFixed()).toBe('0');
    // The stored factor is 0.3333333333: 30 × that is 9.999999999, a residue of −0.000000001 share.
    const book = await expectSameAsLedger(db, user.id, '2024-03-08', [account.id]);
    expect(book.positions.get(`${account.id}|SPL`)?.get('2024-03-05')).toBeCloseTo(10, 12);
    expect(book.positions.get(`${account.id}|SPL`)?.get('2024-03-08')).toBe(0);
  });
});

describe('holdings-mode accounts', () => {
  it('enter with their recorded positions and cash only: transactions recorded there change neither', async () => {
    const { db, user, caller } = await ledgerUser();
    const account = await holdingsAccount(caller);
    await seedPrices(caller, 'HLD', '2024-03-04', '2024-03-08', () => 50);
    await caller.holdings.create({
      accountId: account.id,
      symbol: 'HLD',
      quantity: '4',
      assetClass: 'stock',
    });
    // The ledger records the buy but leaves the holding (4 shares) and the cash alone.
    await caller.transactions.create({
      accountId: account.id,
      type: 'buy',
      symbol: 'HLD',
      tradeDate: '2024-03-05',
      quantity: '3',
      price: '50',
    });
    expect((await holdingOf(caller, account.id, 'HLD'))?.quantity.toFixed()).toBe('4');
    const book = await analyticsBook(db, user.id, resolveAsOf(undefined));
    const last = book.days.at(-1) as string;
    expect(book.positions.get(`${account.id}|HLD`)?.get(last)).toBe(4);
    expect(book.cash.get(account.id)?.get(last) ?? 0).toBe(0);
  });
});

const acct = fc.integer({ min: 0, max: 2 });
const sym = fc.integer({ min: 0, max: 1 });
const day = fc.integer({ min: 0, max: 60 });
const qty = fc.integer({ min: 1, max: 12 });
const price = fc.integer({ min: 80, max: 120 });
const opArb: fc.Arbitrary<RandomLedgerOp> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('buy' as const), acct, sym, day, qty, price }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('sell' as const), acct, sym, day, qty, price }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('split' as const),
      acct,
      sym,
      day,
      to: fc.integer({ min: 1, max: 3 }),
      from: fc.integer({ min: 1, max: 3 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('reinvest' as const),
      acct,
      sym,
      day,
      qty,
      price,
      cashLeft: fc.constant(1),
      fees: fc.constant(0.25),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dividend' as const), acct, sym, day, qty }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('roc' as const),
      acct,
      sym,
      day,
      amount: fc.integer({ min: 1, max: 200 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('transfer' as const), acct, sym, day, qty }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
);

const SYMBOLS = ['PA', 'PB'];

describe('analytics and ledger agree on random books (property)', () => {
  it('every day, on positions and cash, whatever the order the transactions were entered in', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: 14 }), async (ops) => {
        const { db, user, caller } = await ledgerUser();
        const random = await openRandomBook(
          caller,
          [
            { costBasisMethod: 'fifo' },
            { costBasisMethod: 'average', allowShort: true },
            { type: 'retirement', subtype: 'ira' },
          ],
          SYMBOLS,
        );
        const { accounts } = random;
        for (const op of ops) {
          const outcome = await applyRandomOp(caller, random, op);
          if (!outcome) continue;
          // Oversells and deletes that would break later sales are refused; the book stays whole.
          expect(['OK', 'CONFLICT', 'BAD_REQUEST', 'NOT_FOUND'], String(outcome.error)).toContain(
            outcome.code,
          );
        }

        const asOf = bookDate(70);
        const book = await expectSameAsLedger(
          db,
          user.id,
          asOf,
          accounts.map((a) => a.id),
        );
        // The last day: the analytics' positions are the holdings, their cash the accounts' cash.
        const last = book.days.at(-1) as string;
        for (const a of accounts) {
          for (const symbol of SYMBOLS) {
            const held = Number((await holdingOf(caller, a.id, symbol))?.quantity ?? 0);
            const actual = book.positions.get(`${a.id}|${symbol}`)?.get(last) ?? 0;
            if (held === 0) expect(actual).toBe(0);
            else expect(Math.abs(actual - held)).toBeLessThan(1e-8);
          }
          const row = await db('accounts').where('id', a.id).first('cash_balance');
          expect(Math.abs((book.cash.get(a.id)?.get(last) ?? 0) - Number(row.cash_balance))).toBeLessThan(
            1e-8,
          );
        }
      }),
      { numRuns: 10 },
    );
  }, 600_000);
});
