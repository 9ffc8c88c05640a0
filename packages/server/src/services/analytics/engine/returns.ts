/**
 * Daily time-weighted returns.
 *
 * Convention: external flows happen at the START of the market day. The return of day i is
 *
 *     r_i = V_i / (V_{i-1} + F_i) − 1
 *
 * so money that arrives on day i earns day i's return, and a day without price moves has r_i = 0
 * whatever the size of its flow. Daily returns are linked geometrically (time-weighted return =
 * Π(1 + r_i) − 1). Where values are missing, the return from the last valued day to the next one
 * is a single linked step (all flows in between at its start); such steps count in the TWR but
 * not in statistics over daily returns, which need one-day steps.
 */

export const Step = {
  /** Index 0: nothing before it. */
  Base: 0,
  /** A one-day return from two valued days: used in TWR and in statistics. */
  Observed: 1,
  /** A return spanning missing days: used in TWR only. */
  Linked: 2,
  /** No capital before or after (nothing held): r = 0, not a statistic. */
  Idle: 3,
  /** The value is unknown on this day: no return ends here. */
  Missing: 4,
  /**
   * A return that cannot be computed (capital ≤ 0 before a non-zero value, or an unknown flow):
   * linked as 0 and reported with the range, never silently.
   */
  Broken: 5,
  /**
   * Capital arrived at the start of the day with nothing held the day before: a TWR step, but
   * not a close-to-close observation, so not a statistic.
   */
  Funded: 6,
} as const;

export interface ReturnSeries {
  r: Float64Array;
  step: Uint8Array;
  /** Growth of 1 from index 0: G_i = Π_{j ≤ i}(1 + r_j), broken steps counted as 1. */
  growth: Float64Array;
  /** brokenBefore[i] = number of broken steps at indices ≤ i. */
  brokenBefore: Int32Array;
}

/** Below this (in currency units) a value or capital is treated as zero. */
const EPS = 1e-6;

export function dailyReturns(value: Float64Array, flow?: Float64Array): ReturnSeries {
  const n = value.length;
  const out: ReturnSeries = {
    r: new Float64Array(n),
    step: new Uint8Array(n),
    growth: new Float64Array(n),
    brokenBefore: new Int32Array(n),
  };
  dailyReturnsInto(value, flow, out, 0);
  return out;
}

/**
 * dailyReturns into caller-owned arrays. With `start` > 0, slot start − 1 is taken as a base
 * valued 0 (nothing held before it) and only slots ≥ start − 1 are written: a holding's series
 * needs no work before its first trade.
 */
export function dailyReturnsInto(
  value: Float64Array,
  flow: Float64Array | undefined,
  out: ReturnSeries,
  start: number,
): void {
  const n = value.length;
  const { r, step, growth, brokenBefore } = out;
  if (n === 0) return;
  const base = Math.max(start - 1, 0);
  r[base] = 0;
  step[base] = start > 0 ? Step.Idle : Step.Base;
  growth[base] = 1;
  brokenBefore[base] = 0;
  let lastValid = start > 0 ? base : Number.isNaN(value[0] as number) ? -1 : 0;
  const baseValue = start > 0 ? 0 : (value[0] as number);
  let pendingFlow = 0;
  let broken = 0;
  for (let i = base + 1; i < n; i++) {
    const v = value[i] as number;
    pendingFlow += flow ? (flow[i] as number) : 0;
    let ri = 0;
    if (Number.isNaN(v)) {
      step[i] = Step.Missing;
    } else if (lastValid < 0) {
      // First value ever known after unknown ones: nothing to link from.
      step[i] = Math.abs(v) < EPS ? Step.Idle : Step.Broken;
      if (step[i] === Step.Broken) broken++;
      lastValid = i;
      pendingFlow = 0;
    } else {
      const prev = lastValid === base ? baseValue : (value[lastValid] as number);
      const capital = prev + pendingFlow;
      if (Number.isNaN(capital)) {
        step[i] = Step.Broken;
        broken++;
      } else if (capital > EPS) {
        ri = v / capital - 1;
        step[i] = prev <= EPS ? Step.Funded : lastValid === i - 1 ? Step.Observed : Step.Linked;
      } else if (capital <= EPS && Math.abs(v) < EPS) {
        // Nothing held before or after (a distribution paid after the position was closed lands
        // here too: it counts in profit, not in the time-weighted return).
        step[i] = Step.Idle;
      } else {
        step[i] = Step.Broken;
        broken++;
      }
      lastValid = i;
      pendingFlow = 0;
    }
    r[i] = ri;
    growth[i] = (growth[i - 1] as number) * (1 + ri);
    brokenBefore[i] = broken;
  }
}

/** Time-weighted return over (a, b], and how many of its steps could not be computed. */
export function twrBetween(s: ReturnSeries, a: number, b: number): { value: number; brokenSteps: number } {
  if (b <= a) return { value: 0, brokenSteps: 0 };
  return {
    value: (s.growth[b] as number) / (s.growth[a] as number) - 1,
    brokenSteps: (s.brokenBefore[b] as number) - (s.brokenBefore[a] as number),
  };
}

/**
 * Compounds a cumulative return to an annual rate when the period exceeds one year (days / 365,
 * the same actual/365 convention as XIRR); returns null for a year or less.
 */
export function annualize(cumulative: number, calendarDays: number): number | null {
  if (calendarDays <= 365) return null;
  if (cumulative <= -1) return -1;
  return (1 + cumulative) ** (365 / calendarDays) - 1;
}

/** The daily rate that compounds to `annual` over 252 market days. */
export function dailyFromAnnual(annual: number): number {
  return (1 + annual) ** (1 / 252) - 1;
}
