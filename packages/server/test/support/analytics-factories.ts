/**
 * Fixtures for analytics tests: daily price series (through prices.upsert), FX rates, and ledger
 * rows. Ledger rows are written straight to `transactions` (with the holding row the ledger would
 * keep), in the core schema's meaning: `amount` is the signed cash effect, stored as the ledger
 * stores it in `cash_effect` too (what the analytics read). Tests that need the ledger's own rules
 * (reinvested dividends, lots, holdings) go through `transactions.create` instead.
 */
import { Decimal } from '@fo/schema';
import { dayToIso, isoToDay, isWeekday } from '@fo/schema/calendar';
import type { Knex } from '../../src/db/knex.js';
import type { Caller } from '../harness/types.js';

/** Weekdays from `from` to `to`, inclusive. */
export function weekdaysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = isoToDay(from); d <= isoToDay(to); d++) if (isWeekday(d)) out.push(dayToIso(d));
  return out;
}

/** Upserts a close for every weekday from `from` to `to`; `close(date, i)` gives the price. */
export async function seedPrices(
  caller: Caller,
  symbol: string,
  from: string,
  to: string,
  close: (date: string, i: number) => number | string,
  currency = 'USD',
): Promise<string[]> {
  const days = weekdaysBetween(from, to);
  for (let start = 0; start < days.length; start += 5000) {
    const rows = days.slice(start, start + 5000).map((date, k) => ({
      symbol,
      date,
      close: String(close(date, start + k)),
      currency,
    }));
    await caller.prices.upsert({ rows });
  }
  return days;
}

export async function seedFx(
  caller: Caller,
  base: string,
  quote: string,
  from: string,
  to: string,
  rate: (date: string, i: number) => number | string,
): Promise<void> {
  const days = weekdaysBetween(from, to);
  await caller.fx.upsert({
    rows: days.map((date, i) => ({ date, base, quote, rate: String(rate(date, i)) })),
  });
}

export interface LedgerRow {
  type:
    | 'buy'
    | 'sell'
    | 'dividend'
    | 'interest'
    | 'fee'
    | 'deposit'
    | 'withdrawal'
    | 'transfer_in'
    | 'transfer_out'
    | 'split';
  date: string;
  symbol?: string;
  quantity?: number | string;
  price?: number | string;
  /** Signed cash effect; for buys and sells, defaults to ∓ quantity × price (− fees). */
  amount?: number | string;
  fees?: number | string;
  currency?: string;
}

/** Writes ledger rows for one account, and the holding rows for their symbols. */
export async function insertLedger(
  db: Knex,
  user: { id: string },
  account: { id: string; currency?: string },
  rows: LedgerRow[],
): Promise<void> {
  const symbols = [...new Set(rows.map((r) => r.symbol).filter((s): s is string => !!s))];
  for (const symbol of symbols) {
    await db('assets')
      .insert({
        account_id: account.id,
        user_id: user.id,
        symbol,
        quantity: '0',
        currency: account.currency ?? 'USD',
      })
      .onConflict(['account_id', 'symbol'])
      .ignore();
  }
  const assets = await db('assets').where('account_id', account.id).select('id', 'symbol');
  const assetBySymbol = new Map(assets.map((a: { id: string; symbol: string }) => [a.symbol, a.id]));
  const values = rows.map((r) => {
    const fees = new Decimal(r.fees ?? 0);
    let amount = r.amount === undefined ? null : new Decimal(r.amount);
    if (amount === null && (r.type === 'buy' || r.type === 'sell')) {
      const gross = new Decimal(r.quantity ?? 0).mul(r.price ?? 0);
      amount = r.type === 'buy' ? gross.plus(fees).neg() : gross.minus(fees);
    }
    return {
      account_id: account.id,
      user_id: user.id,
      asset_id: r.symbol ? assetBySymbol.get(r.symbol) : null,
      type: r.type,
      symbol: r.symbol ?? null,
      trade_date: r.date,
      quantity: r.quantity === undefined ? null : String(r.quantity),
      price: r.price === undefined ? null : String(r.price),
      amount: amount === null ? null : amount.toFixed(),
      cash_effect: r.type === 'split' || amount === null ? '0' : amount.toFixed(),
      fees: fees.toFixed(),
      currency: r.currency ?? account.currency ?? 'USD',
    };
  });
  for (let start = 0; start < values.length; start += 2000) {
    await db('transactions').insert(values.slice(start, start + 2000));
  }
}
