/**
 * FX conversion with the latest rate on or before a day, in either direction: a stored EUR/USD
 * rate also converts USD to EUR (its inverse). A pair with no rate is reported as missing — never
 * converted at 1.0. Rates are loaded for all the pairs a computation needs in one query.
 */
import { Decimal } from '@fo/schema';
import type { Db } from '../../db/transaction.js';

export interface RateUsed {
  base: string;
  quote: string;
  /** 1 base = rate quote. */
  rate: Decimal;
  /** Day of the stored rate. */
  date: string;
  inverted: boolean;
}

export type Conversion =
  | { ok: true; value: Decimal; rate: RateUsed | null }
  | { ok: false; pair: string; base: string; quote: string };

export function pairName(base: string, quote: string): string {
  return `${base}/${quote}`;
}

export class RateTable {
  constructor(
    readonly asOf: string,
    private readonly stored: ReadonlyMap<string, { date: string; rate: Decimal }>,
  ) {}

  /** The rate converting `base` into `quote`, or null when neither direction is stored. */
  rate(base: string, quote: string): RateUsed | null {
    const direct = this.stored.get(pairName(base, quote));
    const inverse = this.stored.get(pairName(quote, base));
    if (direct && (!inverse || direct.date >= inverse.date)) {
      return { base, quote, rate: direct.rate, date: direct.date, inverted: false };
    }
    if (inverse) {
      return { base, quote, rate: new Decimal(1).div(inverse.rate), date: inverse.date, inverted: true };
    }
    return null;
  }

  convert(amount: Decimal, from: string, to: string): Conversion {
    if (from === to) return { ok: true, value: amount, rate: null };
    const rate = this.rate(from, to);
    if (!rate) return { ok: false, pair: pairName(from, to), base: from, quote: to };
    return { ok: true, value: amount.mul(rate.rate).toDecimalPlaces(8), rate };
  }
}

/** Loads the latest rate on or before `asOf` for every pair, in both directions, in one query. */
export async function loadRates(db: Db, pairs: Iterable<[string, string]>, asOf: string): Promise<RateTable> {
  const bases: string[] = [];
  const quotes: string[] = [];
  const seen = new Set<string>();
  for (const [from, to] of pairs) {
    if (from === to) continue;
    for (const [b, q] of [
      [from, to],
      [to, from],
    ] as const) {
      const key = pairName(b, q);
      if (seen.has(key)) continue;
      seen.add(key);
      bases.push(b);
      quotes.push(q);
    }
  }
  const stored = new Map<string, { date: string; rate: Decimal }>();
  if (bases.length) {
    const { rows } = await db.raw<{ rows: { base: string; quote: string; date: string; rate: string }[] }>(
      `SELECT p.base, p.quote, r.date, r.rate
         FROM unnest(?::text[], ?::text[]) AS p(base, quote)
         CROSS JOIN LATERAL (
           SELECT fx.date, fx.rate FROM fx
            WHERE fx.base = p.base AND fx.quote = p.quote AND fx.date <= ?::date
            ORDER BY fx.date DESC LIMIT 1
         ) r`,
      [bases, quotes, asOf],
    );
    for (const row of rows) {
      stored.set(pairName(row.base, row.quote), { date: row.date, rate: new Decimal(row.rate) });
    }
  }
  return new RateTable(asOf, stored);
}
