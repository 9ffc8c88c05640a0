/**
 * Holdings: an account's position in one symbol, valued with the latest price on or before today.
 * Accounts in holdings mode edit them directly; in transactions mode the ledger maintains them.
 */
import { z } from 'zod';
import { zLabel, zNonNegativeMoney, zQuantity, zSymbol } from './amounts.js';
import { zCurrency, zPage, zPageInput, zUuid } from './common.js';
import { zIsoDate } from './dates.js';
import { zDecimal } from './decimal.js';
import { ASSET_CLASSES } from './enums.js';

export const PRICE_SOURCES = ['market', 'manual', 'par', 'cost'] as const;
export type PriceSource = (typeof PRICE_SOURCES)[number];

function oneCostField(value: { costBasis?: unknown; costPerUnit?: unknown }, ctx: z.RefinementCtx): void {
  if (value.costBasis !== undefined && value.costPerUnit !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['costPerUnit'],
      message: 'Give either costBasis (total) or costPerUnit, not both',
    });
  }
}

export const zHoldingCreateInput = z
  .object({
    accountId: zUuid,
    symbol: zSymbol,
    name: zLabel.nullish(),
    assetClass: z.enum(ASSET_CLASSES).default('stock'),
    /** Negative only in accounts that allow short positions. */
    quantity: zQuantity,
    /** Total cost of the position, fees included. */
    costBasis: zNonNegativeMoney.optional(),
    /** Or the cost of one unit; the total is quantity × costPerUnit. */
    costPerUnit: zNonNegativeMoney.optional(),
    /** Defaults to the account's currency. */
    currency: zCurrency.optional(),
    /** A price entered by hand, for positions without a market price. */
    manualPrice: zNonNegativeMoney.optional(),
    /** Day the manual price refers to (default today; not in the future). */
    manualPriceAsOf: zIsoDate.optional(),
  })
  .superRefine(oneCostField);
export type HoldingCreateInput = z.input<typeof zHoldingCreateInput>;

export const zHoldingUpdateInput = z
  .object({
    id: zUuid,
    symbol: zSymbol.optional(),
    name: zLabel.nullish(),
    assetClass: z.enum(ASSET_CLASSES).optional(),
    quantity: zQuantity.optional(),
    costBasis: zNonNegativeMoney.optional(),
    costPerUnit: zNonNegativeMoney.optional(),
    currency: zCurrency.optional(),
    /** null removes the manual price. */
    manualPrice: zNonNegativeMoney.nullish(),
    manualPriceAsOf: zIsoDate.optional(),
  })
  .superRefine(oneCostField);
export type HoldingUpdateInput = z.input<typeof zHoldingUpdateInput>;

export const zHoldingIdInput = z.object({ id: zUuid });

export const HOLDING_SORTS = ['symbol', 'createdAt'] as const;

export const zHoldingListInput = zPageInput.extend({
  /** One account's holdings; all accounts when omitted. */
  accountId: zUuid.optional(),
  assetClass: z
    .union([z.enum(ASSET_CLASSES), z.array(z.enum(ASSET_CLASSES)).min(1).max(ASSET_CLASSES.length)])
    .optional(),
  symbol: zSymbol.optional(),
  /** Holdings of closed accounts are left out unless asked for. */
  includeClosedAccounts: z.boolean().default(false),
  sort: z.enum(HOLDING_SORTS).default('symbol'),
  direction: z.enum(['asc', 'desc']).default('asc'),
});
export type HoldingListInput = z.input<typeof zHoldingListInput>;

export const zHolding = z.object({
  id: z.string(),
  accountId: z.string(),
  symbol: z.string(),
  name: z.string().nullable(),
  assetClass: z.enum(ASSET_CLASSES),
  /** Currency of the cost basis, the price and the market value below. */
  currency: z.string(),
  quantity: zDecimal,
  costBasis: zDecimal,
  /** Cost basis ÷ quantity; null for a zero quantity. */
  costPerUnit: zDecimal.nullable(),
  /** Latest price on or before today, converted to `currency` when quoted in another one. */
  currentPrice: zDecimal.nullable(),
  /** market: the prices table; manual: entered by hand; par: a cash position (1 per unit); cost: no price, valued at cost. */
  priceSource: z.enum(PRICE_SOURCES),
  /** Day of the price used. */
  priceAsOf: z.string().nullable(),
  /** Currency the price is quoted in (the prices table may quote another currency than the holding's). */
  priceCurrency: z.string(),
  /** Older than the configured maximum age, or no price at all. */
  stale: z.boolean(),
  /** quantity × current price (cost basis when there is no price); null when a needed FX rate is missing. */
  marketValue: zDecimal.nullable(),
  unrealizedGain: zDecimal.nullable(),
  /** Unrealized gain ÷ cost basis, a fraction (0.25 is 25 %); null for a zero cost basis. */
  unrealizedReturn: zDecimal.nullable(),
  /** Fraction of the account's holdings value, and of all the user's holdings (in the base currency). */
  weightInAccount: zDecimal.nullable(),
  weightInPortfolio: zDecimal.nullable(),
  /** A needed FX rate that is missing, e.g. "EUR/USD": the values depending on it are null. */
  missingRate: z.string().nullable(),
  manualPrice: zDecimal.nullable(),
  manualPriceAsOf: z.string().nullable(),
  /** Performance fields, refreshed by the analytics. Fractions. */
  performance: z.object({
    return1y: zDecimal.nullable(),
    returnTotal: zDecimal.nullable(),
    volatility: zDecimal.nullable(),
    beta: zDecimal.nullable(),
    alpha: zDecimal.nullable(),
    asOf: z.date().nullable(),
  }),
  /** True in transactions-mode accounts: the ledger maintains the holding. */
  readOnly: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type HoldingView = z.infer<typeof zHolding>;

export const zHoldingPage = zPage(zHolding);
