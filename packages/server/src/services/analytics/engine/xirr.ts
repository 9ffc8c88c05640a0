/**
 * XIRR as Excel defines it: the annual rate r with Σ P_i / (1 + r)^((d_i − d_0) / 365) = 0, where
 * d_0 is the first cash flow's date (actual/365). Newton's method from Excel's default guess of
 * 10 %, then bisection over a bracketed sign change when Newton does not converge.
 */

export type XirrResult = { rate: number; method: 'newton' | 'bisection' } | { rate: null; reason: string };

const MAX_NEWTON = 100;
const TOLERANCE = 1e-12;

function npv(rate: number, amounts: ArrayLike<number>, years: Float64Array): number {
  let sum = 0;
  const base = 1 + rate;
  for (let i = 0; i < years.length; i++) sum += (amounts[i] as number) / base ** (years[i] as number);
  return sum;
}

/** NPV and its derivative in one pass (one power per flow). */
function npvAndSlope(rate: number, amounts: ArrayLike<number>, years: Float64Array): [number, number] {
  let f = 0;
  let df = 0;
  const base = 1 + rate;
  for (let i = 0; i < years.length; i++) {
    const t = years[i] as number;
    const v = (amounts[i] as number) / base ** t;
    f += v;
    df -= (t * v) / base;
  }
  return [f, df];
}

/** `days` are day numbers (any order), `amounts` signed: negative paid in, positive received. */
export function xirr(days: ArrayLike<number>, amounts: ArrayLike<number>, guess = 0.1): XirrResult {
  const n = days.length;
  if (n < 2) return { rate: null, reason: 'needs at least two cash flows' };
  let hasPositive = false;
  let hasNegative = false;
  let first = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const a = amounts[i] as number;
    if (!Number.isFinite(a)) return { rate: null, reason: 'a cash flow is unknown' };
    if (a > 0) hasPositive = true;
    if (a < 0) hasNegative = true;
    if ((days[i] as number) < first) first = days[i] as number;
  }
  if (!hasPositive || !hasNegative) {
    return { rate: null, reason: 'needs at least one positive and one negative cash flow' };
  }
  const years = new Float64Array(n);
  for (let i = 0; i < n; i++) years[i] = ((days[i] as number) - first) / 365;

  let rate = guess;
  for (let iter = 0; iter < MAX_NEWTON; iter++) {
    const [f, df] = npvAndSlope(rate, amounts, years);
    if (!Number.isFinite(f) || !Number.isFinite(df) || df === 0) break;
    const next = rate - f / df;
    if (!(next > -1) || !Number.isFinite(next)) break;
    if (Math.abs(next - rate) <= TOLERANCE * Math.max(1, Math.abs(next))) {
      return { rate: next, method: 'newton' };
    }
    rate = next;
  }
  return bisect(amounts, years);
}

function bisect(amounts: ArrayLike<number>, years: Float64Array): XirrResult {
  // Scan outwards for a sign change: rates just above -100 % up to 1,000,000 % a year.
  const grid: number[] = [-0.999999, -0.99, -0.9, -0.75, -0.5, -0.25, -0.1, 0, 0.1, 0.25, 0.5, 1];
  for (let r = 2; r <= 1e4; r *= 2) grid.push(r);
  let lo = Number.NaN;
  let hi = Number.NaN;
  let flo = Number.NaN;
  for (let i = 0; i + 1 < grid.length; i++) {
    const a = grid[i] as number;
    const b = grid[i + 1] as number;
    const fa = npv(a, amounts, years);
    const fb = npv(b, amounts, years);
    if (Number.isFinite(fa) && Number.isFinite(fb) && Math.sign(fa) !== Math.sign(fb)) {
      lo = a;
      hi = b;
      flo = fa;
      break;
    }
  }
  if (Number.isNaN(lo))
    return { rate: null, reason: 'no rate between -100% and 1,000,000% solves the cash flows' };
  for (let iter = 0; iter < 200; iter++) {
    const mid = (lo + hi) / 2;
    const fm = npv(mid, amounts, years);
    if (fm === 0 || (hi - lo) / 2 < TOLERANCE) return { rate: mid, method: 'bisection' };
    if (Math.sign(fm) === Math.sign(flo)) {
      lo = mid;
      flo = fm;
    } else hi = mid;
  }
  return { rate: (lo + hi) / 2, method: 'bisection' };
}
