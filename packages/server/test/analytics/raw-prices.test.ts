/**
 * A book sent to an analytics worker leaves out the price series that worker parsed before under
 * the same market key; the worker must notice when it no longer has one (and ask for the whole
 * book) instead of computing without prices.
 */
import { describe, expect, it } from 'vitest';
import { hasParsedPrices, parseRawBook, type RawBook } from '../../src/services/analytics/engine/raw.js';

function book(marketKey: string, prices: RawBook['prices']): RawBook {
  return {
    marketKey,
    endDay: 20_000,
    baseCurrency: 'USD',
    accountCurrencies: ['USD'],
    events: { count: 0, rows: '' },
    prices,
    fx: [],
    extras: [],
    benchmarkSymbol: null,
    riskFreeRate: 0,
    riskFreeSymbol: null,
    maxGapDays: 5,
  };
}

describe('price series left out of a book', () => {
  it('are used from this thread’s parsed series under the same market key, and refused otherwise', () => {
    const full = book('market-1', [{ symbol: 'AAA', currency: 'USD', points: '19998:10,19999:11' }]);
    const lean = book('market-1', [{ symbol: 'AAA', currency: 'USD', points: '', omitted: true }]);
    const unseen = book('market-1', [{ symbol: 'BBB', currency: 'USD', points: '', omitted: true }]);
    const otherMarket = book('market-2', [{ symbol: 'AAA', currency: 'USD', points: '', omitted: true }]);

    expect(hasParsedPrices(lean)).toBe(false);
    expect(() => parseRawBook(lean)).toThrow(/left out of the book/);

    parseRawBook(full);
    expect(hasParsedPrices(lean)).toBe(true);
    expect(hasParsedPrices(full)).toBe(true);
    expect(hasParsedPrices(unseen)).toBe(false);
    expect(hasParsedPrices(otherMarket)).toBe(false);
    expect(parseRawBook(lean).input).toEqual(parseRawBook(full).input);
  });
});
