/**
 * Engine behaviour on hand-built books: calendar, forward fill and gaps, FX, scopes, ranges.
 */
import { dayToIso, isoToDay } from '@fo/schema/calendar';
import { describe, expect, it } from 'vitest';
import {
  analyzeMarket,
  analyzeRanges,
  analyzeScope,
  buildCalendar,
  fillOnCalendar,
  prepareModel,
  resolveRange,
  Step,
  snapshotAt,
  valueScope,
} from '../../src/services/analytics/engine/index.js';
import { buildModel, wholeBook } from './engine-builder.js';

const iso = (days: ArrayLike<number>) => Array.from(days, (d) => dayToIso(d));

describe('calendar', () => {
  it('keeps weekdays with observations, and every weekday outside the observed span', () => {
    // 2024-01-01 is a Monday holiday here (no observation); 2024-01-06/07 a weekend.
    const observed = new Set(
      ['2023-12-29', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08'].map((d) =>
        isoToDay(d),
      ),
    );
    const days = buildCalendar(isoToDay('2023-12-27'), isoToDay('2024-01-10'), (d) => observed.has(d), {
      first: isoToDay('2023-12-29'),
      last: isoToDay('2024-01-08'),
    });
    expect(iso(days)).toEqual([
      '2023-12-27', // base day
      '2023-12-28',
      '2023-12-29',
      // 2024-01-01: inside the observed span without an observation: a market holiday.
      '2024-01-02',
      '2024-01-03',
      '2024-01-04',
      '2024-01-05',
      '2024-01-08',
      '2024-01-09', // after the span: every weekday
      '2024-01-10', // the end day
    ]);
  });

  it('forward-fills up to the gap limit and leaves longer gaps unknown', () => {
    const days = Int32Array.from(
      ['2024-01-02', '2024-01-05', '2024-01-08', '2024-01-09', '2024-01-12'].map(isoToDay),
    );
    const filled = fillOnCalendar(days, Int32Array.from([isoToDay('2024-01-02')]), Float64Array.of(10), 6);
    // Valid through 2024-01-08 (6 days after), unknown from 2024-01-09.
    expect(Array.from(filled)).toEqual([10, 10, 10, Number.NaN, Number.NaN]);
  });
});

describe('valuation', () => {
  const prices: [string, number][] = [
    ['2024-01-02', 100],
    ['2024-01-03', 110],
    ['2024-01-04', 99],
    ['2024-01-05', 99],
    // No prices 2024-01-08 … 2024-01-16: an 11-day gap.
    ['2024-01-17', 120],
    ['2024-01-18', 126],
  ];

  it('reports a price gap longer than the limit and links the return across it', () => {
    const model = buildModel({
      end: '2024-01-18',
      symbols: { S: { prices }, B: { prices: prices.map(([d]) => [d, 1]) } },
      events: [
        { date: '2024-01-02', flow: 1000, cash: 1000 },
        { date: '2024-01-02', symbol: 'S', quantity: 10, cash: -1000 },
      ],
      maxGapDays: 5,
    });
    const m = prepareModel(model);
    const scope = analyzeScope(m, wholeBook(model));
    // Inside the observed span only weekdays with an observation are market days: with no other
    // series trading, the gap is a market closure and the return across it one step.
    expect(iso(m.days)).toEqual([
      '2024-01-01',
      '2024-01-02',
      '2024-01-03',
      '2024-01-04',
      '2024-01-05',
      '2024-01-17',
      '2024-01-18',
    ]);
    const i17 = m.days.indexOf(isoToDay('2024-01-17'));
    // 2024-01-17 is 12 days after the last price: not filled, but it has its own observation.
    expect(scope.series.value[i17]).toBe(1200);
    expect(scope.returns.step[i17]).toBe(Step.Observed);
  });

  it('marks days it cannot value as missing and never counts them as zero', () => {
    const model = buildModel({
      end: '2024-01-18',
      // B trades every weekday, so the calendar has the days S lacks.
      symbols: {
        S: { prices },
        B: {
          prices: ['02', '03', '04', '05', '08', '09', '10', '11', '12', '15', '16', '17', '18'].map((d) => [
            `2024-01-${d}`,
            1,
          ]),
        },
      },
      events: [
        { date: '2024-01-02', flow: 1000, cash: 1000 },
        { date: '2024-01-02', symbol: 'S', quantity: 10, cash: -1000 },
      ],
      maxGapDays: 5,
    });
    const m = prepareModel(model);
    const scope = analyzeScope(m, wholeBook(model));
    const at = (d: string) => m.days.indexOf(isoToDay(d));
    // Friday's price serves through Wednesday 2024-01-10 (5 days), then nothing until the 17th.
    expect(scope.series.value[at('2024-01-10')]).toBe(990);
    expect(scope.series.value[at('2024-01-11')]).toBeNaN();
    expect(scope.returns.step[at('2024-01-11')]).toBe(Step.Missing);
    expect(scope.returns.step[at('2024-01-17')]).toBe(Step.Linked);
    expect(scope.series.missing).toEqual([
      { kind: 'price', key: 0, from: at('2024-01-11'), to: at('2024-01-16') },
    ]);
    const [itd] = analyzeRanges(m, scope, analyzeMarket(m), [{ key: 'ITD' }], {
      performance: true,
      risk: true,
    });
    // The TWR still spans the gap (990 → 1200 is a real return between two known prices).
    expect(itd?.performance?.twr as number).toBeCloseTo(0.26, 12);
    expect(itd?.missing).toHaveLength(1);
    // Statistics use only one-day returns: 01-03, 01-04, 01-05, 01-08, 01-09, 01-10 and 01-18.
    expect(itd?.risk?.observations).toBe(7);
  });

  it('converts positions and cash to the base currency and reports a missing rate', () => {
    const model = buildModel({
      end: '2024-01-05',
      accounts: [{ currency: 'EUR' }],
      symbols: {
        SAP: {
          currency: 'EUR',
          prices: [
            ['2024-01-02', 100],
            ['2024-01-03', 100],
            ['2024-01-04', 100],
            ['2024-01-05', 100],
          ],
        },
      },
      fx: {
        EUR: [
          ['2024-01-02', 1.1],
          ['2024-01-03', 1.2],
        ],
      },
      maxGapDays: 1,
      events: [
        { date: '2024-01-02', flow: 1000, cash: 1000 },
        { date: '2024-01-02', symbol: 'SAP', quantity: 5, cash: -500 },
      ],
    });
    const m = prepareModel(model);
    const series = valueScope(m, wholeBook(model));
    // 500 EUR cash + 5 × 100 EUR, at 1.1 then 1.2 USD per EUR; the rate lapses after 2024-01-04.
    expect(Array.from(series.value)).toEqual([0, 1100, 1200, 1200, Number.NaN]);
    expect(series.flow[1]).toBeCloseTo(1100, 9);
    expect(series.missing.map((r) => ({ ...r, currency: m.input.market.currencies[r.key] }))).toEqual([
      { kind: 'fx', key: 1, currency: 'EUR', from: 4, to: 4 },
    ]);
  });

  it('applies weekend flows at the start of the next market day', () => {
    const model = buildModel({
      end: '2024-01-09',
      symbols: {
        S: {
          prices: [
            ['2024-01-05', 10],
            ['2024-01-08', 11],
            ['2024-01-09', 11],
          ],
        },
      },
      events: [
        { date: '2024-01-05', flow: 100, cash: 100 },
        { date: '2024-01-05', symbol: 'S', quantity: 10, cash: -100 },
        // Saturday deposit, invested at Monday's close.
        { date: '2024-01-06', flow: 110, cash: 110 },
        { date: '2024-01-08', symbol: 'S', quantity: 10, cash: -110 },
      ],
    });
    const m = prepareModel(model);
    const scope = analyzeScope(m, wholeBook(model));
    const mon = m.days.indexOf(isoToDay('2024-01-08'));
    expect(scope.series.flow[mon]).toBe(110);
    // Monday: (10 × 11 + 20 × 11 − 220 + 110 + ...) = 220 on capital 100 + 110.
    expect(scope.returns.r[mon]).toBeCloseTo(220 / 210 - 1, 12);
    // XIRR keeps the flow's actual date.
    expect(iso(scope.series.flowDays)).toEqual(['2024-01-05', '2024-01-06']);
  });

  it('values a holding on its own: buys are inflows, sales and dividends outflows', () => {
    const model = buildModel({
      end: '2024-01-05',
      symbols: {
        S: {
          prices: [
            ['2024-01-02', 10],
            ['2024-01-03', 12],
            ['2024-01-04', 12],
            ['2024-01-05', 15],
          ],
        },
      },
      events: [
        { date: '2024-01-02', flow: 1000, cash: 1000 },
        { date: '2024-01-02', symbol: 'S', quantity: 10, cash: -100 },
        { date: '2024-01-04', symbol: 'S', cash: 6 }, // dividend
        { date: '2024-01-04', symbol: 'S', quantity: -5, cash: 60 }, // sell half at 12
      ],
    });
    const m = prepareModel(model);
    const holding = analyzeScope(m, { kind: 'holding', position: 0 });
    expect(Array.from(holding.series.value)).toEqual([0, 100, 120, 60, 75]);
    expect(Array.from(holding.series.flow)).toEqual([0, 100, 0, -66, 0]);
    const [itd] = analyzeRanges(m, holding, analyzeMarket(m), [{ key: 'ITD' }], {
      performance: true,
      risk: false,
    });
    // Day returns 0, +20 %, 60 / (120 − 66) − 1, +25 %.
    expect(itd?.performance?.twr as number).toBeCloseTo(1.2 * (60 / 54) * 1.25 - 1, 12);
    // Profit: 75 − 0 − (100 − 66) = 41 (sold 60 + dividend 6 + still worth 75, paid 100).
    expect(itd?.performance?.profit as number).toBeCloseTo(41, 9);
  });

  it('scales quantities on a split', () => {
    const model = buildModel({
      end: '2024-01-03',
      symbols: {
        S: {
          prices: [
            ['2024-01-02', 100],
            ['2024-01-03', 10.5],
          ],
        },
      },
      events: [
        { date: '2024-01-02', symbol: 'S', kind: 'transfer', quantity: 3 },
        { date: '2024-01-03', symbol: 'S', kind: 'split', quantity: 10 },
      ],
    });
    const m = prepareModel(model);
    const scope = analyzeScope(m, wholeBook(model));
    expect(Array.from(scope.series.value)).toEqual([0, 300, 315]);
    expect(snapshotAt(m, 2).quantity[0]).toBe(30);
    expect(scope.returns.r[2]).toBeCloseTo(0.05, 12);
  });
});

describe('ranges', () => {
  const model = buildModel({
    end: '2024-06-28',
    events: [{ date: '2024-01-15', flow: 100, cash: 100 }],
  });
  const m = prepareModel(model);
  const scope = analyzeScope(m, wholeBook(model));

  it('resolves standard ranges to market days and refuses those longer than the history', () => {
    const r1m = resolveRange(m.days, scope.inception, model.endDay, { key: '1M' });
    expect(r1m.status).toBe('ok');
    expect(dayToIso(m.days[r1m.a] as number)).toBe('2024-05-28');
    const ytd = resolveRange(m.days, scope.inception, model.endDay, { key: 'YTD' });
    expect(ytd.status).toBe('insufficient_history');
    const itd = resolveRange(m.days, scope.inception, model.endDay, { key: 'ITD' });
    expect(dayToIso(m.days[itd.a] as number)).toBe('2024-01-14');
    expect(itd.status).toBe('ok');
  });

  it('returns no figures for a range it cannot measure, and says why', () => {
    const [r1y] = analyzeRanges(m, scope, analyzeMarket(m), [{ key: '1Y' }], {
      performance: true,
      risk: true,
    });
    expect(r1y).toMatchObject({ performance: null, risk: null, range: { status: 'insufficient_history' } });
  });

  it('reports volatility and ratios as unavailable for a cash-only book', () => {
    const [itd] = analyzeRanges(m, scope, analyzeMarket(m), [{ key: 'ITD' }], {
      performance: true,
      risk: true,
    });
    expect(itd?.performance?.twr).toBe(0);
    expect(itd?.risk?.beta).toBeNull();
    expect(itd?.unavailable['beta']).toBe('no benchmark prices');
    expect(itd?.risk?.sharpe).toBeNull();
    expect(itd?.unavailable['sharpe']).toBe('returns have no variance');
  });
});
