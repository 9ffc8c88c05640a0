/**
 * Property: replaying a partition from any day D, starting from the state restoreState() rebuilds
 * out of what a full replay stored, gives exactly what the full replay gave for everything on or
 * after D. This is what lets the database replay a back-dated change from its own date only.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AccountPolicy,
  type LedgerEvent,
  type Lot,
  LotSelectionError,
  type Movement,
  OversellError,
  outcomesById,
  type PartitionResult,
  PositionConflictError,
  replayPartition,
  restoreState,
  WASH_SALE_WINDOW_DAYS,
} from '../../src/services/ledger/engine/index.js';

const ACCOUNTS = ['A', 'B', 'C'] as const;
const BASE_DAY = 19000;

type Op =
  | { kind: 'buy'; account: number; day: number; qty: number; price: number; fees: number }
  | { kind: 'sell'; account: number; day: number; qty: number; price: number }
  | { kind: 'split'; account: number; day: number; to: number; from: number }
  | { kind: 'roc'; account: number; day: number; amount: number }
  | { kind: 'reinvest'; account: number; day: number; qty: number; price: number }
  | { kind: 'transfer'; account: number; day: number; qty: number; to: number };

const day = fc.integer({ min: 0, max: 400 });
const account = fc.integer({ min: 0, max: 2 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('buy' as const),
      account,
      day,
      qty: fc.integer({ min: 1, max: 400 }),
      price: fc.integer({ min: 100, max: 20000 }),
      fees: fc.integer({ min: 0, max: 999 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('sell' as const),
      account,
      day,
      qty: fc.integer({ min: 1, max: 300 }),
      price: fc.integer({ min: 100, max: 20000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('split' as const),
      account,
      day,
      to: fc.integer({ min: 1, max: 10 }),
      from: fc.integer({ min: 1, max: 7 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('roc' as const),
      account,
      day,
      amount: fc.integer({ min: 1, max: 500000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('reinvest' as const),
      account,
      day,
      qty: fc.integer({ min: 1, max: 50 }),
      price: fc.integer({ min: 100, max: 20000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('transfer' as const),
      account,
      day,
      qty: fc.integer({ min: 1, max: 100 }),
      to: account,
    }),
  },
);
const methods = fc.constantFrom('fifo', 'lifo', 'hifo', 'average', 'specific') as fc.Arbitrary<
  AccountPolicy['method']
>;

/** Quantities in tenths of a share, prices in cents. */
function toEvent(o: Op, i: number): LedgerEvent {
  const base: LedgerEvent = {
    id: `t${String(i).padStart(4, '0')}`,
    accountId: ACCOUNTS[o.account] as string,
    type: 'buy',
    day: BASE_DAY + o.day,
    seq: i,
    quantity: 0n,
    price: 0n,
    fees: 0n,
    amount: null,
    splitTo: 0n,
    splitFrom: 0n,
    reinvested: false,
    counterpartAccountId: null,
    counterpartTransactionId: null,
    lotSelection: null,
  };
  const tenths = (n: number) => BigInt(n) * 10n ** 9n;
  const cents = (n: number) => BigInt(n) * 10n ** 6n;
  switch (o.kind) {
    case 'buy':
      return { ...base, quantity: tenths(o.qty), price: cents(o.price), fees: cents(o.fees) };
    case 'sell':
      return { ...base, type: 'sell', quantity: tenths(o.qty), price: cents(o.price) };
    case 'split':
      return { ...base, type: 'split', splitTo: tenths(o.to * 10), splitFrom: tenths(o.from * 10) };
    case 'roc':
      return { ...base, type: 'return_of_capital', amount: cents(o.amount) };
    case 'reinvest':
      return {
        ...base,
        type: 'dividend',
        reinvested: true,
        quantity: tenths(o.qty),
        price: cents(o.price),
        amount: (tenths(o.qty) * cents(o.price)) / 10n ** 10n,
      };
    case 'transfer': {
      const to = ACCOUNTS[o.to === o.account ? (o.to + 1) % 3 : o.to] as string;
      return { ...base, type: 'transfer_out', quantity: tenths(o.qty), counterpartAccountId: to };
    }
  }
}

/** Sorted events with the ones a replay refuses (oversells and the like) left out. */
function acceptable(
  ops: Op[],
  pol: Map<string, AccountPolicy>,
): { events: LedgerEvent[]; result: PartitionResult } {
  let events = ops.map(toEvent).sort((a, b) => a.day - b.day || a.seq - b.seq);
  for (;;) {
    try {
      return { events, result: replayPartition({ symbol: 'XYZ', policies: pol, events }) };
    } catch (err) {
      if (
        !(
          err instanceof OversellError ||
          err instanceof PositionConflictError ||
          err instanceof LotSelectionError
        )
      )
        throw err;
      events = events.filter((e) => e.id !== err.txId);
    }
  }
}

const lotView = (l: Lot) => ({ ...l });
const movementView = (mv: Movement) => ({ ...mv, id: null });

type Methods = [AccountPolicy['method'], AccountPolicy['method'], AccountPolicy['method']];

/**
 * Replays `ops` from scratch, stores the result, restores the state before `startOffset` and
 * replays from there: everything on or after that day must equal the full replay's.
 */
function checkRestoreFrom(ops: Op[], [ma, mb, mc]: Methods, cIsIra: boolean, startOffset: number): void {
  const pol = new Map<string, AccountPolicy>([
    ['A', { method: ma, allowShort: false, taxAdvantaged: false }],
    ['B', { method: mb, allowShort: true, taxAdvantaged: false }],
    ['C', { method: mc, allowShort: false, taxAdvantaged: cIsIra }],
  ]);
  const { events, result: full } = acceptable(ops, pol);
  // Lots are stored by id: a replay never gives two lots one id.
  expect(new Set(full.lots.map((l) => l.id)).size).toBe(full.lots.length);
  const startDay = BASE_DAY + startOffset;

  // What storage holds after the full replay.
  const stored = full.movements.map((mv, i) => ({ ...mv, id: `m${i}` }));
  const idOf = new Map(full.movements.map((mv, i) => [mv, `m${i}`]));
  const aliveLots = full.lots.filter(
    (l) => l.createdDay < startDay && (l.closedDay === null || l.closedDay >= startDay),
  );
  const laterLots = full.lots.filter((l) => l.createdDay >= startDay);
  const recentSales = stored.filter(
    (mv) => mv.kind === 'sale' && mv.day < startDay && mv.day >= startDay - WASH_SALE_WINDOW_DAYS,
  );
  const state = restoreState({
    startDay,
    policies: pol,
    aliveLots: aliveLots.map(lotView),
    laterLots: laterLots.map(lotView),
    laterMovements: stored.filter((mv) => mv.day >= startDay),
    recentSales,
    laterMatches: full.matches
      .filter((x) => x.day >= startDay)
      .map((x) => ({
        lossMovementId: idOf.get(x.lossMovement) ?? '',
        qty: x.qty,
        disallowed: x.disallowed,
      })),
  });
  const partial = replayPartition({
    symbol: 'XYZ',
    policies: pol,
    events: events.filter((e) => e.day >= startDay),
    initial: state,
  });

  // Lots: every lot alive at the start or created after it, in its final state.
  const expectLots = new Map([...aliveLots, ...laterLots].map((l) => [l.id, lotView(l)]));
  const gotLots = new Map(partial.lots.map((l) => [l.id, lotView(l)]));
  expect(gotLots).toEqual(expectLots);

  // Movements and matches from the start day on.
  expect(partial.movements.map(movementView)).toEqual(
    full.movements.filter((mv) => mv.day >= startDay).map(movementView),
  );
  const matchView = (x: PartitionResult['matches'][number]) => ({
    ...x,
    lossMovement: `${x.lossMovement.txId}/${x.lossMovement.ordinal}`,
  });
  expect(partial.matches.map(matchView)).toEqual(
    full.matches.filter((x) => x.day >= startDay).map(matchView),
  );

  // Earlier loss sales end with the same wash-sale totals.
  for (const mv of partial.updatedMovements) {
    const original = full.movements.find((f) => f.txId === mv.txId && f.ordinal === mv.ordinal);
    expect([mv.washDisallowed, mv.washMatchedQty]).toEqual([
      original?.washDisallowed,
      original?.washMatchedQty,
    ]);
  }

  // Positions and per-transaction outcomes.
  for (const [acc, pos] of partial.positions) expect(pos).toEqual(full.positions.get(acc));
  const later = events.filter((x) => x.day >= startDay);
  const fullOutcomes = outcomesById(events, full);
  const partialOutcomes = outcomesById(later, partial);
  for (const e of later) expect(partialOutcomes.get(e.id)).toEqual(fullOutcomes.get(e.id));
}

describe('restoreState + replay from a day', () => {
  it('equals the full replay from that day on', () => {
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 1, maxLength: 60 }),
        fc.tuple(methods, methods, methods),
        fc.boolean(),
        fc.integer({ min: -5, max: 410 }),
        checkRestoreFrom,
      ),
      { numRuns: 1000 },
    );
  });

  // Counterexamples fast-check found (fast-check 4.10.2, numRuns 1000), kept as fixed cases. In
  // each, an average-cost account's last lot-changing event before the restart day is a return of
  // capital: the full replay left its lots' costs as "pool share before the return, minus each lot's
  // share of the return", while the restored replay derived them from the pool afterwards, one unit
  // of 1e-8 apart (24.71701244 + 0.10298756 vs 24.71701245 + 0.10298755 of a pool of 24.82 in the
  // first case).
  it('seed 3: buy, return of capital, buy and a wash sale on one day, restart after them', () => {
    checkRestoreFrom(
      [
        { kind: 'buy', account: 0, day: 0, qty: 1, price: 100, fees: 9 },
        { kind: 'roc', account: 0, day: 1, amount: 1 },
        { kind: 'buy', account: 0, day: 0, qty: 241, price: 100, fees: 64 },
        { kind: 'sell', account: 0, day: 0, qty: 1, price: 100 },
      ],
      ['average', 'fifo', 'fifo'],
      false,
      2,
    );
  });

  it('seed 4: a lot transferred into an average-cost account, then a return of capital', () => {
    checkRestoreFrom(
      [
        { kind: 'transfer', account: 0, day: 1, qty: 1, to: 2 },
        { kind: 'roc', account: 2, day: 1, amount: 1 },
        { kind: 'buy', account: 0, day: 0, qty: 1, price: 100, fees: 8 },
        { kind: 'buy', account: 2, day: 0, qty: 57, price: 11007, fees: 164 },
      ],
      ['fifo', 'fifo', 'average'],
      false,
      2,
    );
  });

  it('seed 5: a reverse split, then a return of capital', () => {
    checkRestoreFrom(
      [
        { kind: 'buy', account: 1, day: 0, qty: 1, price: 100, fees: 0 },
        { kind: 'buy', account: 1, day: 0, qty: 106, price: 10826, fees: 524 },
        { kind: 'split', account: 1, day: 0, to: 1, from: 6 },
        { kind: 'roc', account: 1, day: 0, amount: 1 },
      ],
      ['fifo', 'average', 'fifo'],
      false,
      1,
    );
  });

  // Found by the same search once the above was fixed (seed 6 and 43 others of 500 seeds × 1,000
  // runs): a sale whose two loss lines were both replaced by one earlier purchase split two pieces
  // off it under one lot id, so the stored lots (keyed by id) no longer matched the replay.
  it('seed 6: two loss lines of one sale replaced by the same earlier purchase', () => {
    checkRestoreFrom(
      [
        { kind: 'sell', account: 1, day: 2, qty: 1, price: 100 },
        { kind: 'sell', account: 1, day: 1, qty: 2, price: 100 },
        { kind: 'buy', account: 1, day: 0, qty: 1, price: 100, fees: 1 },
        { kind: 'buy', account: 1, day: 0, qty: 1, price: 100, fees: 1 },
        { kind: 'buy', account: 1, day: 0, qty: 2, price: 100, fees: 0 },
      ],
      ['fifo', 'fifo', 'fifo'],
      false,
      2,
    );
  });
});
