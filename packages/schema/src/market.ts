/**
 * Market data: daily closing prices and FX rates. Shared by every user (a symbol has one close per
 * day); written by scripts in batches of up to 10,000 rows, idempotently.
 */
import { z } from 'zod';
import { zBoundedDecimal, zNonNegativeMoney, zSymbol } from './amounts.js';
import { zCurrency } from './common.js';
import { todayIso, zIsoDate } from './dates.js';
import { zDecimal } from './decimal.js';

export const MAX_MARKET_ROWS = 10_000;

/** A rate: 1 base = rate quote. Positive, at most 16 integer digits. */
export const zFxRateValue = zBoundedDecimal('1e16', 12).refine((d) => d.gt(0), {
  message: 'Must be a positive rate',
});

function notInFuture(rows: { date: string }[], ctx: z.RefinementCtx): void {
  const today = todayIso();
  rows.forEach((row, i) => {
    if (row.date > today) {
      ctx.addIssue({ code: 'custom', path: [i, 'date'], message: 'must not be in the future' });
    }
  });
}

function unique<T>(rows: T[], key: (row: T) => string, path: string, ctx: z.RefinementCtx): void {
  const first = new Map<string, number>();
  rows.forEach((row, i) => {
    const k = key(row);
    const seen = first.get(k);
    if (seen !== undefined) {
      ctx.addIssue({ code: 'custom', path: [i, path], message: `duplicates row ${seen}` });
    } else {
      first.set(k, i);
    }
  });
}

export const zPriceRow = z.object({
  symbol: zSymbol,
  date: zIsoDate,
  close: zNonNegativeMoney,
  currency: zCurrency,
});

export const zPricesUpsertInput = z.object({
  rows: z
    .array(zPriceRow)
    .min(1)
    .max(MAX_MARKET_ROWS)
    .superRefine((rows, ctx) => {
      notInFuture(rows, ctx);
      unique(rows, (r) => `${r.symbol}|${r.date}`, 'date', ctx);
    }),
});
export type PricesUpsertInput = z.input<typeof zPricesUpsertInput>;

export const zUpsertResult = z.object({
  inserted: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
});

export const zPricesLatestInput = z.object({
  symbols: z.array(zSymbol).min(1).max(1000),
  /** Latest price on or before this day (default today). */
  asOf: zIsoDate.optional(),
});

export const zPrice = z.object({
  symbol: z.string(),
  date: z.string(),
  close: zDecimal,
  currency: z.string(),
});
export type PriceView = z.infer<typeof zPrice>;

export const zPricesLatestResult = z.object({
  asOf: z.string(),
  prices: z.array(zPrice),
  /** Symbols with no price on or before `asOf`. */
  missing: z.array(z.string()),
});

export const zFxRow = z
  .object({
    date: zIsoDate,
    base: zCurrency,
    quote: zCurrency,
    rate: zFxRateValue,
  })
  .refine((r) => r.base !== r.quote, { path: ['quote'], message: 'must differ from base' });

export const zFxUpsertInput = z.object({
  rows: z
    .array(zFxRow)
    .min(1)
    .max(MAX_MARKET_ROWS)
    .superRefine((rows, ctx) => {
      notInFuture(rows, ctx);
      unique(rows, (r) => `${r.base}|${r.quote}|${r.date}`, 'date', ctx);
    }),
});
export type FxUpsertInput = z.input<typeof zFxUpsertInput>;

export const zCurrencyPair = z
  .object({ base: zCurrency, quote: zCurrency })
  .refine((p) => p.base !== p.quote, { path: ['quote'], message: 'must differ from base' });

export const zFxLatestInput = z.object({
  pairs: z.array(zCurrencyPair).min(1).max(100),
  /** Latest rate on or before this day (default today). */
  asOf: zIsoDate.optional(),
});

export const zFxRate = z.object({
  base: z.string(),
  quote: z.string(),
  /** 1 base = rate quote. */
  rate: zDecimal,
  /** Day of the stored rate used. */
  date: z.string(),
  /** True when only the opposite pair was stored and this rate is its inverse. */
  inverted: z.boolean(),
});
export type FxRateView = z.infer<typeof zFxRate>;

export const zFxLatestResult = z.object({
  asOf: z.string(),
  rates: z.array(zFxRate),
  /** Pairs with no rate (in either direction) on or before `asOf`. */
  missing: z.array(z.object({ base: z.string(), quote: z.string() })),
});
