import { z } from 'zod';
import { zFraction, zNonNegativeMoney } from '../amounts.js';
import { zIsoDate } from '../dates.js';
import { Decimal, zDecimal } from '../decimal.js';

/**
 * Default tax rates: the top US federal brackets (2024–2025): 37 % on short-term gains (taxed as
 * ordinary income) and 20 % on long-term gains; without the 3.8 % net investment income tax or
 * state taxes. Give your own rates in the input.
 */
export const DEFAULT_SHORT_TERM_TAX_RATE = '0.37';
export const DEFAULT_LONG_TERM_TAX_RATE = '0.20';

const zRate = zFraction.refine((d) => d.gte(0) && d.lte(1), {
  message: 'Must be from 0 to 1 (a fraction: 0.37 is 37 %)',
});

/** `tax_loss_harvest`: open lots whose unrealized loss passes both thresholds. */
export const zTaxLossHarvestInput = z.object({
  /** Smallest loss per lot worth harvesting, in the base currency (default 0: any loss). */
  minLossAmount: zNonNegativeMoney.default(new Decimal(0)),
  /** Smallest loss per lot as a share of its basis: 0.1 is 10 % (default 0: any loss). */
  minLossPercent: zFraction
    .refine((d) => d.gte(0) && d.lt(1), { message: 'Must be from 0 up to 1 (a fraction: 0.1 is 10 %)' })
    .default(new Decimal(0)),
  /** Rate the short-term losses save (they offset gains taxed as ordinary income). */
  shortTermRate: zRate.default(new Decimal(DEFAULT_SHORT_TERM_TAX_RATE)),
  /** Rate the long-term losses save. */
  longTermRate: zRate.default(new Decimal(DEFAULT_LONG_TERM_TAX_RATE)),
});

export const zHarvestLot = z.object({
  lotId: z.string(),
  accountId: z.string(),
  accountName: z.string(),
  holdingId: z.string(),
  symbol: z.string(),
  /** The holding's currency: basis, price, market value and loss are in it. */
  currency: z.string(),
  acquiredDate: zIsoDate,
  /** Start of the holding period (earlier than acquiredDate when a wash sale carried one over). */
  holdingStartDate: zIsoDate,
  /** If sold today: held more than one year is long-term (IRS Publication 550, "Holding Period"). */
  term: z.enum(['short', 'long']),
  /** First day a sale would be long-term; null when it already is. */
  longTermFrom: zIsoDate.nullable(),
  quantity: zDecimal,
  /** Cost plus any wash-sale adjustment. */
  basis: zDecimal,
  price: zDecimal,
  priceAsOf: zIsoDate.nullable(),
  marketValue: zDecimal,
  /** basis − market value, positive. */
  loss: zDecimal,
  /** loss ÷ basis. */
  lossPercent: zDecimal,
  /** The loss in the base currency. */
  lossInBase: zDecimal,
});

export const zWashSalePurchase = z.object({
  lotId: z.string(),
  accountId: z.string(),
  accountName: z.string(),
  /** A purchase in an IRA or similar washes the loss for good (no basis adjustment). */
  taxAdvantaged: z.boolean(),
  acquiredDate: zIsoDate,
  quantity: zDecimal,
});

export const zWashSaleWarning = z.object({
  symbol: z.string(),
  message: z.string(),
  /** The 61 days around a sale today. */
  windowFrom: zIsoDate,
  windowTo: zIsoDate,
  /** Buying the symbol again (in any account) before this day would wash a loss taken today. */
  safeToRepurchaseFrom: zIsoDate,
  /** Purchases already recorded in the window, still held: each replaces sold shares. */
  purchases: z.array(zWashSalePurchase),
});

export const zTaxLossHarvestResult = z.object({
  asOf: zIsoDate,
  baseCurrency: z.string(),
  thresholds: z.object({ minLossAmount: zDecimal, minLossPercent: zDecimal }),
  rates: z.object({ shortTerm: zDecimal, longTerm: zDecimal }),
  /** Largest loss (in the base currency) first. */
  lots: z.array(zHarvestLot),
  bySymbol: z.array(
    z.object({
      symbol: z.string(),
      lots: z.number().int(),
      quantity: zDecimal,
      /** In the base currency. */
      shortTermLoss: zDecimal,
      longTermLoss: zDecimal,
      washSaleRisk: z.boolean(),
    }),
  ),
  /** In the base currency. */
  totals: z.object({
    shortTermLoss: zDecimal,
    longTermLoss: zDecimal,
    totalLoss: zDecimal,
    /** Losses × the rates of their term: the tax the losses could save against gains of the year. */
    estimatedTaxSavings: z.object({ shortTerm: zDecimal, longTerm: zDecimal, total: zDecimal }),
  }),
  washSaleWarnings: z.array(zWashSaleWarning),
  /** Positions of taxable accounts that could not be checked lot by lot, and why. */
  skipped: z.array(
    z.object({
      accountId: z.string(),
      accountName: z.string(),
      symbol: z.string(),
      reason: z.enum(['MISSING_PRICE', 'MISSING_FX_RATE', 'NO_LOTS']),
      message: z.string(),
    }),
  ),
  assumptions: z.array(z.string()),
});
