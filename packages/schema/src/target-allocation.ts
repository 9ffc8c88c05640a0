/**
 * Target allocation: the weight of each asset class the `rebalance` agent steers the investment
 * portfolio towards, with a tolerance band per class. portfolio.targetAllocation.get / .set /
 * .reset. A user who has not set one gets the default model portfolio of their risk tolerance.
 */
import { z } from 'zod';
import { zFraction } from './amounts.js';
import { Decimal, zDecimal } from './decimal.js';
import { ASSET_CLASSES, type AssetClass, RISK_TOLERANCES, type RiskTolerance } from './enums.js';

/** Drift tolerated when a target does not give its own band: 5 percentage points. */
export const DEFAULT_REBALANCE_BAND = '0.05';

/**
 * The default model portfolios, by risk tolerance (weights of stock / bond / cash, summing to 1;
 * every band DEFAULT_REBALANCE_BAND). The platform's policy: a glide from mostly bonds to mostly
 * stocks around the classic 60/40 balanced mix, chosen so that each model's long-run volatility
 * (bonds ≈ 4–6 % a year, stocks ≈ 15–18 %) falls inside the RISK_TOLERANCE_VOLATILITY band of the
 * same tolerance. The investment horizon does not change them.
 *
 * | tolerance    | stock | bond | cash |
 * | ------------ | ----- | ---- | ---- |
 * | conservative | 0.20  | 0.70 | 0.10 |
 * | moderate     | 0.40  | 0.50 | 0.10 |
 * | balanced     | 0.60  | 0.35 | 0.05 |
 * | growth       | 0.75  | 0.20 | 0.05 |
 * | aggressive   | 0.90  | 0.05 | 0.05 |
 */
export const DEFAULT_MODEL_PORTFOLIOS: Record<
  RiskTolerance,
  readonly { assetClass: AssetClass; weight: string }[]
> = {
  conservative: [
    { assetClass: 'stock', weight: '0.20' },
    { assetClass: 'bond', weight: '0.70' },
    { assetClass: 'cash', weight: '0.10' },
  ],
  moderate: [
    { assetClass: 'stock', weight: '0.40' },
    { assetClass: 'bond', weight: '0.50' },
    { assetClass: 'cash', weight: '0.10' },
  ],
  balanced: [
    { assetClass: 'stock', weight: '0.60' },
    { assetClass: 'bond', weight: '0.35' },
    { assetClass: 'cash', weight: '0.05' },
  ],
  growth: [
    { assetClass: 'stock', weight: '0.75' },
    { assetClass: 'bond', weight: '0.20' },
    { assetClass: 'cash', weight: '0.05' },
  ],
  aggressive: [
    { assetClass: 'stock', weight: '0.90' },
    { assetClass: 'bond', weight: '0.05' },
    { assetClass: 'cash', weight: '0.05' },
  ],
};

const zUnitFraction = zFraction.refine((d) => d.gte(0) && d.lte(1), {
  message: 'Must be from 0 to 1 (a fraction: 0.6 is 60 %)',
});

export const zTargetInput = z.object({
  assetClass: z.enum(ASSET_CLASSES),
  /** Share of the rebalanced portfolio, 0..1. */
  weight: zUnitFraction,
  /** Absolute drift tolerated before trades are proposed (0.05: ± 5 percentage points). */
  band: zUnitFraction.default(new Decimal(DEFAULT_REBALANCE_BAND)),
});

/** The whole set, replacing the previous one: one entry per class, weights summing to exactly 1. */
export const zSetTargetAllocationInput = z.object({
  targets: z
    .array(zTargetInput)
    .min(1)
    .max(ASSET_CLASSES.length)
    .superRefine((targets, ctx) => {
      const seen = new Set<string>();
      targets.forEach((t, i) => {
        if (seen.has(t.assetClass)) {
          ctx.addIssue({
            code: 'custom',
            path: [i, 'assetClass'],
            message: `${t.assetClass} is listed twice: give each asset class once`,
          });
        }
        seen.add(t.assetClass);
      });
      // Refinements also run when an entry failed its own checks: sum only parsed weights.
      if (!targets.every((t) => Decimal.isDecimal(t.weight))) return;
      const sum = targets.reduce((s, t) => s.plus(t.weight), new Decimal(0));
      if (!sum.eq(1)) {
        ctx.addIssue({
          code: 'custom',
          message: `The weights must sum to exactly 1; they sum to ${sum.toFixed()}`,
        });
      }
    }),
});
export type SetTargetAllocationInput = z.input<typeof zSetTargetAllocationInput>;

export const TARGET_SOURCES = ['default', 'user'] as const;

export const zTarget = z.object({ assetClass: z.enum(ASSET_CLASSES), weight: zDecimal, band: zDecimal });

export const zTargetAllocation = z.object({
  /** `user`: set with portfolio.targetAllocation.set; `default`: the model of `riskTolerance`. */
  source: z.enum(TARGET_SOURCES),
  riskTolerance: z.enum(RISK_TOLERANCES),
  /** Ordered by weight, largest first. */
  targets: z.array(zTarget),
  /** When the user's set was last written; null for the default model. */
  updatedAt: z.date().nullable(),
});
export type TargetAllocation = z.infer<typeof zTargetAllocation>;
