import { z } from 'zod';
import { zIsoDate } from '../dates.js';
import { zDecimal } from '../decimal.js';
import { ASSET_CLASSES, RISK_TOLERANCES } from '../enums.js';
import { TARGET_SOURCES, zTarget } from '../target-allocation.js';

/** `rebalance`: current allocation by asset class against the target, and the trades back to it. */
export const zRebalanceInput = z.object({
  /**
   * Whole shares (default): sales round to the nearest share (a lot sold entirely keeps its
   * fraction), purchases round down. False: quantities with six decimals, for brokers that trade
   * fractional shares.
   */
  wholeShares: z.boolean().default(true),
});

export const REBALANCE_STATUSES = ['empty', 'within_bands', 'rebalance'] as const;

export const zRebalanceClass = z.object({
  assetClass: z.enum(ASSET_CLASSES),
  /** False for a class held without a target: left as it is, outside the weights. */
  targeted: z.boolean(),
  /** Every money figure is in the base currency. */
  value: zDecimal,
  /** Share of the rebalanced value (targeted classes and cash); null when not targeted or nothing to weigh. */
  currentWeight: zDecimal.nullable(),
  targetWeight: zDecimal.nullable(),
  band: zDecimal.nullable(),
  /** currentWeight − targetWeight. */
  drift: zDecimal.nullable(),
  outsideBand: z.boolean(),
  /** Change the plan asks for: + buy, − sell (for cash: what the trades add to or take from it). */
  plannedChange: zDecimal,
  /** Change the rounded trades make. */
  tradedChange: zDecimal,
  valueAfter: zDecimal,
  weightAfter: zDecimal.nullable(),
  driftAfter: zDecimal.nullable(),
  withinBandAfter: z.boolean().nullable(),
});

export const zRebalanceTradeLot = z.object({
  /** Null for a position without tax lots (an account that keeps positions, not transactions). */
  lotId: z.string().nullable(),
  acquiredDate: zIsoDate.nullable(),
  holdingStartDate: zIsoDate.nullable(),
  /** Of a sale today; null when the acquisition date is unknown. */
  term: z.enum(['short', 'long']).nullable(),
  quantity: zDecimal,
  /** In the trade's currency. */
  basis: zDecimal,
  proceeds: zDecimal,
  gain: zDecimal,
});

export const zRebalanceTrade = z.object({
  action: z.enum(['buy', 'sell']),
  assetClass: z.enum(ASSET_CLASSES),
  /** Null (with symbol and quantity) for a purchase in a class without a position to add to. */
  accountId: z.string().nullable(),
  accountName: z.string().nullable(),
  holdingId: z.string().nullable(),
  symbol: z.string().nullable(),
  taxAdvantaged: z.boolean(),
  /** The position's currency: price, amount and lot figures are in it. */
  currency: z.string(),
  price: zDecimal.nullable(),
  priceAsOf: zIsoDate.nullable(),
  quantity: zDecimal.nullable(),
  amount: zDecimal,
  amountInBase: zDecimal,
  /** Sales: the lots to name to the broker (specific identification), in the order chosen. */
  lots: z.array(zRebalanceTradeLot),
  /** Gain the sale would realize, by term, in the base currency (zero for purchases). */
  estimatedGain: z.object({ short: zDecimal, long: zDecimal, unknownTerm: zDecimal }),
  /** A loss realized by this sale, or a loss sold in the last 30 days, would be washed. */
  washSaleRisk: z.boolean(),
  note: z.string().nullable(),
});

export const REBALANCE_WARNINGS = ['STALE_PRICE', 'WASH_SALE', 'UNFILLED'] as const;

export const zRebalanceResult = z.object({
  asOf: zIsoDate,
  baseCurrency: z.string(),
  riskTolerance: z.enum(RISK_TOLERANCES),
  targetSource: z.enum(TARGET_SOURCES),
  targets: z.array(zTarget),
  /** `empty`: nothing of value to rebalance; `within_bands`: no trade needed. */
  status: z.enum(REBALANCE_STATUSES),
  wholeShares: z.boolean(),
  /** The investment accounts' priced positions and cash, every class. */
  totalValue: zDecimal,
  /** Targeted classes and cash: what the weights are shares of. */
  rebalancedValue: zDecimal,
  classes: z.array(zRebalanceClass),
  /** Sales first, in the order lots are chosen; then purchases. */
  trades: z.array(zRebalanceTrade),
  totals: z.object({
    sells: zDecimal,
    buys: zDecimal,
    /** sells − buys: what the trades add to cash (negative: what they take from it). */
    netCash: zDecimal,
    /** Gains realized in taxable accounts, by term. */
    estimatedGain: z.object({ short: zDecimal, long: zDecimal, unknownTerm: zDecimal }),
    /** Gains realized inside tax-advantaged accounts (not taxed when realized). */
    taxAdvantagedGain: zDecimal,
  }),
  /** Positions and cash left out of the figures and never traded. */
  skipped: z.array(
    z.object({
      accountId: z.string(),
      accountName: z.string(),
      holdingId: z.string().nullable(),
      symbol: z.string().nullable(),
      assetClass: z.enum(ASSET_CLASSES),
      reason: z.enum(['MISSING_PRICE', 'MISSING_FX_RATE']),
      message: z.string(),
    }),
  ),
  warnings: z.array(
    z.object({ code: z.enum(REBALANCE_WARNINGS), message: z.string(), subject: z.string().nullable() }),
  ),
  assumptions: z.array(z.string()),
});
