/**
 * Ledger engine rules: wash sales (IRS Publication 550 and 26 CFR 1.1091), transfers, returns of
 * capital, reinvested dividends, highest-cost and specific identification, short positions and the
 * errors a replay raises.
 */
import { dayToIso, isoToDay } from '@fo/schema/calendar';
import { describe, expect, it } from 'vitest';
import {
  type LedgerEvent,
  LotSelectionError,
  OversellError,
  outcomesById,
  PositionConflictError,
  replayPartition,
} from '../../src/services/ledger/engine/index.js';
import { ev, m, policies, q } from '../support/ledger-events.js';

const TWO = policies({ A: {}, B: {} });

function run(events: LedgerEvent[], pol = policies({ A: {} })) {
  const result = replayPartition({ symbol: 'XYZ', policies: pol, events });
  return { ...result, byId: outcomesById(events, result) };
}

describe('wash sales', () => {
  it('Publication 550 example: the $250 loss is disallowed and the new shares cost $1,050', () => {
    // Source: IRS Publication 550, "Wash Sales", Example 1 (also IRS VITA "Capital Gain or Loss
    // Workout", Case Study 1): 100 shares bought for $1,000, sold for $750, and 100 shares bought
    // within 30 days for $800. The $250 loss is not deductible; basis of the new stock $1,050.
    const events = [
      ev({ type: 'buy', date: '2024-01-02', quantity: '100', amount: '-1000' }),
      ev({ type: 'sell', date: '2024-03-01', quantity: '100', amount: '750' }),
      ev({ id: 'rebuy', type: 'buy', date: '2024-03-20', quantity: '100', amount: '-800' }),
    ];
    const result = run(events);
    const sale = result.movements.find((mv) => mv.kind === 'sale');
    expect(m(sale?.gain ?? 0n)).toBe('-250');
    expect(m(sale?.washDisallowed ?? 0n)).toBe('250');
    const open = result.lots.filter((l) => l.qty > 0n);
    expect(open).toHaveLength(1);
    expect(m((open[0]?.cost ?? 0n) + (open[0]?.adj ?? 0n))).toBe('1050');
    expect(result.matches.map((x) => [q(x.qty), m(x.disallowed), x.txId])).toEqual([['100', '250', 'rebuy']]);
  });

  it('26 CFR 1.1091-2 examples: new basis $110 after buying at $90, $90 after buying at $70', () => {
    // Source: 26 CFR 1.1091-2(a), Examples 1 and 2: a share bought for $100 in 1935, sold on
    // January 15, 1955 for $80; a share bought on February 1, 1955 for $90 (basis $110) or for
    // $70 (basis $90).
    for (const [price, basis] of [
      ['90', '110'],
      ['70', '90'],
    ]) {
      const result = run([
        ev({ type: 'buy', date: '1935-06-03', quantity: '1', price: '100' }),
        ev({ type: 'sell', date: '1955-01-15', quantity: '1', price: '80' }),
        ev({ type: 'buy', date: '1955-02-01', quantity: '1', price }),
      ]);
      const open = result.lots.filter((l) => l.qty > 0n);
      expect(m((open[0]?.cost ?? 0n) + (open[0]?.adj ?? 0n))).toBe(basis);
      // Publication 550: the new stock's holding period includes the old stock's, so the piece's
      // holding period starts ~20 years before its purchase, and a sale next week is long-term.
      expect(dayToIso(open[0]?.holdingStartDay ?? 0)).toBe('1935-06-20');
    }
  });

  it('26 CFR 1.1091-1(c): with fewer shares bought than sold, only the matched shares wash', () => {
    // Rule: 26 CFR 1.1091-1(c) — replacement shares are matched, in the order acquired, with an
    // equal number of the shares sold at a loss; the loss on the rest stays deductible.
    // 100 shares for $5,000; 50 more for $2,750; the first 100 sold for $4,000: loss $1,000, of
    // which the 50 matched shares' $500 is disallowed and added to the 50 shares ($3,250).
    const result = run([
      ev({ type: 'buy', date: '2023-09-25', quantity: '100', amount: '-5000' }),
      ev({ type: 'buy', date: '2023-12-21', quantity: '50', amount: '-2750' }),
      ev({ type: 'sell', date: '2023-12-28', quantity: '100', amount: '4000' }),
    ]);
    const sale = result.movements.find((mv) => mv.kind === 'sale');
    expect([m(sale?.gain ?? 0n), m(sale?.washDisallowed ?? 0n), q(sale?.washMatchedQty ?? 0n)]).toEqual([
      '-1000',
      '500',
      '50',
    ]);
    const open = result.lots.filter((l) => l.qty > 0n);
    expect(open.map((l) => [q(l.qty), m(l.cost + l.adj)])).toEqual([['50', '3250']]);
  });

  it('looks across accounts, and not beyond 30 days', () => {
    const events = [
      ev({ account: 'A', type: 'buy', date: '2024-01-02', quantity: '10', price: '100' }),
      ev({ account: 'A', type: 'sell', date: '2024-02-01', quantity: '10', price: '80' }),
      ev({ account: 'B', type: 'buy', date: '2024-03-02', quantity: '4', price: '85' }), // day 30: washes
      ev({ account: 'B', type: 'buy', date: '2024-03-03', quantity: '4', price: '85' }), // day 31: does not
    ];
    const result = run(events, TWO);
    const sale = result.movements.find((mv) => mv.kind === 'sale');
    expect([m(sale?.washDisallowed ?? 0n), q(sale?.washMatchedQty ?? 0n)]).toEqual(['80', '4']);
    const inB = result.lots.filter((l) => l.accountId === 'B' && l.qty > 0n);
    expect(inB.map((l) => [q(l.qty), m(l.adj)])).toEqual([
      ['4', '80'],
      ['4', '0'],
    ]);
  });

  it('a purchase in the 30 days before the loss sale is a replacement; shares of the sold lot are not', () => {
    const result = run([
      ev({ type: 'buy', date: '2024-01-02', quantity: '10', price: '100' }),
      ev({ type: 'buy', date: '2024-01-20', quantity: '5', price: '90' }),
      // FIFO sells 6 of the first lot: its other 4 shares are not replacements (same purchase);
      // the 5 bought on January 20 replace 5 of the 6.
      ev({ type: 'sell', date: '2024-02-05', quantity: '6', price: '70' }),
    ]);
    const sale = result.movements.find((mv) => mv.kind === 'sale');
    // Loss 6 × $30 = $180; 5 of 6 shares matched: $150 disallowed.
    expect([m(sale?.gain ?? 0n), m(sale?.washDisallowed ?? 0n)]).toEqual(['-180', '150']);
  });

  it('a replacement bought in an IRA disallows the loss without raising any basis', () => {
    // Rev. Rul. 2008-5: the loss is disallowed and the IRA's basis is not increased.
    const result = run(
      [
        ev({ account: 'A', type: 'buy', date: '2024-01-02', quantity: '10', price: '100' }),
        ev({ account: 'A', type: 'sell', date: '2024-02-01', quantity: '10', price: '80' }),
        ev({ account: 'IRA', type: 'buy', date: '2024-02-10', quantity: '10', price: '81' }),
      ],
      policies({ A: {}, IRA: { taxAdvantaged: true } }),
    );
    const sale = result.movements.find((mv) => mv.kind === 'sale');
    expect(m(sale?.washDisallowed ?? 0n)).toBe('200');
    expect(result.matches[0]?.basisAdjusted).toBe(false);
    const ira = result.lots.filter((l) => l.accountId === 'IRA' && l.qty > 0n);
    expect(ira.map((l) => m(l.cost + l.adj))).toEqual(['810']);
  });

  it('a reinvested dividend inside the window is a replacement purchase', () => {
    const result = run([
      ev({ type: 'buy', date: '2024-01-02', quantity: '10', price: '100' }),
      ev({ type: 'sell', date: '2024-03-01', quantity: '10', price: '90' }),
      ev({
        type: 'dividend',
        date: '2024-03-15',
        amount: '9',
        reinvested: true,
        quantity: '0.1',
        price: '90',
      }),
    ]);
    const sale = result.movements.find((mv) => mv.kind === 'sale');
    // 0.1 of 10 shares matched: 1% of the $100 loss.
    expect(m(sale?.washDisallowed ?? 0n)).toBe('1');
  });
});

describe('transfers', () => {
  it('carry lots with their original cost and dates; the sale in the new account is long-term', () => {
    const events = [
      ev({ account: 'A', type: 'buy', date: '2020-01-02', quantity: '10', price: '100', fees: '5' }),
      ev({ account: 'A', type: 'buy', date: '2021-06-01', quantity: '10', price: '150' }),
      ev({ account: 'A', type: 'transfer_out', date: '2021-07-01', quantity: '15', to: 'B', toTx: 'in-1' }),
      ev({ account: 'B', id: 'in-1', type: 'transfer_in', date: '2021-07-01', quantity: '15', to: 'A' }),
      ev({ account: 'B', type: 'sell', date: '2021-08-02', quantity: '12', price: '160' }),
    ];
    const result = run(events, TWO);
    expect([q(result.positions.get('A')?.qty ?? 0n), m(result.positions.get('A')?.cost ?? 0n)]).toEqual([
      '5',
      '750',
    ]);
    const lines = result.movements.filter((mv) => mv.kind === 'sale');
    expect(lines.map((l) => [dayToIso(l.acquiredDay), q(-l.qty), m(-l.cost), l.term])).toEqual([
      ['2020-01-02', '10', '1005', 'long'],
      ['2021-06-01', '2', '300', 'short'],
    ]);
    const child = result.lots.find((l) => l.accountId === 'B' && l.qty > 0n);
    expect(child && [child.createdBy, dayToIso(child.acquiredDay), q(child.qty), m(child.cost)]).toEqual([
      'in-1',
      '2021-06-01',
      '3',
      '450',
    ]);
  });

  it('refuses to move more than the account holds', () => {
    expect(() =>
      run(
        [
          ev({ account: 'A', type: 'buy', date: '2020-01-02', quantity: '1', price: '1' }),
          ev({ account: 'A', type: 'transfer_out', date: '2020-02-02', quantity: '2', to: 'B' }),
        ],
        TWO,
      ),
    ).toThrow(OversellError);
  });
});

describe('dividends, returns of capital and cash', () => {
  it('a reinvested dividend opens a lot', () => {
    const result = run([
      ev({
        type: 'dividend',
        date: '2024-03-15',
        amount: '25',
        reinvested: true,
        quantity: '0.5',
        price: '50',
      }),
    ]);
    expect([q(result.positions.get('A')?.qty ?? 0n), m(result.positions.get('A')?.cost ?? 0n)]).toEqual([
      '0.5',
      '25',
    ]);
  });

  it('a return of capital reduces basis; beyond basis it is a capital gain', () => {
    // Publication 550, "Return of capital": basis is reduced; once it is zero, the excess is a
    // capital gain. 10 shares cost $100; $60 returned → basis $40; then $60 more → $40 reduces
    // basis to zero and $20 is a gain.
    const result = run([
      ev({ type: 'buy', date: '2020-01-02', quantity: '10', price: '10' }),
      ev({ id: 'roc1', type: 'return_of_capital', date: '2020-06-01', amount: '60' }),
      ev({ id: 'roc2', type: 'return_of_capital', date: '2021-06-01', amount: '60' }),
    ]);
    expect(m(result.positions.get('A')?.cost ?? 0n)).toBe('0');
    expect(m(result.byId.get('roc1')?.realizedGain ?? 0n)).toBe('0');
    expect(m(result.byId.get('roc2')?.realizedGain ?? 0n)).toBe('20');
    expect(result.movements.filter((mv) => mv.txId === 'roc2').map((mv) => mv.term)).toEqual(['long']);
  });
});

describe('lot selection', () => {
  it('highest cost first', () => {
    const result = run(
      [
        ev({ type: 'buy', date: '2024-01-02', quantity: '10', price: '10' }),
        ev({ type: 'buy', date: '2024-01-03', quantity: '10', price: '30' }),
        ev({ type: 'buy', date: '2024-01-04', quantity: '10', price: '20' }),
        ev({ type: 'sell', date: '2024-02-01', quantity: '15', price: '25' }),
      ],
      policies({ A: { method: 'hifo' } }),
    );
    const lines = result.movements.filter((mv) => mv.kind === 'sale');
    expect(lines.map((l) => [q(-l.qty), m(-l.cost)])).toEqual([
      ['10', '300'],
      ['5', '100'],
    ]);
  });

  it('specific identification takes the named lots', () => {
    const events = [
      ev({ id: 'lot-a', type: 'buy', date: '2024-01-02', quantity: '10', price: '10' }),
      ev({ id: 'lot-b', type: 'buy', date: '2024-01-03', quantity: '10', price: '30' }),
      ev({
        type: 'sell',
        date: '2024-02-01',
        quantity: '4',
        price: '25',
        lots: [
          { lotId: 'lot-b', quantity: '3' },
          { lotId: 'lot-a', quantity: '1' },
        ],
      }),
    ];
    const result = run(events, policies({ A: { method: 'specific' } }));
    const lines = result.movements.filter((mv) => mv.kind === 'sale');
    expect(lines.map((l) => [l.lotId, q(-l.qty), m(-l.cost)])).toEqual([
      ['lot-b', '3', '90'],
      ['lot-a', '1', '10'],
    ]);
  });

  it('rejects lots that are not open or quantities that do not add up', () => {
    const base = [
      ev({ id: 'lot-a', type: 'buy', date: '2024-01-02', quantity: '10', price: '10' }),
      ev({ id: 'lot-b', type: 'buy', date: '2024-01-03', quantity: '10', price: '10' }),
    ];
    const sell = (lots: { lotId: string; quantity: string }[], quantity = '4') =>
      ev({ type: 'sell', date: '2024-02-01', quantity, price: '25', lots });
    expect(() => run([...base, sell([{ lotId: 'nope', quantity: '4' }])])).toThrow(LotSelectionError);
    expect(() => run([...base, sell([{ lotId: 'lot-a', quantity: '11' }], '11')])).toThrow(LotSelectionError);
    expect(() => run([...base, sell([{ lotId: 'lot-a', quantity: '3' }])])).toThrow(/add up/);
  });
});

describe('overselling and short positions', () => {
  it('refuses to sell more than is held, naming held and asked quantities', () => {
    try {
      run([
        ev({ type: 'buy', date: '2024-01-02', quantity: '10', price: '10' }),
        ev({ id: 'big', type: 'sell', date: '2024-02-01', quantity: '12.5', price: '10' }),
      ]);
      expect.unreachable('the replay accepted an oversell');
    } catch (err) {
      expect(err).toBeInstanceOf(OversellError);
      const o = err as OversellError;
      expect([o.txId, o.symbol, q(o.held), q(o.asked)]).toEqual(['big', 'XYZ', '10', '12.5']);
    }
  });

  it('opens and covers a short position when the account allows it', () => {
    const result = run(
      [
        ev({ type: 'buy', date: '2024-01-02', quantity: '10', price: '10' }),
        ev({ type: 'sell', date: '2024-02-01', quantity: '15', price: '20' }),
        ev({ id: 'cover', type: 'buy', date: '2024-03-01', quantity: '8', price: '12' }),
      ],
      policies({ A: { allowShort: true } }),
    );
    // 10 sold long (gain $100); 5 sold short for $100, covered at $60: gain $40; 3 shares long.
    expect(m(result.byId.get('cover')?.realizedGain ?? 0n)).toBe('40');
    expect([q(result.positions.get('A')?.qty ?? 0n), m(result.positions.get('A')?.cost ?? 0n)]).toEqual([
      '3',
      '36',
    ]);
  });

  it('cannot transfer shares into a short position', () => {
    expect(() =>
      run(
        [
          ev({ account: 'B', type: 'sell', date: '2024-01-02', quantity: '1', price: '10' }),
          ev({ account: 'A', type: 'buy', date: '2024-01-03', quantity: '1', price: '10' }),
          ev({ account: 'A', type: 'transfer_out', date: '2024-01-04', quantity: '1', to: 'B' }),
        ],
        policies({ A: {}, B: { allowShort: true } }),
      ),
    ).toThrow(PositionConflictError);
  });
});

describe('day numbers', () => {
  it('round-trip ISO dates', () => {
    for (const iso of ['1900-03-01', '1970-01-01', '2000-02-29', '2024-12-31', '2099-07-04']) {
      expect(dayToIso(isoToDay(iso))).toBe(iso);
    }
    expect(isoToDay('1970-01-02')).toBe(1);
  });
});
