/**
 * Property: after every write — creates in any order (so many are back-dated), edits and deletes —
 * what the ledger stored incrementally (replaying each change from its own date) equals a replay
 * of the whole history from scratch: lots, allocations, wash-sale matches, each transaction's
 * gains, holdings and cash.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Knex } from '../../src/db/knex.js';
import { prepareReplay, runReplay } from '../../src/services/ledger/replay.js';
import { ledgerUser } from '../support/ledger-factories.js';
import { applyRandomOp, openRandomBook, type RandomLedgerOp } from '../support/random-ledger.js';

const acct = fc.integer({ min: 0, max: 2 });
const sym = fc.integer({ min: 0, max: 1 });
const day = fc.integer({ min: 0, max: 120 });
const qty = fc.integer({ min: 1, max: 12 });
const price = fc.integer({ min: 80, max: 120 });
const opArb: fc.Arbitrary<RandomLedgerOp> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('buy' as const),
      acct,
      sym,
      day,
      qty: fc.integer({ min: 5, max: 25 }),
      price,
    }),
  },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('sell' as const), acct, sym, day, qty, price }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('split' as const),
      acct,
      sym,
      day,
      to: fc.integer({ min: 1, max: 3 }),
      from: fc.integer({ min: 1, max: 2 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('roc' as const),
      acct,
      sym,
      day,
      amount: fc.integer({ min: 1, max: 200 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('reinvest' as const),
      acct,
      sym,
      day,
      qty,
      price,
      cashLeft: fc.constant(0),
      fees: fc.constant(0),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('transfer' as const), acct, sym, day, qty }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('edit' as const), pick: fc.nat(), day, qty, price }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
);
const methodArb = fc.constantFrom('fifo', 'lifo', 'hifo', 'average') as fc.Arbitrary<
  'fifo' | 'lifo' | 'hifo' | 'average'
>;

const SYMBOLS = ['XX', 'YY'];

/** Everything the ledger derives for a user, in a comparable form. */
async function snapshot(db: Knex, userId: string) {
  const lots = await db('tax_lots')
    .where('user_id', userId)
    .orderBy('id')
    .select(
      'id',
      'account_id',
      'symbol',
      'created_by_transaction_id',
      'created_date',
      'created_seq',
      'parent_lot_id',
      'source_transaction_id',
      'acquired_date',
      'holding_start_date',
      'order_seq',
      'is_short',
      'wash_replacement',
      'quantity_opened',
      'cost_opened',
      'adjustment_opened',
      'quantity',
      'cost',
      'wash_adjustment',
      'closed_date',
    );
  const allocations = await db('lot_allocations')
    .where('user_id', userId)
    .orderBy(['transaction_id', 'ordinal'])
    .select(
      'lot_id',
      'account_id',
      'transaction_id',
      'event_date',
      'event_seq',
      'ordinal',
      'kind',
      'quantity',
      'cost',
      'adjustment',
      'proceeds',
      'gain',
      'term',
      'acquired_date',
      'holding_start_date',
      'wash_sale_disallowed',
      'wash_matched_quantity',
    );
  const matches = await db('wash_sale_matches as w')
    .join('lot_allocations as a', 'a.id', 'w.loss_allocation_id')
    .where('w.user_id', userId)
    .orderBy(['w.transaction_id', 'w.replacement_lot_id'])
    .select(
      'a.transaction_id as loss_tx',
      'a.ordinal as loss_ordinal',
      'w.replacement_lot_id',
      'w.transaction_id',
      'w.event_date',
      'w.quantity',
      'w.disallowed',
      'w.carried_days',
      'w.basis_adjusted',
    );
  const transactions = await db('transactions')
    .where('user_id', userId)
    .orderBy('id')
    .select('id', 'realized_gain', 'cost_basis', 'wash_sale_disallowed');
  const holdings = await db('assets')
    .where('user_id', userId)
    .orderBy(['account_id', 'symbol'])
    .select('account_id', 'symbol', 'quantity', 'cost_basis');
  return { lots, allocations, matches, transactions, holdings };
}

/** The same, after replaying every partition from scratch (rolled back afterwards). */
async function fromScratch(db: Knex, userId: string) {
  let result: Awaited<ReturnType<typeof snapshot>> | undefined;
  await db
    .transaction(async (trx) => {
      const prepared = await prepareReplay(
        trx,
        userId,
        SYMBOLS.map((symbol) => ({ symbol, from: null })),
      );
      await runReplay(trx, prepared);
      result = await snapshot(trx as unknown as Knex, userId);
      throw new Error('rollback');
    })
    .catch((err: Error) => {
      if (err.message !== 'rollback') throw err;
    });
  return result;
}

describe('incremental replay equals a replay from scratch', () => {
  it('after every create, back-dated insert, edit and delete', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 4, maxLength: 16 }),
        fc.tuple(methodArb, methodArb),
        async (ops, [m0, m1]) => {
          const { db, user, caller } = await ledgerUser();
          const book = await openRandomBook(
            caller,
            [
              { costBasisMethod: m0 },
              { costBasisMethod: m1, allowShort: true },
              { type: 'retirement', subtype: 'ira' },
            ],
            SYMBOLS,
          );
          const { accounts } = book;
          for (const op of ops) {
            const outcome = await applyRandomOp(caller, book, op);
            if (!outcome) continue;
            // Oversells and the like are refused; the state must still be consistent.
            expect(['OK', 'CONFLICT', 'BAD_REQUEST'], String(outcome.error)).toContain(outcome.code);

            const incremental = await snapshot(db, user.id);
            expect(incremental).toEqual(await fromScratch(db, user.id));
          }
          // Cash: each account's balance is the sum of its transactions' cash effects.
          for (const a of accounts) {
            const sum = await db('transactions').where('account_id', a.id).sum({ s: 'cash_effect' }).first();
            const row = await db('accounts').where('id', a.id).first('cash_balance');
            expect(Number(row.cash_balance)).toBeCloseTo(Number(sum?.s ?? 0), 8);
          }
        },
      ),
      { numRuns: 12 },
    );
  }, 600_000);
});
