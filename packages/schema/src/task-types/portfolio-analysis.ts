import { z } from 'zod';
import { ANALYTICS_RANGES, zAllocationResult, zPerformanceResult, zRiskResult } from '../analytics.js';
import { todayIso, zIsoDate } from '../dates.js';
import { RISK_TOLERANCES, type RiskTolerance } from '../enums.js';

/**
 * Annualized volatility each risk tolerance is comfortable with. The platform's policy, not a
 * market constant: a 100 % bond portfolio has run at roughly 4–6 % a year, a 60/40 mix at
 * 9–11 %, an all-equity one at 15–18 %; the bands step between them.
 */
export const RISK_TOLERANCE_VOLATILITY: Record<RiskTolerance, { min: number; max: number }> = {
  conservative: { min: 0, max: 0.06 },
  moderate: { min: 0.04, max: 0.1 },
  balanced: { min: 0.07, max: 0.13 },
  growth: { min: 0.1, max: 0.17 },
  aggressive: { min: 0.14, max: 0.25 },
};

export const PORTFOLIO_FLAGS = [
  'CONCENTRATION',
  'VOLATILITY_ABOVE_TOLERANCE',
  'STALE_PRICES',
  'MISSING_FX',
] as const;

export const zPortfolioAnalysisInput = z.object({
  /** Last day of the analysis; today by default. */
  asOf: zIsoDate.refine((d) => d <= todayIso(), { message: 'must not be in the future' }).optional(),
  /** A holding (all accounts together) weighing more than this share of the portfolio is flagged. */
  concentrationThreshold: z.number().gt(0).lte(1).default(0.2),
  /** Range whose volatility is compared with the risk tolerance band. */
  volatilityRange: z.enum(ANALYTICS_RANGES).default('1Y'),
});

export const zPortfolioFlag = z.object({
  code: z.enum(PORTFOLIO_FLAGS),
  severity: z.enum(['warning', 'critical']),
  message: z.string(),
  /** Symbol or currency pair concerned; null for the whole portfolio. */
  subject: z.string().nullable(),
  /** The measured figure (a weight or a volatility) and the limit it broke, when there is one. */
  value: z.number().nullable(),
  threshold: z.number().nullable(),
});
export type PortfolioFlag = z.infer<typeof zPortfolioFlag>;

export const zPortfolioAnalysisResult = z.object({
  asOf: zIsoDate,
  baseCurrency: z.string(),
  riskTolerance: z.enum(RISK_TOLERANCES),
  volatilityBand: z.object({ min: z.number(), max: z.number() }),
  performance: zPerformanceResult,
  risk: zRiskResult,
  allocation: zAllocationResult,
  flags: z.array(zPortfolioFlag),
});
