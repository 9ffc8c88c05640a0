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

describe('restoreState + replay from a day', () => {
  it('equals the full replay from that day on', () => {
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 1, maxLength: 60 }),
        fc.tuple(methods, methods, methods),
        fc.boolean(),
        fc.integer({ min: -5, max: 410 }),
        (ops, [ma, mb, mc], cIsIra, startOffset) => {
          const pol = new Map<string, AccountPolicy>([
            ['A', { method: ma, allowShort: false, taxAdvantaged: false }],
            ['B', { method: mb, allowShort: true, taxAdvantaged: false }],
            ['C', { method: mc, allowShort: false, taxAdvantaged: cIsIra }],
          ]);
          const { events, result: full } = acceptable(ops, pol);
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
        },
      ),
      { numRuns: 300 },
    );
  });
});
