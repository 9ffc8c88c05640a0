/**
 * Rebalancing, step one (pure): drift per asset class and how much each class should change.
 *
 * The rebalanced portfolio is the classes named in the targets plus cash (target 0 when not named:
 * trades settle in it). A class held but not targeted is left alone: reported, never traded, and
 * not part of the weights. Weights are shares of the rebalanced value T.
 *
 * When no class drifts beyond its band, nothing is proposed. Otherwise every class outside its band
 * goes back to its target; what those moves free (or need) is spread over the classes inside their
 * bands in proportion to their own gap to target — given to the under-weight ones when money is
 * freed, taken from the over-weight ones when it is needed. Since the gaps of all classes sum to
 * zero, the in-band classes always have enough gap to absorb it, each moves towards its target by
 * the same fraction (at most all the way), and so every class ends within its band.
 */
import { type AssetClass, Decimal } from '@fo/schema';
import type { ResolvedTarget } from './targetAllocation.js';

export interface ClassPlan {
  assetClass: AssetClass;
  /** False for a held class without a target (cash is always targeted). */
  targeted: boolean;
  /** In the base currency. */
  value: Decimal;
  currentWeight: Decimal | null;
  targetWeight: Decimal | null;
  band: Decimal | null;
  /** currentWeight − targetWeight. */
  drift: Decimal | null;
  outsideBand: boolean;
  /** Signed change of value the plan asks for (buy +, sell −), in the base currency. */
  plannedChange: Decimal;
}

export type RebalanceStatus = 'empty' | 'within_bands' | 'rebalance';

export interface ClassesPlan {
  status: RebalanceStatus;
  /** T: the value of the targeted classes and cash. */
  rebalancedValue: Decimal;
  classes: ClassPlan[];
}

const ZERO = new Decimal(0);

export function planClasses(
  values: ReadonlyMap<AssetClass, Decimal>,
  targets: readonly ResolvedTarget[],
  defaultBand: Decimal,
): ClassesPlan {
  const targetOf = new Map<AssetClass, ResolvedTarget>(targets.map((t) => [t.assetClass, t]));
  if (!targetOf.has('cash')) targetOf.set('cash', { assetClass: 'cash', weight: ZERO, band: defaultBand });
  const targeted = [...targetOf.values()];
  const total = targeted.reduce((s, t) => s.plus(values.get(t.assetClass) ?? ZERO), ZERO);
  const untargeted = [...values.entries()]
    .filter(([c]) => !targetOf.has(c))
    .sort(([a, va], [b, vb]) => vb.cmp(va) || a.localeCompare(b))
    .map(
      ([assetClass, value]): ClassPlan => ({
        assetClass,
        targeted: false,
        value,
        currentWeight: null,
        targetWeight: null,
        band: null,
        drift: null,
        outsideBand: false,
        plannedChange: ZERO,
      }),
    );

  if (total.lte(0)) {
    const rows = targeted.map(
      (t): ClassPlan => ({
        assetClass: t.assetClass,
        targeted: true,
        value: values.get(t.assetClass) ?? ZERO,
        currentWeight: null,
        targetWeight: t.weight,
        band: t.band,
        drift: null,
        outsideBand: false,
        plannedChange: ZERO,
      }),
    );
    return { status: 'empty', rebalancedValue: total, classes: [...rows, ...untargeted] };
  }

  const rows = targeted.map((t): ClassPlan & { gap: Decimal } => {
    const value = values.get(t.assetClass) ?? ZERO;
    const currentWeight = value.div(total);
    const drift = currentWeight.minus(t.weight);
    return {
      assetClass: t.assetClass,
      targeted: true,
      value,
      currentWeight,
      targetWeight: t.weight,
      band: t.band,
      drift,
      outsideBand: drift.abs().gt(t.band),
      plannedChange: ZERO,
      // Money that would bring the class to its target (+ to buy, − to sell).
      gap: t.weight.mul(total).minus(value),
    };
  });

  const outside = rows.filter((r) => r.outsideBand);
  if (outside.length > 0) {
    let freed = ZERO; // what the out-of-band moves leave to place (negative: what they still need)
    for (const r of outside) {
      r.plannedChange = r.gap;
      freed = freed.minus(r.gap);
    }
    const inside = rows.filter((r) => !r.outsideBand);
    const helpers = inside.filter((r) => (freed.gt(0) ? r.gap.gt(0) : r.gap.lt(0)));
    const helperGap = helpers.reduce((s, r) => s.plus(r.gap), ZERO);
    if (!freed.isZero() && !helperGap.isZero()) {
      const fraction = freed.div(helperGap).abs();
      for (const r of helpers) r.plannedChange = r.gap.mul(fraction);
    }
  }

  const order = (r: ClassPlan) => (r.assetClass === 'cash' && r.targetWeight?.isZero() ? 1 : 0);
  rows.sort(
    (a, b) =>
      order(a) - order(b) ||
      (b.targetWeight ?? ZERO).cmp(a.targetWeight ?? ZERO) ||
      a.assetClass.localeCompare(b.assetClass),
  );
  return {
    status: outside.length > 0 ? 'rebalance' : 'within_bands',
    rebalancedValue: total,
    classes: [...rows.map(({ gap: _gap, ...row }) => row), ...untargeted],
  };
}
