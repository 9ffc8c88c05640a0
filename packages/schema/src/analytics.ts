/**
 * Performance and risk analytics: inputs and outputs of analytics.performance, .risk, .series,
 * .allocation and .settings.
 *
 * Rates and statistics (returns, volatility, beta, …) are plain numbers: they are ratios, not
 * money. Money (values, flows, profit) is a Decimal, rounded to the base currency's minor unit.
 * Every figure sits in a block that states its range and lists what was missing; a figure that
 * cannot be computed is null and `unavailable` says why — never a silent zero.
 */
import { z } from 'zod';
import { zFraction, zSymbol } from './amounts.js';
import { zUuid } from './common.js';
import { zIsoDate } from './dates.js';
import { zDecimal } from './decimal.js';

export const ANALYTICS_RANGES = ['1M', '3M', '6M', 'YTD', '1Y', '3Y', '5Y', 'ITD'] as const;
export type AnalyticsRangeKey = (typeof ANALYTICS_RANGES)[number];

export const zAnalyticsScope = z.discriminatedUnion('type', [
  z.object({ type: z.literal('portfolio') }),
  z.object({ type: z.literal('account'), accountId: zUuid }),
  z.object({ type: z.literal('holding'), holdingId: zUuid }),
]);
export type AnalyticsScope = z.infer<typeof zAnalyticsScope>;

export const zCustomRange = z
  .object({ from: zIsoDate, to: zIsoDate })
  .refine((r) => r.from < r.to, { message: '`from` must be before `to`', path: ['to'] });

const rangesInput = {
  /** What to analyse; the whole investment portfolio by default. */
  scope: zAnalyticsScope.default({ type: 'portfolio' }),
  /** Standard ranges; all of them by default. */
  ranges: z.array(z.enum(ANALYTICS_RANGES)).min(1).max(ANALYTICS_RANGES.length).optional(),
  /** Custom ranges, in addition. */
  custom: z.array(zCustomRange).max(12).default([]),
  /** Last day of the analysis (today by default; never in the future). */
  asOf: zIsoDate.optional(),
};

export const zAnalyticsRangesInput = z.object(rangesInput);
export type AnalyticsRangesInput = z.input<typeof zAnalyticsRangesInput>;

export const zAnalyticsSeriesInput = z.object({
  scope: zAnalyticsScope.default({ type: 'portfolio' }),
  /** A standard range or a custom one; since inception by default. */
  range: z.union([z.enum(ANALYTICS_RANGES), zCustomRange]).default('ITD'),
  /** One point per market day, or the last market day of each week or month. */
  interval: z.enum(['day', 'week', 'month']).default('day'),
  asOf: zIsoDate.optional(),
});
export type AnalyticsSeriesInput = z.input<typeof zAnalyticsSeriesInput>;

export const zAnalyticsAllocationInput = z.object({
  scope: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('portfolio') }),
      z.object({ type: z.literal('account'), accountId: zUuid }),
    ])
    .default({ type: 'portfolio' }),
  asOf: zIsoDate.optional(),
});
export type AnalyticsAllocationInput = z.input<typeof zAnalyticsAllocationInput>;

// ── Outputs ──────────────────────────────────────────────────────────────────────────────────

export const zAnalyticsScopeInfo = z.object({
  type: z.enum(['portfolio', 'account', 'holding']),
  /** Account or holding id; null for the portfolio. */
  id: zUuid.nullable(),
  name: z.string(),
  /** Symbol of a holding scope. */
  symbol: z.string().nullable(),
});

/** How the figures were computed. */
export const zAnalyticsBasis = z.object({
  /** Every money figure is in this currency (the user's base currency). */
  currency: z.string(),
  /** The last day of the analysis. */
  asOf: zIsoDate,
  timeWeighted: z.literal('daily-linked; external flows at the start of the day'),
  moneyWeighted: z.literal('XIRR, actual/365 (Excel)'),
  /** Returns over ranges longer than this many days are also given annualized ((1+R)^(365/days) − 1). */
  annualizeBeyondDays: z.literal(365),
  /** Volatility, Sharpe and Sortino are annualized with √252; alpha with × 252. */
  tradingDaysPerYear: z.literal(252),
  benchmark: z.string().nullable(),
  riskFree: z.object({
    /** Annual rate used on days without a risk-free series value. */
    annualRate: z.number(),
    /** Price series whose daily returns are the risk-free rate, when configured. */
    symbol: z.string().nullable(),
  }),
  /** A price or FX rate is carried forward at most this many calendar days. */
  maxPriceGapDays: z.number().int(),
  /** What the investment portfolio includes. */
  portfolio: z.string(),
});
export type AnalyticsBasis = z.infer<typeof zAnalyticsBasis>;

export const zAnalyticsRange = z.object({
  key: z.enum([...ANALYTICS_RANGES, 'custom']),
  requestedFrom: zIsoDate,
  requestedTo: zIsoDate,
  /** Market days the figures are measured between (close of `from` to close of `to`). */
  from: zIsoDate,
  to: zIsoDate,
  calendarDays: z.number().int(),
  /** `insufficient_history`: the range starts before the scope's first transaction; no figures. */
  status: z.enum(['ok', 'insufficient_history', 'no_data']),
});
export type AnalyticsRange = z.infer<typeof zAnalyticsRange>;

export const zAnalyticsMissing = z.object({
  kind: z.enum([
    'price',
    'fx',
    'return',
    'benchmark',
    'risk_free',
    'future_transactions',
    'holdings_snapshot',
  ]),
  /** Symbol, currency pair, or account concerned. */
  subject: z.string(),
  from: zIsoDate.nullable(),
  to: zIsoDate.nullable(),
  /** Market days affected. */
  days: z.number().int(),
  message: z.string(),
});
export type AnalyticsMissing = z.infer<typeof zAnalyticsMissing>;

const zUnavailable = z.array(z.object({ figure: z.string(), reason: z.string() }));

export const zPerformanceRange = z.object({
  range: zAnalyticsRange,
  startValue: zDecimal.nullable(),
  endValue: zDecimal.nullable(),
  /** Net external flows (contributions − withdrawals) inside the range. */
  netFlows: zDecimal.nullable(),
  inflows: zDecimal.nullable(),
  outflows: zDecimal.nullable(),
  /** endValue − startValue − netFlows. */
  profit: zDecimal.nullable(),
  /** profit ÷ (startValue + inflows). */
  simpleReturn: z.number().nullable(),
  /** Time-weighted return over the range (cumulative). */
  twr: z.number().nullable(),
  /** Annualized TWR; null for ranges of a year or less. */
  twrAnnualized: z.number().nullable(),
  /** Money-weighted return: Excel's XIRR of the range's flows (annual rate). */
  xirr: z.number().nullable(),
  /** The XIRR compounded over the range (cumulative money-weighted return). */
  mwr: z.number().nullable(),
  /** The benchmark's price return over the same market days. */
  benchmarkReturn: z.number().nullable(),
  missing: z.array(zAnalyticsMissing),
  unavailable: zUnavailable,
});
export type PerformanceRange = z.infer<typeof zPerformanceRange>;

export const zPerformanceResult = z.object({
  scope: zAnalyticsScopeInfo,
  basis: zAnalyticsBasis,
  ranges: z.array(zPerformanceRange),
  /** Issues of the whole history (e.g. transactions dated after asOf). */
  missing: z.array(zAnalyticsMissing),
});
export type PerformanceResult = z.infer<typeof zPerformanceResult>;

export const zDrawdown = z.object({
  /** Deepest fall of the time-weighted growth from a running peak (≤ 0). */
  depth: z.number(),
  peakDate: zIsoDate,
  troughDate: zIsoDate,
  /** First day back at the peak; null when not recovered by the range's end. */
  recoveryDate: zIsoDate.nullable(),
});

export const zRiskRange = z.object({
  range: zAnalyticsRange,
  /** One-day returns the statistics use. */
  observations: z.number().int(),
  volatility: z.number().nullable(),
  maxDrawdown: zDrawdown.nullable(),
  sharpe: z.number().nullable(),
  sortino: z.number().nullable(),
  /** Slope of the scope's daily returns on the benchmark's (Excel SLOPE), days aligned by date. */
  beta: z.number().nullable(),
  /** Jensen's alpha, annualized (× 252) from daily means, with the risk-free rate. */
  alpha: z.number().nullable(),
  correlation: z.number().nullable(),
  /** Days with both a scope and a benchmark one-day return. */
  pairedObservations: z.number().int(),
  /** Average risk-free rate over the range, annualized. */
  riskFreeRate: z.number().nullable(),
  missing: z.array(zAnalyticsMissing),
  unavailable: zUnavailable,
});
export type RiskRange = z.infer<typeof zRiskRange>;

export const zRiskResult = z.object({
  scope: zAnalyticsScopeInfo,
  basis: zAnalyticsBasis,
  ranges: z.array(zRiskRange),
  missing: z.array(zAnalyticsMissing),
});
export type RiskResult = z.infer<typeof zRiskResult>;

export const zSeriesPoint = z.object({
  date: zIsoDate,
  /** Market value; null on days it cannot be computed (see missing). */
  value: zDecimal.nullable(),
  /** External flows of the day (since the previous point when the interval is a week or month). */
  netFlow: zDecimal.nullable(),
  /** Cumulative net contributions since the range's start. */
  contributions: zDecimal.nullable(),
  /** Cumulative time-weighted return since the range's start. */
  twr: z.number(),
  /** Cumulative benchmark return since the range's start; null without benchmark prices. */
  benchmark: z.number().nullable(),
  /** Net worth: investments, cash accounts, real-estate equity, minus liabilities (portfolio scope only). */
  netWorth: zDecimal.nullable(),
});
export type SeriesPoint = z.infer<typeof zSeriesPoint>;

export const zSeriesResult = z.object({
  scope: zAnalyticsScopeInfo,
  basis: zAnalyticsBasis,
  range: zAnalyticsRange,
  interval: z.enum(['day', 'week', 'month']),
  points: z.array(zSeriesPoint),
  missing: z.array(zAnalyticsMissing),
  unavailable: zUnavailable,
});
export type SeriesResult = z.infer<typeof zSeriesResult>;

export const zAllocationSlice = z.object({
  key: z.string(),
  /** Account name for the account breakdown; the key otherwise. */
  label: z.string(),
  value: zDecimal,
  weight: z.number(),
});

export const zAllocationResult = z.object({
  scope: zAnalyticsScopeInfo,
  basis: zAnalyticsBasis,
  asOf: zIsoDate,
  total: zDecimal,
  byAssetClass: z.array(zAllocationSlice),
  byAccount: z.array(zAllocationSlice),
  byCurrency: z.array(zAllocationSlice),
  concentration: z.object({
    /** Holdings (positive value, by symbol across accounts) the measures cover; cash excluded. */
    holdings: z.number().int(),
    top10Weight: z.number().nullable(),
    /** Herfindahl–Hirschman index Σ w² of holdings' weights (1/holdings … 1). */
    herfindahl: z.number().nullable(),
    largest: z.array(zAllocationSlice),
  }),
  missing: z.array(zAnalyticsMissing),
});
export type AllocationResult = z.infer<typeof zAllocationResult>;

// ── Settings ────────────────────────────────────────────────────────────────────────────────

export const zAnalyticsSettings = z.object({
  benchmarkSymbol: z.string(),
  /** Annual risk-free rate as a fraction (0.04 is 4 %). */
  riskFreeRate: zDecimal,
  /** Optional price series (e.g. a T-bill index) whose daily returns are the risk-free rate. */
  riskFreeSymbol: z.string().nullable(),
  maxPriceGapDays: z.number().int(),
  /** Which values are the user's own and which the server's defaults. */
  custom: z.object({
    benchmarkSymbol: z.boolean(),
    riskFreeRate: z.boolean(),
    riskFreeSymbol: z.boolean(),
    maxPriceGapDays: z.boolean(),
  }),
});
export type AnalyticsSettings = z.infer<typeof zAnalyticsSettings>;

/** Each field: a value to set, null to return to the default, absent to leave unchanged. */
export const zAnalyticsSettingsInput = z.object({
  benchmarkSymbol: zSymbol.nullish(),
  riskFreeRate: zFraction
    .refine((d) => d.gt(-1) && d.lt(1), { message: 'Must be between -1 and 1 (a fraction: 0.04 is 4 %)' })
    .nullish(),
  riskFreeSymbol: zSymbol.nullish(),
  maxPriceGapDays: z.number().int().min(1).max(60).nullish(),
});
export type AnalyticsSettingsInput = z.input<typeof zAnalyticsSettingsInput>;
export type AnalyticsSettingsChanges = z.output<typeof zAnalyticsSettingsInput>;
