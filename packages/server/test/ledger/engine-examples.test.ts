/**
 * The ledger engine against published worked examples. Each expected number names its source.
 */
import { isoToDay } from '@fo/schema/calendar';
import { describe, expect, it } from 'vitest';
import {
  isLongTerm,
  type LedgerEvent,
  type Lot,
  outcomesById,
  type PartitionResult,
  replayPartition,
} from '../../src/services/ledger/engine/index.js';
import { cents, ev, m, policies, q } from '../support/ledger-events.js';

function replay(events: LedgerEvent[], method: Parameters<typeof policies>[0][string]['method'] = 'fifo') {
  return replayPartition({ symbol: 'XYZ', policies: policies({ A: { method } }), events });
}

function position(result: PartitionResult, account = 'A') {
  const p = result.positions.get(account);
  if (!p) throw new Error(`no position for ${account}`);
  return p;
}

function openLots(result: PartitionResult, account = 'A'): Lot[] {
  return result.lots.filter((l) => l.accountId === account && l.qty !== 0n);
}

function sumCostBasis(result: PartitionResult, events: LedgerEvent[], type: 'sell' = 'sell'): bigint {
  return events
    .filter((e) => e.type === type)
    .reduce((sum, e) => sum + (outcomesById(events, result).get(e.id)?.costBasis ?? 0n), 0n);
}

describe('Portfolio Performance CostCalculationTest', () => {
  // Source: portfolio-performance/portfolio, name.abuchen.portfolio.tests/src/name/abuchen/portfolio/
  // snapshot/security/CostCalculationTest.java, testFifoBuySellTransactions2. Amounts are totals
  // with fees included.
  const events = () => [
    ev({ type: 'buy', date: '2010-01-01', quantity: '109', amount: '-3149.20' }),
    ev({ type: 'buy', date: '2010-02-01', quantity: '52', amount: '-1684.92' }),
    ev({ type: 'sell', date: '2010-03-01', quantity: '15', amount: '531.50' }),
  ];

  it('FIFO: remaining cost 4,400.74', () => {
    const result = replay(events(), 'fifo');
    // PP: 3149.20 + 1684.92 − round(3149.20 × 15/109) = 4400.74
    expect(cents(position(result).cost)).toBe('4400.74');
    // At the columns' 8 decimals: 3149.20 × 15/109 = 433.37614679 taken, 4400.74385321 left.
    expect(m(position(result).cost)).toBe('4400.74385321');
    expect(q(position(result).qty)).toBe('146');
  });

  it('moving average: remaining cost 4,383.74', () => {
    const result = replay(events(), 'average');
    // PP: (3149.20 + 1684.92) × 146/161 = 4383.74
    expect(cents(position(result).cost)).toBe('4383.74');
    const lots = openLots(result);
    // The pool is spread over the open lots; their costs add up to it exactly.
    expect(lots.reduce((s, l) => s + l.cost, 0n)).toBe(position(result).cost);
  });

  it('testFifoBuySellTransactions: sell between buys, 5,360.04 by FIFO and by moving average', () => {
    const list = () => [
      ev({ type: 'buy', date: '2010-01-01', quantity: '109', amount: '-3149.20' }),
      ev({ type: 'sell', date: '2010-02-01', quantity: '15', amount: '531.50' }),
      ev({ type: 'buy', date: '2010-03-01', quantity: '52', amount: '-1684.92' }),
      ev({ type: 'buy', date: '2010-03-01', quantity: '32', amount: '-959.30' }),
    ];
    // PP: 3149.20 − round(3149.20 × 15/109) + 1684.92 + 959.30 = 5360.04 (same for moving average,
    // the sale comes after a single buy).
    expect(cents(position(replay(list(), 'fifo')).cost)).toBe('5360.04');
    expect(cents(position(replay(list(), 'average')).cost)).toBe('5360.04');
  });

  it('testThatRoundingDifferencesAreRemovedIfZeroSharesHeld: nothing left after selling everything', () => {
    for (const method of ['fifo', 'average'] as const) {
      const result = replay(
        [
          ev({ type: 'buy', date: '2010-01-01', quantity: '10', amount: '-0.01' }),
          ev({ type: 'sell', date: '2010-02-01', quantity: '3', amount: '0.01' }),
          ev({ type: 'sell', date: '2010-03-01', quantity: '3', amount: '0.01' }),
          ev({ type: 'sell', date: '2010-03-01', quantity: '4', amount: '0.01' }),
        ],
        method,
      );
      // PP expects a cost of 0 for FIFO and moving average.
      expect(position(result).cost).toBe(0n);
      expect(position(result).qty).toBe(0n);
    }
  });
});

describe('textbook FIFO and LIFO (perpetual records)', () => {
  // Source: Kieso, Weygandt & Warfield, Intermediate Accounting, Exercise E8-15 (perpetual), as
  // worked at coursehero.com/file/1651811: beginning inventory 300 @ $10; June 10 sell 200;
  // June 11 buy 800 @ $12; June 15 sell 500; June 20 buy 500 @ $13; June 27 sell 300.
  const kieso = () => [
    ev({ type: 'buy', date: '2024-06-01', quantity: '300', price: '10' }),
    ev({ type: 'sell', date: '2024-06-10', quantity: '200', price: '20' }),
    ev({ type: 'buy', date: '2024-06-11', quantity: '800', price: '12' }),
    ev({ type: 'sell', date: '2024-06-15', quantity: '500', price: '20' }),
    ev({ type: 'buy', date: '2024-06-20', quantity: '500', price: '13' }),
    ev({ type: 'sell', date: '2024-06-27', quantity: '300', price: '20' }),
  ];

  it('Kieso E8-15 FIFO: ending inventory $7,700, cost of goods sold $11,400', () => {
    const events = kieso();
    const result = replay(events, 'fifo');
    expect(m(position(result).cost)).toBe('7700');
    expect(m(sumCostBasis(result, events))).toBe('11400');
    // 100 @ $12 and 500 @ $13 remain.
    expect(openLots(result).map((l) => [q(l.qty), m(l.cost)])).toEqual([
      ['100', '1200'],
      ['500', '6500'],
    ]);
  });

  it('Kieso E8-15 LIFO: ending inventory $7,200, cost of goods sold $11,900', () => {
    const events = kieso();
    const result = replay(events, 'lifo');
    expect(m(position(result).cost)).toBe('7200');
    expect(m(sumCostBasis(result, events))).toBe('11900');
    // 100 @ $10, 300 @ $12 and 200 @ $13 remain.
    expect(openLots(result).map((l) => [q(l.qty), m(l.cost)])).toEqual([
      ['100', '1000'],
      ['300', '3600'],
      ['200', '2600'],
    ]);
  });

  // Source: Horngren et al., "Fit World" perpetual inventory exercise, as worked at
  // homeworksource.com/p/1122729: beginning 90 crates costing $5,850; Jan 2 buy 130 @ $76;
  // Jan 5 sell 140 @ $100; Jan 16 buy 170 @ $86; Jan 27 sell 180 @ $104.
  const fitWorld = () => [
    ev({ type: 'buy', date: '2024-01-01', quantity: '90', amount: '-5850' }),
    ev({ type: 'buy', date: '2024-01-02', quantity: '130', price: '76' }),
    ev({ type: 'sell', date: '2024-01-05', quantity: '140', price: '100' }),
    ev({ type: 'buy', date: '2024-01-16', quantity: '170', price: '86' }),
    ev({ type: 'sell', date: '2024-01-27', quantity: '180', price: '104' }),
  ];

  it('Fit World FIFO: cost of goods sold $24,330, ending inventory $6,020', () => {
    const events = fitWorld();
    const result = replay(events, 'fifo');
    expect(m(sumCostBasis(result, events))).toBe('24330');
    expect(m(position(result).cost)).toBe('6020');
    // Gross profit = sales $32,720 − COGS $24,330 = $8,390: the realized gain.
    const outcomes = outcomesById(events, result);
    const gain = events.reduce((s, e) => s + (outcomes.get(e.id)?.realizedGain ?? 0n), 0n);
    expect(m(gain)).toBe('8390');
  });

  it('Fit World LIFO: cost of goods sold $25,800, ending inventory $4,550', () => {
    const events = fitWorld();
    const result = replay(events, 'lifo');
    expect(m(sumCostBasis(result, events))).toBe('25800');
    expect(m(position(result).cost)).toBe('4550');
  });
});

describe('stock splits', () => {
  it('IRS FAQ: a 2-for-1 split doubles each lot, basis per lot unchanged ($5 and $6 a share)', () => {
    // Source: irs.gov FAQ "Stocks (Options, Splits, Traders)": 100 shares bought at $10 and 100 at
    // $12; after a two-for-one split the first lot is 200 shares with basis $1,000 ($5 a share),
    // the second 200 shares with basis $1,200 ($6 a share).
    const result = replay([
      ev({ type: 'buy', date: '2020-01-02', quantity: '100', price: '10' }),
      ev({ type: 'buy', date: '2020-02-03', quantity: '100', price: '12' }),
      ev({ type: 'split', date: '2020-06-01', split: ['2', '1'] }),
    ]);
    const lots = openLots(result);
    expect(lots.map((l) => [q(l.qty), m(l.cost)])).toEqual([
      ['200', '1000'],
      ['200', '1200'],
    ]);
    expect(lots.map((l) => m((l.cost * 10n ** 10n) / l.qty))).toEqual(['5', '6']);
  });

  it('a 10:1 split followed by a sale: basis per share divided by ten, holding period kept', () => {
    // Rule: irs.gov FAQ above (the old basis is spread over the old and new shares) and
    // Publication 550 (the new shares' holding period includes the old shares').
    // 10 shares bought for $10,000 → 100 shares at $100 basis each; selling 50 at $120 gives
    // proceeds $6,000 − basis $5,000 = gain $1,000, long-term (bought more than a year earlier).
    const events = [
      ev({ type: 'buy', date: '2023-03-01', quantity: '10', price: '1000' }),
      ev({ type: 'split', date: '2024-06-10', split: ['10', '1'] }),
      ev({ type: 'sell', date: '2024-07-01', quantity: '50', price: '120' }),
    ];
    const result = replay(events);
    const sale = result.movements.find((mv) => mv.kind === 'sale');
    expect(
      sale && [q(-sale.qty), m(-sale.cost), m(sale.proceeds ?? 0n), m(sale.gain ?? 0n), sale.term],
    ).toEqual(['50', '5000', '6000', '1000', 'long']);
    expect([q(position(result).qty), m(position(result).cost)]).toEqual(['50', '5000']);
  });

  it('a 1:5 reverse split: a fifth of the shares, same basis', () => {
    const result = replay([
      ev({ type: 'buy', date: '2022-01-03', quantity: '100', price: '2' }),
      ev({ type: 'split', date: '2022-05-02', split: ['1', '5'] }),
    ]);
    expect([q(position(result).qty), m(position(result).cost)]).toEqual(['20', '200']);
  });
});

describe('holding period', () => {
  it('Publication 550: bought February 5, 2022, sold February 5, 2023 is short-term; February 6 is long', () => {
    // Source: IRS Publication 550, "Holding Period" (count from the day after acquisition; the
    // day of disposal counts).
    expect(isLongTerm(isoToDay('2022-02-05'), isoToDay('2023-02-05'))).toBe(false);
    expect(isLongTerm(isoToDay('2022-02-05'), isoToDay('2023-02-06'))).toBe(true);
  });

  it('a 29 February acquisition is long-term from 1 March of the next year', () => {
    // Rev. Rul. 66-7: the year that begins on 29 February ends on 28 February.
    expect(isLongTerm(isoToDay('2024-02-29'), isoToDay('2025-02-28'))).toBe(false);
    expect(isLongTerm(isoToDay('2024-02-29'), isoToDay('2025-03-01'))).toBe(true);
  });

  it('splits a sale across lots into short- and long-term lines', () => {
    const result = replay([
      ev({ type: 'buy', date: '2022-01-10', quantity: '10', price: '50' }),
      ev({ type: 'buy', date: '2023-01-10', quantity: '10', price: '60' }),
      ev({ type: 'sell', date: '2023-06-01', quantity: '15', price: '70' }),
    ]);
    const lines = result.movements.filter((mv) => mv.kind === 'sale');
    expect(lines.map((l) => [q(-l.qty), m(l.gain ?? 0n), l.term])).toEqual([
      ['10', '200', 'long'],
      ['5', '50', 'short'],
    ]);
  });
});
