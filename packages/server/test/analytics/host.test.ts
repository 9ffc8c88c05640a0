/**
 * The host runs the same computation on the main thread and in a worker thread, and memoizes.
 */

import { dayToIso, isoToDay, isWeekday } from '@fo/schema/calendar';
import { describe, expect, it } from 'vitest';
import type { RawBook } from '../../src/services/analytics/engine/raw.js';
import type { SessionRequest } from '../../src/services/analytics/engine/session.js';
import { createAnalyticsHost } from '../../src/services/analytics/host.js';

/** A deterministic synthetic book: 3 symbols, two accounts, ~2 years of weekday prices. */
function syntheticBook(): RawBook {
  let seed = 42;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const start = isoToDay('2022-01-03');
  const end = isoToDay('2023-12-29');
  const days: number[] = [];
  for (let d = start; d <= end; d++) if (isWeekday(d)) days.push(d);
  const symbols = ['AAA', 'BBB', 'SPY'];
  const prices = symbols.map((symbol) => {
    let p = 100;
    const points = days.map((d) => {
      p *= 1 + (rand() - 0.5) * 0.04;
      return `${d}:${p.toFixed(4)}`;
    });
    return { symbol, currency: symbol === 'BBB' ? 'EUR' : 'USD', points: points.join(',') };
  });
  const rows: string[] = [];
  // day,account,symbol,kind,quantity,cash,flow
  rows.push(`${days[0]},0,,0,0,100000,100000`);
  rows.push(`${days[0]},1,,0,0,50000,50000`);
  for (let i = 5; i < days.length; i += 7) rows.push(`${days[i]},${i % 2},${symbols[i % 2]},0,10,-1000,0`);
  return {
    marketKey: '',
    endDay: end,
    baseCurrency: 'USD',
    accountCurrencies: ['USD', 'EUR'],
    events: { count: rows.length, rows: rows.join('\n') },
    prices,
    fx: [
      {
        base: 'EUR',
        quote: 'USD',
        points: days.map((d, i) => `${d}:${(1.1 + i / 10_000).toFixed(6)}`).join(','),
      },
    ],
    extras: [],
    benchmarkSymbol: 'SPY',
    riskFreeRate: 0.03,
    riskFreeSymbol: null,
    maxGapDays: 5,
  };
}

const requests: SessionRequest[] = [
  {
    scope: { kind: 'book', accounts: [0, 1] },
    endDay: isoToDay('2023-12-29'),
    ranges: [{ key: '1M' }, { key: '1Y' }, { key: 'YTD' }, { key: 'ITD' }],
    figures: { performance: true, risk: true },
    series: { range: { key: 'ITD' }, interval: 'month', netWorth: true },
    snapshot: true,
    holdingMetrics: true,
  },
  {
    scope: { kind: 'holding', account: 1, symbol: 'BBB' },
    endDay: isoToDay('2023-06-30'),
    ranges: [{ key: '6M' }],
    figures: { performance: true, risk: true },
  },
];

describe('analytics host', () => {
  it('gives identical results on the main thread and in a worker thread', async () => {
    const raw = syntheticBook();
    const inline = createAnalyticsHost({ workers: 0, cacheUsers: 4, inlineMaxWork: 0 });
    const threaded = createAnalyticsHost({ workers: 1, cacheUsers: 4, inlineMaxWork: 0 });
    try {
      const a = await inline.run({ key: 'k1', load: async () => raw, requests });
      const b = await threaded.run({ key: 'k1', load: async () => raw, requests });
      expect(b).toEqual(a);
      const itd = a[0]?.result.ranges.find((r) => r.key === 'ITD');
      expect(itd?.status).toBe('ok');
      expect(itd?.risk?.beta).not.toBeNull();
      expect(a[0]?.result.series?.days.length).toBe(25);
      expect(dayToIso(a[0]?.result.series?.days[0] as number)).toBe('2022-01-02');
      expect(a[0]?.result.holdingMetrics).toHaveLength(2);
    } finally {
      await threaded.close();
    }
  });

  it('loads a book once per key, memoizes results and shares concurrent work', async () => {
    const raw = syntheticBook();
    let loads = 0;
    const host = createAnalyticsHost({ workers: 1, cacheUsers: 4, inlineMaxWork: 0 });
    try {
      const job = {
        key: 'k2',
        load: async () => {
          loads++;
          return raw;
        },
        requests,
      };
      const [x, y] = await Promise.all([host.run(job), host.run(job)]);
      expect(x[0]).toBe(y[0]);
      expect(x[1]).toBe(y[1]);
      expect(loads).toBe(1);
      // A different request on the same key reuses the prepared book in the worker.
      await host.run({ ...job, requests: [{ ...(requests[1] as SessionRequest), ranges: [{ key: '3M' }] }] });
      expect(loads).toBe(1);
      // A new key (new data version) loads again.
      await host.run({ ...job, key: 'k3' });
      expect(loads).toBe(2);
    } finally {
      await host.close();
    }
  });
});
