/**
 * The ledger's wire contract: transactions (list, byId, create, update, delete, import), tax lots,
 * realized gains and statement reconciliation.
 *
 * Conventions:
 * - `amount` is the signed cash effect (positive adds cash): a withdrawal, fee or tax is negative,
 *   a deposit, dividend, interest or return of capital positive. On buys and sells it is optional
 *   (the net cash, fees included; default quantity × price ∓ fees). A reinvested dividend's
 *   `amount` is the dividend; the shares it bought (`quantity` at `price`, plus `fees`) are paid
 *   out of it, so its cash effect (`cashEffect`) is what is left.
 * - Quantities are positive; the type says the direction.
 * - A split's ratio is new shares : old shares, "10:1" (ten for one) or "1:5" (one for five).
 */
import { z } from 'zod';
import { zMoney, zQuantity, zSymbol } from './amounts.js';
import { zCurrency, zPage, zPageInput, zUuid } from './common.js';
import { zIsoDate } from './dates.js';
import { Decimal, zDecimal } from './decimal.js';
import { TRANSACTION_TYPES } from './enums.js';

const RATIO = /^\s*(\d+(?:\.\d+)?)\s*(?::|\/|-for-|for)\s*(\d+(?:\.\d+)?)\s*$/i;

/** A split ratio, new : old. Accepts "10:1", "1:5", "3-for-2", or { to, from }. */
export const zSplitRatio = z
  .union([
    z.string().regex(RATIO, { message: 'Expected a ratio such as "10:1" or "1:5"' }),
    z.object({ to: zQuantity, from: zQuantity }),
  ])
  .transform((value) => {
    if (typeof value !== 'string') return value;
    const [, to, from] = RATIO.exec(value) as RegExpExecArray;
    return { to: new Decimal(to as string), from: new Decimal(from as string) };
  })
  .refine((r) => r.to.gt(0) && r.from.gt(0), { message: 'Both sides of the ratio must be positive' });

export const zLotPick = z.object({ lotId: zUuid, quantity: zQuantity });

const zExternalId = z.string().trim().min(1).max(200);
const zDescription = z.string().trim().max(1000);

/** The fields of one transaction, as create and import take them. Rules per type: see the service. */
export const zTransactionFields = z.object({
  type: z.enum(TRANSACTION_TYPES),
  symbol: zSymbol.optional(),
  tradeDate: zIsoDate,
  settleDate: zIsoDate.optional(),
  quantity: zQuantity.optional(),
  price: zMoney.optional(),
  amount: zMoney.optional(),
  fees: zMoney.optional(),
  /** Defaults to the account's currency. */
  currency: zCurrency.optional(),
  splitRatio: zSplitRatio.optional(),
  /** A dividend that bought shares (`quantity` at `price`). */
  reinvested: z.boolean().optional(),
  /** Transfers: the user's other account; the other side is created with it. */
  counterpartAccountId: zUuid.optional(),
  /** Specific identification: the lots a sell (or transfer out) takes, with quantities. */
  lots: z.array(zLotPick).min(1).max(1000).optional(),
  /** The broker's id: unique per account, makes imports idempotent. */
  externalId: zExternalId.optional(),
  description: zDescription.optional(),
});
export type TransactionFields = z.input<typeof zTransactionFields>;

export const zTransactionCreateInput = zTransactionFields.extend({ accountId: zUuid });
export type TransactionCreateInput = z.input<typeof zTransactionCreateInput>;

export const zTransactionUpdateInput = z.object({
  id: zUuid,
  type: z.enum(TRANSACTION_TYPES).optional(),
  symbol: zSymbol.nullish(),
  tradeDate: zIsoDate.optional(),
  settleDate: zIsoDate.nullish(),
  quantity: zQuantity.nullish(),
  price: zMoney.nullish(),
  amount: zMoney.nullish(),
  fees: zMoney.optional(),
  currency: zCurrency.optional(),
  splitRatio: zSplitRatio.nullish(),
  reinvested: z.boolean().optional(),
  lots: z.array(zLotPick).min(1).max(1000).nullish(),
  externalId: zExternalId.nullish(),
  description: zDescription.nullish(),
  /** Required to change a reconciled transaction; the change is audited. */
  allowReconciled: z.boolean().default(false),
});
export type TransactionUpdateInput = z.input<typeof zTransactionUpdateInput>;

export const zTransactionDeleteInput = z.object({
  id: zUuid,
  /** Required to delete a reconciled transaction; the deletion is audited. */
  allowReconciled: z.boolean().default(false),
});

export const zTransactionIdInput = z.object({ id: zUuid });

export const zTransactionListInput = zPageInput.extend({
  accountId: zUuid.optional(),
  symbol: zSymbol.optional(),
  type: z
    .union([
      z.enum(TRANSACTION_TYPES),
      z.array(z.enum(TRANSACTION_TYPES)).min(1).max(TRANSACTION_TYPES.length),
    ])
    .optional(),
  /** Trade dates from (inclusive). */
  from: zIsoDate.optional(),
  /** Trade dates to (inclusive). */
  to: zIsoDate.optional(),
  reconciled: z.boolean().optional(),
  /** By trade date then insertion order; `desc` (default) lists the newest first. */
  direction: z.enum(['asc', 'desc']).default('desc'),
});
export type TransactionListInput = z.input<typeof zTransactionListInput>;

export const zTransaction = z.object({
  id: z.string(),
  accountId: z.string(),
  type: z.enum(TRANSACTION_TYPES),
  symbol: z.string().nullable(),
  tradeDate: z.string(),
  settleDate: z.string().nullable(),
  quantity: zDecimal.nullable(),
  price: zDecimal.nullable(),
  amount: zDecimal.nullable(),
  fees: zDecimal,
  currency: z.string(),
  /** Signed effect on the account's cash. */
  cashEffect: zDecimal,
  /** Sells, covers and returns of capital beyond basis: proceeds − basis of the lots taken, before wash sales. */
  realizedGain: zDecimal.nullable(),
  /** Basis taken by a sale, opened by a purchase, moved by a transfer. */
  costBasis: zDecimal.nullable(),
  /** Loss disallowed by the wash-sale rule (added to replacement shares). */
  washSaleDisallowed: zDecimal,
  splitRatio: z.object({ to: zDecimal, from: zDecimal }).nullable(),
  reinvested: z.boolean(),
  transferId: z.string().nullable(),
  counterpartAccountId: z.string().nullable(),
  lots: z.array(z.object({ lotId: z.string(), quantity: zDecimal })).nullable(),
  externalId: z.string().nullable(),
  description: z.string().nullable(),
  pending: z.boolean(),
  reconciled: z.boolean(),
  reconciledAt: z.date().nullable(),
  reconciliationId: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type Transaction = z.infer<typeof zTransaction>;

export const zTransactionPage = zPage(zTransaction);

/** create returns the transaction and, for a transfer, the other account's side. */
export const zTransactionCreateResult = zTransaction.extend({ counterpart: zTransaction.nullable() });

// ── imports ────────────────────────────────────────────────────────────────────────────────────────

export const IMPORT_MAX_ROWS = 10_000;

export const zTransactionImportInput = z.object({
  accountId: zUuid,
  rows: z.array(zTransactionFields).min(1).max(IMPORT_MAX_ROWS),
  /** Check everything and report what would happen; write nothing. */
  dryRun: z.boolean().default(false),
});
export type TransactionImportInput = z.input<typeof zTransactionImportInput>;

export const zImportError = z.object({
  /** 1-based position in `rows`. */
  row: z.number().int(),
  field: z.string().nullable(),
  message: z.string(),
});

export const zTransactionImportResult = z.object({
  dryRun: z.boolean(),
  /** True when the rows were written (not a dry run, and no errors). */
  committed: z.boolean(),
  /** Rows written (or that would be). */
  created: z.number().int(),
  /** Rows skipped because their externalId is already in the account (or earlier in `rows`). */
  skippedDuplicates: z.number().int(),
  /** Problems by row; any error means nothing was written. */
  errors: z.array(zImportError),
});
export type TransactionImportResult = z.infer<typeof zTransactionImportResult>;

// ── lots and realized gains ────────────────────────────────────────────────────────────────────────

export const zHoldingLotsInput = z.object({ holdingId: zUuid });

export const zTaxLot = z.object({
  id: z.string(),
  accountId: z.string(),
  symbol: z.string(),
  /** The purchase the lot descends from (the original account's, for transferred lots). */
  sourceTransactionId: z.string(),
  acquiredDate: z.string(),
  /** Start of the holding period: earlier than acquiredDate when a wash sale carried one over. */
  holdingStartDate: z.string(),
  /** Long-term when sold today. */
  term: z.enum(['short', 'long']),
  quantity: zDecimal,
  /** Cost, fees included (negative for a short lot: the proceeds received). */
  cost: zDecimal,
  /** Disallowed wash-sale losses added to this lot's basis. */
  washSaleAdjustment: zDecimal,
  /** cost + washSaleAdjustment. */
  adjustedBasis: zDecimal,
  costPerUnit: zDecimal,
  isShort: z.boolean(),
  price: zDecimal.nullable(),
  priceAsOf: z.string().nullable(),
  marketValue: zDecimal.nullable(),
  /** marketValue − adjustedBasis; null without a price. */
  unrealizedGain: zDecimal.nullable(),
});
export type TaxLot = z.infer<typeof zTaxLot>;

export const zHoldingLots = z.object({
  holdingId: z.string(),
  accountId: z.string(),
  symbol: z.string(),
  currency: z.string(),
  /** No price on or before today: market values and unrealized gains are null. */
  priceMissing: z.boolean(),
  lots: z.array(zTaxLot),
  totals: z.object({
    quantity: zDecimal,
    cost: zDecimal,
    washSaleAdjustment: zDecimal,
    marketValue: zDecimal.nullable(),
    unrealizedGain: zDecimal.nullable(),
  }),
});

export const zRealizedGainsInput = z.object({
  from: zIsoDate,
  to: zIsoDate,
  accountId: zUuid.optional(),
});

export const zRealizedGainLine = z.object({
  allocationId: z.string(),
  transactionId: z.string(),
  accountId: z.string(),
  symbol: z.string(),
  kind: z.enum(['sale', 'short_cover', 'return_of_capital']),
  lotId: z.string(),
  acquiredDate: z.string(),
  holdingStartDate: z.string(),
  disposedDate: z.string(),
  term: z.enum(['short', 'long']),
  quantity: zDecimal,
  proceeds: zDecimal,
  /** Basis taken: cost plus any wash-sale adjustment the lot carried. */
  costBasis: zDecimal,
  /** proceeds − costBasis. */
  gain: zDecimal,
  /** Loss disallowed by the wash-sale rule (Form 8949 code W). */
  washSaleDisallowed: zDecimal,
  /** gain + washSaleDisallowed: what counts this year. */
  reportableGain: zDecimal,
});

const zGainTotals = z.object({
  proceeds: zDecimal,
  costBasis: zDecimal,
  gain: zDecimal,
  washSaleDisallowed: zDecimal,
  reportableGain: zDecimal,
});

export const zRealizedGains = z.object({
  from: z.string(),
  to: z.string(),
  lines: z.array(zRealizedGainLine),
  totals: z.object({ short: zGainTotals, long: zGainTotals, all: zGainTotals }),
  /** Replacement lots that received disallowed losses from sales in the period. */
  washSaleAdjustments: z.array(
    z.object({
      lossAllocationId: z.string(),
      replacementLotId: z.string(),
      replacementAccountId: z.string(),
      quantity: zDecimal,
      disallowed: zDecimal,
      /** Days of holding period carried to the replacement. */
      carriedDays: z.number().int(),
      /** False for a replacement in a tax-advantaged account: the loss is lost, not deferred. */
      basisAdjusted: z.boolean(),
    }),
  ),
});

// ── reconciliation ─────────────────────────────────────────────────────────────────────────────────

export const zReconcileInput = z.object({
  accountId: zUuid,
  statementDate: zIsoDate,
  cashBalance: zMoney,
  positions: z
    .array(z.object({ symbol: zSymbol, quantity: zQuantity }))
    .max(10_000)
    .default([]),
});
export type ReconcileInput = z.input<typeof zReconcileInput>;

export const zCompleteReconciliationInput = zReconcileInput.extend({
  /** Complete even though the statement and the ledger differ (the differences are recorded). */
  acceptDifferences: z.boolean().default(false),
});

export const zPositionDifference = z.object({
  symbol: z.string(),
  statementQuantity: zDecimal,
  ledgerQuantity: zDecimal,
  /** statement − ledger. */
  difference: zDecimal,
});

export const zReconcileResult = z.object({
  accountId: z.string(),
  statementDate: z.string(),
  statementCash: zDecimal,
  ledgerCash: zDecimal,
  /** statement − ledger. */
  cashDifference: zDecimal,
  /** Every symbol on either side, with its difference (zero when they agree). */
  positions: z.array(zPositionDifference),
  balanced: z.boolean(),
  /** Transactions on or before the date not yet reconciled. */
  unreconciledTransactions: z.number().int(),
});

export const zReconciliation = zReconcileResult.extend({
  id: z.string(),
  status: z.enum(['balanced', 'accepted_with_differences']),
  transactionsReconciled: z.number().int(),
  createdAt: z.date(),
});
