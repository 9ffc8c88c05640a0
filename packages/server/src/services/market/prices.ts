/**
 * Daily closing prices, shared by every user. An upsert of up to 10,000 rows is one statement;
 * re-sending a row that is already stored changes nothing (idempotent imports).
 */
import { Decimal, todayIso, type zPricesLatestInput, type zPricesUpsertInput } from '@fo/schema';
import type { z } from 'zod';
import { withTransaction } from '../../db/transaction.js';
import type { ServiceContext } from '../context.js';
import { refreshNetWorth } from '../portfolio/refresh.js';

type UpsertInput = z.output<typeof zPricesUpsertInput>;
type LatestInput = z.output<typeof zPricesLatestInput>;

export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

export async function upsertPrices({ db, actor }: ServiceContext, input: UpsertInput): Promise<UpsertCounts> {
  return withTransaction(db, async (trx) => {
    const { rows } = await trx.raw<{ rows: { inserted: boolean }[] }>(
      `INSERT INTO prices (symbol, date, close, currency)
       SELECT * FROM unnest(?::text[], ?::date[], ?::numeric[], ?::text[])
       ON CONFLICT (symbol, date) DO UPDATE SET close = EXCLUDED.close, currency = EXCLUDED.currency
        WHERE (prices.close, prices.currency) IS DISTINCT FROM (EXCLUDED.close, EXCLUDED.currency)
       RETURNING (xmax = 0) AS inserted`,
      [
        input.rows.map((r) => r.symbol),
        input.rows.map((r) => r.date),
        input.rows.map((r) => r.close.toFixed()),
        input.rows.map((r) => r.currency),
      ],
    );
    const inserted = rows.filter((r) => r.inserted).length;
    // Prices are shared market data: the writer's own cached net worth follows at once, other
    // users' with their next change or the daily refresh.
    if (rows.length > 0) await refreshNetWorth(trx, actor.userId);
    return { inserted, updated: rows.length - inserted, unchanged: input.rows.length - rows.length };
  });
}

export async function latestPrices({ db }: ServiceContext, input: LatestInput) {
  const asOf = input.asOf ?? todayIso();
  const symbols = [...new Set(input.symbols)];
  const { rows } = await db.raw<{
    rows: { symbol: string; date: string; close: string; currency: string }[];
  }>(
    `SELECT s.symbol, p.date, p.close, p.currency
       FROM unnest(?::text[]) AS s(symbol)
       CROSS JOIN LATERAL (
         SELECT prices.date, prices.close, prices.currency FROM prices
          WHERE prices.symbol = s.symbol AND prices.date <= ?::date
          ORDER BY prices.date DESC LIMIT 1
       ) p
      ORDER BY s.symbol`,
    [symbols, asOf],
  );
  const found = new Set(rows.map((r) => r.symbol));
  return {
    asOf,
    prices: rows.map((r) => ({
      symbol: r.symbol,
      date: r.date,
      close: new Decimal(r.close),
      currency: r.currency,
    })),
    missing: symbols.filter((s) => !found.has(s)).sort(),
  };
}
