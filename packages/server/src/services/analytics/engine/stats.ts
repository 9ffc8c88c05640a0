/**
 * Statistics over return series (plain numbers: these are rates, not money). Each function takes
 * compact arrays of equal length and returns null when the statistic is undefined (too few
 * observations, zero variance), never a made-up zero. Definitions follow Excel where Excel has
 * the function: STDEV.S, SLOPE, CORREL.
 */

export const TRADING_DAYS_PER_YEAR = 252;

export function mean(x: ArrayLike<number>): number | null {
  const n = x.length;
  if (n === 0) return null;
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] as number;
  return s / n;
}

/** Sample standard deviation (n − 1), as Excel's STDEV.S. */
export function sampleStdev(x: ArrayLike<number>): number | null {
  const n = x.length;
  if (n < 2) return null;
  const m = mean(x) as number;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = (x[i] as number) - m;
    ss += d * d;
  }
  return Math.sqrt(ss / (n - 1));
}

/** Annualized volatility of daily returns: sample standard deviation × √252. */
export function annualizedVolatility(daily: ArrayLike<number>): number | null {
  const sd = sampleStdev(daily);
  return sd === null ? null : sd * Math.sqrt(TRADING_DAYS_PER_YEAR);
}

function covarianceParts(y: ArrayLike<number>, x: ArrayLike<number>) {
  const n = x.length;
  const my = mean(y) as number;
  const mx = mean(x) as number;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (x[i] as number) - mx;
    const dy = (y[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return { sxy, sxx, syy, mx, my };
}

/** Least-squares slope of y on x, as Excel's SLOPE(known_y's, known_x's). */
export function slope(y: ArrayLike<number>, x: ArrayLike<number>): number | null {
  if (x.length !== y.length || x.length < 2) return null;
  const { sxy, sxx } = covarianceParts(y, x);
  return sxx === 0 ? null : sxy / sxx;
}

/** Pearson correlation, as Excel's CORREL. */
export function correlation(x: ArrayLike<number>, y: ArrayLike<number>): number | null {
  if (x.length !== y.length || x.length < 2) return null;
  const { sxy, sxx, syy } = covarianceParts(y, x);
  if (sxx === 0 || syy === 0) return null;
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * Sharpe ratio from daily returns and the matching daily risk-free rates: the mean daily excess
 * return over its sample standard deviation, × √252.
 */
export function sharpeRatio(daily: ArrayLike<number>, riskFree: ArrayLike<number>): number | null {
  const n = daily.length;
  if (n < 2) return null;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (daily[i] as number) - (riskFree[i] as number);
  const m = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = (daily[i] as number) - (riskFree[i] as number) - m;
    ss += d * d;
  }
  const sd = Math.sqrt(ss / (n - 1));
  if (sd === 0) return null;
  return (m / sd) * Math.sqrt(TRADING_DAYS_PER_YEAR);
}

/**
 * Sortino ratio: mean daily excess return over the downside deviation (root mean square of the
 * excess returns below zero, over all n days — the risk-free rate is the target), × √252.
 */
export function sortinoRatio(daily: ArrayLike<number>, riskFree: ArrayLike<number>): number | null {
  const n = daily.length;
  if (n < 2) return null;
  let sum = 0;
  let downside = 0;
  for (let i = 0; i < n; i++) {
    const e = (daily[i] as number) - (riskFree[i] as number);
    sum += e;
    if (e < 0) downside += e * e;
  }
  if (downside === 0) return null;
  return (sum / n / Math.sqrt(downside / n)) * Math.sqrt(TRADING_DAYS_PER_YEAR);
}

/** Jensen's alpha: α = R_p − [R_f + β (R_m − R_f)], all over the same period. */
export function jensensAlpha(portfolio: number, riskFree: number, beta: number, market: number): number {
  return portfolio - (riskFree + beta * (market - riskFree));
}

export interface Drawdown {
  /** Deepest fall from a running peak, as a fraction (≤ 0). */
  depth: number;
  /** Indices into the input of the peak, the trough, and the first return to the peak (null: not yet). */
  peak: number;
  trough: number;
  recovery: number | null;
}

/**
 * Maximum drawdown of a growth (or price) series over [from, to]. The first point counts as a
 * peak. Returns depth 0 with peak = trough = from when the series never falls.
 */
export function maxDrawdown(level: ArrayLike<number>, from = 0, to = level.length - 1): Drawdown | null {
  if (to < from || from < 0) return null;
  let peak = from;
  let best: Drawdown = { depth: 0, peak: from, trough: from, recovery: null };
  for (let i = from + 1; i <= to; i++) {
    const v = level[i] as number;
    if (v >= (level[peak] as number)) {
      peak = i;
      continue;
    }
    const dd = v / (level[peak] as number) - 1;
    if (dd < best.depth) best = { depth: dd, peak, trough: i, recovery: null };
  }
  if (best.depth < 0) {
    const target = level[best.peak] as number;
    for (let i = best.trough + 1; i <= to; i++) {
      if ((level[i] as number) >= target) {
        best.recovery = i;
        break;
      }
    }
  }
  return best;
}
