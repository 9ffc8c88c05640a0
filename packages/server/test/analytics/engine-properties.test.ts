/**
 * Properties of the engine over random inputs (fast-check).
 */
import { dayToIso, isoToDay, isWeekday } from '@fo/schema/calendar';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  analyzeMarket,
  analyzeRanges,
  analyzeScope,
  dailyReturns,
  prepareModel,
  Step,
  xirr,
} from '../../src/services/analytics/engine/index.js';
import { buildModel, type EventSpec, wholeBook } from './engine-builder.js';

/** `count` consecutive weekdays from 2020-01-06 (a Monday). */
function weekdays(count: number): string[] {
  const out: string[] = [];
  for (let d = isoToDay('2020-01-06'); out.length < count; d++) if (isWeekday(d)) out.push(dayToIso(d));
  return out;
}

/** Prices from daily moves; a move of exactly 0 leaves the price unchanged. */
function pricePath(moves: number[]): number[] {
  const out = [100];
  for (const m of moves) out.push((out[out.length - 1] as number) * (1 + m));
  return out;
}

const move = fc.oneof(
  fc.constant(0),
  fc.integer({ min: -800, max: 800 }).map((bp) => bp / 10_000),
);

describe('time-weighted return properties', () => {
  it('is unaffected by the size of external flows on days without price change', () => {
    fc.assert(
      fc.property(
        fc.array(move, { minLength: 5, maxLength: 60 }),
        fc.array(fc.tuple(fc.nat(), fc.double({ min: 1, max: 1e7, noNaN: true })), { maxLength: 6 }),
        fc.double({ min: 10, max: 1e6, noNaN: true }),
        (moves, flowSpecs, initial) => {
          const dates = weekdays(moves.length + 1);
          const prices = pricePath(moves);
          const quiet = moves.map((m, i) => (m === 0 ? i + 1 : -1)).filter((i) => i > 0);
          const events: EventSpec[] = [
            { date: dates[0] as string, flow: initial, cash: initial },
            {
              date: dates[0] as string,
              symbol: 'S',
              quantity: initial / (prices[0] as number),
              cash: -initial,
            },
          ];
          // Each flow lands on a day whose price did not move and is invested in S at that price.
          if (quiet.length) {
            for (const [pick, size] of flowSpecs) {
              const i = quiet[pick % quiet.length] as number;
              const date = dates[i] as string;
              events.push({ date, flow: size, cash: size });
              events.push({ date, symbol: 'S', quantity: size / (prices[i] as number), cash: -size });
            }
          }
          const model = buildModel({
            end: dates[dates.length - 1] as string,
            symbols: { S: { prices: dates.map((d, i) => [d, prices[i] as number]) } },
            events,
          });
          const m = prepareModel(model);
          const scope = analyzeScope(m, wholeBook(model));
          const [itd] = analyzeRanges(m, scope, analyzeMarket(m), [{ key: 'ITD' }], {
            performance: true,
            risk: false,
          });
          const priceReturn = (prices[prices.length - 1] as number) / (prices[0] as number) - 1;
          expect(itd?.performance?.twr as number).toBeCloseTo(priceReturn, 9);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives a zero return on a day without price change, whatever the flow', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        fc.double({ min: -1e6 + 1, max: 1e9, noNaN: true }),
        (before, flow) => {
          // Value before 'before'; a flow arrives; nothing moves: the value is before + flow.
          const series = dailyReturns(
            Float64Array.of(0, before, before + flow),
            Float64Array.of(0, before, flow),
          );
          if (before + flow > 1e-6) {
            expect(series.step[2]).toBe(Step.Observed);
            expect(series.r[2]).toBeCloseTo(0, 12);
          }
        },
      ),
    );
  });
});

describe('benchmark properties', () => {
  it('a portfolio holding only the benchmark has beta 1, alpha 0 and correlation 1', () => {
    fc.assert(
      fc.property(
        // Daily moves in basis points: −5 % … +5 %.
        fc.array(
          fc.integer({ min: -500, max: 500 }).map((bp) => bp / 10_000),
          { minLength: 10, maxLength: 120 },
        ),
        fc.double({ min: 0.01, max: 5000, noNaN: true }),
        fc.double({ min: 0, max: 0.08, noNaN: true }),
        (moves, shares, rf) => {
          fc.pre(new Set(moves).size > 2);
          const dates = weekdays(moves.length + 1);
          const prices = pricePath(moves);
          const model = buildModel({
            end: dates[dates.length - 1] as string,
            symbols: { BENCH: { prices: dates.map((d, i) => [d, prices[i] as number]) } },
            // Shares transferred in: an external flow at market value, no cash left over.
            events: [{ date: dates[0] as string, symbol: 'BENCH', kind: 'transfer', quantity: shares }],
            benchmark: 'BENCH',
            riskFree: { annualRate: rf },
          });
          const m = prepareModel(model);
          const scope = analyzeScope(m, wholeBook(model));
          const [itd] = analyzeRanges(m, scope, analyzeMarket(m), [{ key: 'ITD' }], {
            performance: true,
            risk: true,
          });
          const risk = itd?.risk;
          expect(risk?.beta as number).toBeCloseTo(1, 9);
          expect(risk?.alpha as number).toBeCloseTo(0, 9);
          expect(risk?.correlation as number).toBeCloseTo(1, 9);
          expect(itd?.performance?.twr as number).toBeCloseTo(itd?.performance?.benchmarkReturn as number, 9);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('XIRR properties', () => {
  it('recovers the rate that generated the cash flows', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -0.9, max: 3, noNaN: true }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 3000 }), fc.double({ min: 1, max: 1e6, noNaN: true })), {
          minLength: 1,
          maxLength: 8,
        }),
        (rate, deposits) => {
          // Deposits on day 0 and later days; one final withdrawal that makes the NPV zero at `rate`.
          const end = 3001;
          const dayList = [0, ...deposits.map(([d]) => d)];
          const amounts = [-1000, ...deposits.map(([, a]) => -a)];
          const fv = amounts.reduce(
            (s, a, i) => s - a * (1 + rate) ** ((end - (dayList[i] as number)) / 365),
            0,
          );
          const result = xirr([...dayList, end], [...amounts, fv]);
          expect(result.rate as number).toBeCloseTo(rate, 7);
        },
      ),
      { numRuns: 200 },
    );
  });
});
