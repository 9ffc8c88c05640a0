/**
 * Net worth: what a user owns minus what they owe, in their base currency, with breakdowns by
 * category, by account or property, and by currency. Amounts keep their own currency next to the
 * converted value; an amount whose FX rate is missing is flagged and left out of the totals.
 */
import { z } from 'zod';
import { todayIso, zIsoDate } from './dates.js';
import { zDecimal } from './decimal.js';

export const ASSET_CATEGORIES = ['investments', 'cash', 'realEstateEquity', 'otherAssets'] as const;
export const LIABILITY_CATEGORIES = ['mortgages', 'loans', 'creditCards', 'otherLiabilities'] as const;
export const NET_WORTH_CATEGORIES = [...ASSET_CATEGORIES, ...LIABILITY_CATEGORIES] as const;
export type NetWorthCategory = (typeof NET_WORTH_CATEGORIES)[number];

export const NET_WORTH_WARNINGS = [
  'MISSING_FX_RATE',
  'UNPRICED_HOLDINGS',
  'STALE_PRICES',
  'NO_VALUATION',
] as const;

export const zNetWorthInput = z
  .object({
    /** The day to value (default today); not in the future. */
    asOf: zIsoDate.refine((d) => d <= todayIso(), { message: 'must not be in the future' }).optional(),
  })
  .default({});

const zCategoryTotals = z.object(
  Object.fromEntries(NET_WORTH_CATEGORIES.map((c) => [c, zDecimal])) as Record<
    NetWorthCategory,
    typeof zDecimal
  >,
);

export const zNetWorth = z.object({
  asOf: z.string(),
  baseCurrency: z.string(),
  /** Sums of the category totals; liabilities are positive amounts owed. */
  totalAssets: zDecimal,
  totalLiabilities: zDecimal,
  netWorth: zDecimal,
  /** False when some amount could not be converted (see warnings): the totals leave it out. */
  complete: z.boolean(),
  /** In the base currency. Investments: holdings; cash: cash balances and cash holdings; real estate equity: value × ownership − mortgages. */
  categories: zCategoryTotals,
  items: z.array(
    z.object({
      kind: z.enum(['account', 'property']),
      id: z.string(),
      name: z.string(),
      /** Account type or property type. */
      type: z.string(),
      /** Net value in each currency it holds (liabilities negative). */
      amounts: z.array(z.object({ currency: z.string(), amount: zDecimal })),
      /** Net value in the base currency; null when a rate is missing. */
      value: zDecimal.nullable(),
      missingRates: z.array(z.string()),
    }),
  ),
  byCurrency: z.array(
    z.object({
      currency: z.string(),
      assets: zDecimal,
      liabilities: zDecimal,
      /** assets − liabilities, in this currency. */
      net: zDecimal,
      /** 1 of this currency in the base currency, with the day of the rate used; null for the base currency itself. */
      rate: zDecimal.nullable(),
      rateDate: z.string().nullable(),
      /** Net in the base currency; null when the rate is missing. */
      value: zDecimal.nullable(),
    }),
  ),
  warnings: z.array(
    z.object({
      code: z.enum(NET_WORTH_WARNINGS),
      message: z.string(),
      /** The currency pair (MISSING_FX_RATE), symbols (prices) or record ids concerned. */
      pair: z.string().nullable(),
      symbols: z.array(z.string()),
      ids: z.array(z.string()),
    }),
  ),
});
export type NetWorthView = z.infer<typeof zNetWorth>;

export const HISTORY_INTERVALS = ['day', 'week', 'month'] as const;

export const zNetWorthHistoryInput = z
  .object({
    /** Default: a year before `to`. */
    from: zIsoDate.optional(),
    /** Default: today. */
    to: zIsoDate.optional(),
    /** One point per interval: the last snapshot in it. */
    interval: z.enum(HISTORY_INTERVALS).default('day'),
  })
  .refine((v) => !v.from || !v.to || v.from <= v.to, { path: ['from'], message: 'must not be after to' });

export const zNetWorthHistory = z.object({
  from: z.string(),
  to: z.string(),
  interval: z.enum(HISTORY_INTERVALS),
  points: z.array(
    z.object({
      date: z.string(),
      baseCurrency: z.string(),
      totalAssets: zDecimal,
      totalLiabilities: zDecimal,
      netWorth: zDecimal,
      complete: z.boolean(),
    }),
  ),
});
