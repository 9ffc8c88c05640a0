/**
 * The engine against published worked examples. Each expected number names its source.
 */
import { dayToIso, isoToDay } from '@fo/schema/calendar';
import { describe, expect, it } from 'vitest';
import {
  analyzeMarket,
  analyzeRanges,
  analyzeScope,
  annualizedVolatility,
  concentration,
  correlation,
  jensensAlpha,
  maxDrawdown,
  prepareModel,
  sampleStdev,
  slope,
  xirr,
} from '../../src/services/analytics/engine/index.js';
import { buildModel, wholeBook } from './engine-builder.js';

const days = (...iso: string[]) => iso.map(isoToDay);

describe('XIRR (Excel convention, actual/365)', () => {
  it("reproduces Microsoft's documented XIRR example", () => {
    // Source: Microsoft Support, "XIRR function", example: =XIRR(A3:A7, B3:B7) → 0.373362535 (37.34 %).
    // Excel iterates "until the result is accurate within 0.000001 percent" (same page); the exact
    // root is 0.3733625335…, so the documented figure is matched to Excel's stated accuracy.
    const result = xirr(
      days('2008-01-01', '2008-03-01', '2008-10-30', '2009-02-15', '2009-04-01'),
      [-10_000, 2_750, 4_250, 3_250, 2_750],
    );
    expect(result.rate).not.toBeNull();
    expect(result.rate as number).toBeCloseTo(0.373362535, 8);
    expect((result.rate as number).toFixed(4)).toBe('0.3734');
  });

  it('gives the money-weighted return of the CFA Institute two-share example', () => {
    // Source: CFA Institute, Level I curriculum, "Discounted Cash Flow Applications", money-weighted
    // rate of return example: buy one share at 100 (t=0); at t=1 receive a 2 dividend and buy a
    // second share at 120 (net +118 invested); at t=2 receive 4 in dividends and sell both at 130
    // (264). Money-weighted return 13.86 %. Dates are 365 days apart so Excel's years are exact.
    const result = xirr(days('2021-01-04', '2022-01-04', '2023-01-04'), [-100, -118, 264]);
    expect(result.rate as number).toBeCloseTo(0.1386, 4);
  });

  it('falls back to bisection when Newton cannot start, and explains impossible inputs', () => {
    // A 40 % loss in 30 days is −99.8 % a year: Newton from Excel's 10 % guess leaves the domain.
    const steep = xirr(days('2020-01-01', '2020-01-31'), [-1000, 600]);
    expect(steep).toMatchObject({ method: 'bisection' });
    const rate = steep.rate as number;
    expect(Math.abs(-1000 + 600 / (1 + rate) ** (30 / 365))).toBeLessThan(1e-6);
    expect(xirr(days('2020-01-01', '2021-01-01'), [100, 50])).toEqual({
      rate: null,
      reason: 'needs at least one positive and one negative cash flow',
    });
    expect(xirr(days('2020-01-01'), [-100]).rate).toBeNull();
  });
});

describe('statistics (Excel definitions)', () => {
  it("computes beta as Excel's SLOPE", () => {
    // Source: Microsoft Support, "SLOPE function", example: known_y's {2,3,9,1,8,7,5},
    // known_x's {6,5,11,7,5,4,4} → 0.305555556.
    expect(slope([2, 3, 9, 1, 8, 7, 5], [6, 5, 11, 7, 5, 4, 4]) as number).toBeCloseTo(0.305555556, 9);
  });

  it("computes correlation as Excel's CORREL", () => {
    // Source: Microsoft Support, "CORREL function", example: Data1 {3,2,4,5,6}, Data2 {9,7,12,15,17}
    // → 0.997054486.
    expect(correlation([3, 2, 4, 5, 6], [9, 7, 12, 15, 17]) as number).toBeCloseTo(0.997054486, 9);
  });

  it("computes the sample standard deviation as Excel's STDEV.S", () => {
    // Source: Microsoft Support, "STDEV.S function", example: breaking strength of ten tools
    // {1345,1301,1368,1322,1310,1370,1318,1350,1303,1299} → 27.46391572.
    const x = [1345, 1301, 1368, 1322, 1310, 1370, 1318, 1350, 1303, 1299];
    expect(sampleStdev(x) as number).toBeCloseTo(27.46391572, 8);
    expect(annualizedVolatility(x) as number).toBeCloseTo(27.46391572 * Math.sqrt(252), 6);
  });

  it('returns null rather than a number for undefined statistics', () => {
    expect(slope([1, 2, 3], [5, 5, 5])).toBeNull();
    expect(correlation([1], [2])).toBeNull();
    expect(sampleStdev([0.01])).toBeNull();
  });
});

describe("Jensen's alpha", () => {
  it('matches the Investopedia example', () => {
    // Source: Investopedia, "Jensen's Measure (Alpha)": fund return 15 %, index 12 %, beta 1.2,
    // risk-free 3 % → alpha = 15 % − (3 % + 1.2 × (12 % − 3 %)) = 1.2 %.
    expect(jensensAlpha(0.15, 0.03, 1.2, 0.12)).toBeCloseTo(0.012, 12);
  });

  it('matches the CFA Institute Miranda Fund practice problem', () => {
    // Source: CFA Institute, Level I, "Portfolio Risk and Return: Part II", practice problem:
    // Miranda Fund return 10.2 %, beta 1.10, market −22.5 %, risk-free 2 % → alpha 0.3515.
    expect(jensensAlpha(0.102, 0.02, 1.1, -0.225)).toBeCloseTo(0.3515, 10);
  });
});

describe('maximum drawdown (hand-checked series)', () => {
  it('finds the deepest fall, its peak, trough and recovery', () => {
    // 100 → 110 → 99 is a 10 % fall from the peak at index 1; 111 at index 4 recovers it.
    expect(maxDrawdown([100, 110, 99, 105, 111])).toEqual({
      depth: expect.closeTo(-0.1, 12),
      peak: 1,
      trough: 2,
      recovery: 4,
    });
    // Two falls: 120 → 90 (−25 %) and 130 → 80 (−38.46 %); the second is deeper and unrecovered.
    const dd = maxDrawdown([100, 120, 90, 95, 130, 80, 100]);
    expect(dd?.depth).toBeCloseTo(80 / 130 - 1, 12);
    expect(dd).toMatchObject({ peak: 4, trough: 5, recovery: null });
    // A rising series has no drawdown.
    expect(maxDrawdown([1, 2, 3])).toEqual({ depth: 0, peak: 0, trough: 0, recovery: null });
  });
});

describe('concentration', () => {
  it('computes the Herfindahl index of the U.S. DOJ example', () => {
    // Source: U.S. Department of Justice, "Herfindahl-Hirschman Index": shares of 30, 30, 20 and
    // 20 percent give an HHI of 2,600 (on the 0–10,000 scale; 0.26 as fractions).
    const c = concentration([30, 30, 20, 20]);
    expect(c.herfindahl as number).toBeCloseTo(0.26, 12);
    expect(c.top10Weight as number).toBeCloseTo(1, 12);
    expect(c.count).toBe(4);
  });

  it('weights only the ten largest holdings in top-10', () => {
    const c = concentration([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 5, 5, 0, -3]);
    expect(c.top10Weight as number).toBeCloseTo(100 / 110, 12);
    expect(c.count).toBe(12);
  });
});

describe('time-weighted return through the whole engine', () => {
  it('reproduces the CFA Institute time-weighted example with external flows', () => {
    // Source: CFA Institute, Level I curriculum, "Discounted Cash Flow Applications", time-weighted
    // rate of return example (the same two-share investment as the XIRR test above): holding period
    // returns 22 % in year 1 and 10 % in year 2; time-weighted return √(1.22 × 1.10) − 1 = 15.84 %.
    // The investor's flows at t=1 (withdraws the 2 dividend, adds 120) happen after the t=1
    // valuation, so they are dated the next day, at the start of which flows apply.
    const model = buildModel({
      end: '2023-01-04',
      symbols: {
        S: {
          prices: [
            ['2021-01-04', 100],
            ['2022-01-04', 120],
            ['2022-01-05', 120],
            ['2023-01-04', 130],
          ],
        },
      },
      events: [
        { date: '2021-01-04', flow: 100, cash: 100 },
        { date: '2021-01-04', symbol: 'S', quantity: 1, cash: -100 },
        { date: '2022-01-04', symbol: 'S', cash: 2 },
        { date: '2022-01-05', flow: -2, cash: -2 },
        { date: '2022-01-05', flow: 120, cash: 120 },
        { date: '2022-01-05', symbol: 'S', quantity: 1, cash: -120 },
        { date: '2023-01-04', symbol: 'S', cash: 4 },
      ],
    });
    const m = prepareModel(model);
    const scope = analyzeScope(m, wholeBook(model));
    const [range] = analyzeRanges(
      m,
      scope,
      analyzeMarket(m),
      [{ key: 'custom', from: isoToDay('2021-01-04'), to: isoToDay('2023-01-04') }],
      {
        performance: true,
        risk: false,
      },
    );
    const perf = range?.performance;
    expect(range?.calendarDays).toBe(730);
    expect(perf?.twr as number).toBeCloseTo(1.22 * 1.1 - 1, 12);
    expect(perf?.twrAnnualized as number).toBeCloseTo(0.1584, 4);
    expect(perf?.startValue).toBe(100);
    expect(perf?.endValue).toBe(264);
    expect(perf?.netFlows).toBe(118);
    // Profit in money: 264 − 100 − 118 = 46.
    expect(perf?.profit).toBe(46);
    expect(dayToIso(m.days[range?.range.a ?? 0] as number)).toBe('2021-01-04');
  });
});
