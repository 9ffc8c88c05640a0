/**
 * Replays partitions (one user's history in one symbol) from a day on, inside the caller's
 * database transaction, and stores what they produce: tax lots, lot allocations, wash-sale
 * matches, each transaction's realized gain and basis, and the holdings of every account the
 * partition touched.
 *
 * Two steps, because a write may delete the very rows the stored state is made of:
 *   const prepared = await prepareReplay(trx, userId, starts);   // before changing transactions
 *   ...insert, update or delete transactions...
 *   await runReplay(trx, prepared);                             // after
 * `prepareReplay` rebuilds each partition's state as it was before its start day from the stored
 * lots and allocations (engine/restore.ts); `runReplay` loads the transactions from that day on,
 * replays them and replaces everything stored from that day on. A start of `null` replays the
 * partition from scratch.
 *
 * Inserts take a third way, so a new row is written once, with its outcome, instead of inserted
 * and then updated:
 *   const prepared = await prepareReplay(trx, userId, starts);
 *   const replay = await computeReplay(trx, prepared, newRows);   // stored rows + the new ones
 *   ...insert the new rows with replay.outcomes...
 *   await replay.write();
 *
 * Callers hold the account and partition locks (accounts.ts) for the whole transaction.
 */
import { dayToIso, isoToDay } from '@fo/schema/calendar';
import type { Knex } from '../../db/knex.js';
import { newId } from '../../models/index.js';
import { ConflictError, ValidationError } from '../errors.js';
import { loadPolicies } from './accounts.js';
import {
  EVENT_COLUMNS,
  type EventRow,
  fm,
  fq,
  LOT_COLUMNS,
  type LotRow,
  MOVEMENT_COLUMNS,
  type MovementRow,
  m,
  q,
  toEvents,
  toLot,
  toMovement,
} from './codec.js';
import {
  type AccountPolicy,
  LedgerEngineError,
  type Lot,
  LotSelectionError,
  type Movement,
  OversellError,
  type PartitionResult,
  type PartitionState,
  replayPartition,
  restoreState,
  WASH_SALE_WINDOW_DAYS,
} from './engine/index.js';

/** The earliest day a partition could start from: "from scratch". */
const BEGINNING = '0001-01-01';

export interface PartitionStart {
  symbol: string;
  /** First trade date to replay; null replays the partition from scratch. */
  from: string | null;
}

/** A sell (or transfer) that asks for more than the account holds: CONFLICT naming both quantities. */
export class OversellConflict extends ConflictError {
  override name = 'OversellConflict';
  constructor(
    readonly txId: string,
    readonly accountId: string,
    readonly symbol: string,
    readonly held: string,
    readonly asked: string,
    readonly tradeDate: string,
  ) {
    super(
      `Oversell: ${symbol} on ${tradeDate} — the account holds ${held} and the transaction asks for ${asked} (it does not allow short positions)`,
      'quantity',
      'INSUFFICIENT_QUANTITY',
    );
  }
}

/** A replay refusal pinned to the transaction that caused it (import maps it to a row). */
export class LedgerRejection extends ValidationError {
  override name = 'LedgerRejection';
  constructor(
    readonly txId: string,
    path: (string | number)[],
    message: string,
  ) {
    super(path, message);
  }
}

interface Plan {
  symbol: string;
  from: string;
  state: PartitionState;
  /** Lots alive at the start, as stored (only changed ones are written back). */
  storedAlive: Map<string, Lot>;
  /** Sale allocations of the 30 days before the start, restored to their state at the start. */
  recentSales: Movement[];
  /** Their wash-sale totals as stored, to write back only what the replay changed. */
  storedWash: Map<string, { disallowed: bigint; matched: bigint }>;
  /** Accounts whose holdings the replay may change. */
  accounts: Set<string>;
}

export interface PreparedReplay {
  userId: string;
  policies: Map<string, AccountPolicy>;
  plans: Plan[];
}

function startsParams(plans: readonly { symbol: string; from: string }[]): [string[], string[]] {
  return [plans.map((p) => p.symbol), plans.map((p) => p.from)];
}

const STARTS = 'unnest(?::text[], ?::date[]) AS s(symbol, d)';

/** Reads each partition's state as of its start day. Call before changing any transaction. */
export async function prepareReplay(
  trx: Knex.Transaction,
  userId: string,
  starts: readonly PartitionStart[],
): Promise<PreparedReplay> {
  const merged = new Map<string, string>();
  for (const s of starts) {
    const from = s.from ?? BEGINNING;
    const prev = merged.get(s.symbol);
    if (prev === undefined || from < prev) merged.set(s.symbol, from);
  }
  const list = [...merged].map(([symbol, from]) => ({ symbol, from }));
  const policies = await loadPolicies(trx, userId);
  if (list.length === 0) return { userId, policies, plans: [] };
  const [symbols, froms] = startsParams(list);

  const lots = (
    await trx.raw<{ rows: (LotRow & { alive: boolean })[] }>(
      `SELECT ${LOT_COLUMNS}, l.created_date < s.d AS alive
         FROM tax_lots l JOIN ${STARTS} ON l.symbol = s.symbol
        WHERE l.user_id = ? AND (l.created_date >= s.d OR l.closed_date IS NULL OR l.closed_date >= s.d)`,
      [symbols, froms, userId],
    )
  ).rows;
  const laterMovements = (
    await trx.raw<{
      rows: {
        symbol: string;
        lot_id: string;
        account_id: string;
        quantity: string;
        cost: string;
        adjustment: string;
      }[];
    }>(
      `SELECT a.symbol, a.lot_id, a.account_id, a.quantity, a.cost, a.adjustment
         FROM lot_allocations a JOIN ${STARTS} ON a.symbol = s.symbol
        WHERE a.user_id = ? AND a.event_date >= s.d`,
      [symbols, froms, userId],
    )
  ).rows;
  const recent = (
    await trx.raw<{ rows: (MovementRow & { symbol: string })[] }>(
      `SELECT ${MOVEMENT_COLUMNS}, a.symbol
         FROM lot_allocations a JOIN ${STARTS} ON a.symbol = s.symbol
        WHERE a.user_id = ? AND a.kind = 'sale' AND a.event_date < s.d AND a.event_date >= s.d - ?::int`,
      [symbols, froms, userId, WASH_SALE_WINDOW_DAYS],
    )
  ).rows;
  const matches = (
    await trx.raw<{
      rows: { symbol: string; loss_allocation_id: string; quantity: string; disallowed: string }[];
    }>(
      `SELECT w.symbol, w.loss_allocation_id, w.quantity, w.disallowed
         FROM wash_sale_matches w JOIN ${STARTS} ON w.symbol = s.symbol
        WHERE w.user_id = ? AND w.event_date >= s.d`,
      [symbols, froms, userId],
    )
  ).rows;

  const lotsBySymbol = groupBy(lots, (r) => r.symbol);
  const movementsBySymbol = groupBy(laterMovements, (r) => r.symbol);
  const recentBySymbol = groupBy(recent, (r) => r.symbol);
  const matchesBySymbol = groupBy(matches, (r) => r.symbol);
  const plans: Plan[] = [];
  for (const { symbol, from } of list) {
    const startDay = isoToDay(from);
    const aliveLots: Lot[] = [];
    const laterLots: Lot[] = [];
    const accounts = new Set<string>();
    for (const row of lotsBySymbol.get(symbol) ?? []) {
      const lot = toLot(row);
      (row.alive ? aliveLots : laterLots).push(lot);
      accounts.add(lot.accountId);
    }
    const recentSales = (recentBySymbol.get(symbol) ?? []).map(toMovement);
    const state = restoreState({
      startDay,
      policies,
      aliveLots,
      laterLots,
      laterMovements: (movementsBySymbol.get(symbol) ?? []).map((r) => ({
        lotId: r.lot_id,
        accountId: r.account_id,
        qty: q(r.quantity),
        cost: m(r.cost),
        adj: m(r.adjustment),
      })),
      recentSales,
      laterMatches: (matchesBySymbol.get(symbol) ?? []).map((r) => ({
        lossMovementId: r.loss_allocation_id,
        qty: q(r.quantity),
        disallowed: m(r.disallowed),
      })),
    });
    // The pending losses are restored copies; use them for the transaction totals too.
    const restored = new Map(state.pendingLosses.map((p) => [p.movement.id, p.movement]));
    plans.push({
      symbol,
      from,
      state,
      storedAlive: new Map(aliveLots.map((l) => [l.id, l])),
      recentSales: recentSales.map((mv) => restored.get(mv.id) ?? mv),
      storedWash: new Map(
        recentSales.map((mv) => [
          mv.id as string,
          { disallowed: mv.washDisallowed, matched: mv.washMatchedQty },
        ]),
      ),
      accounts,
    });
  }
  return { userId, policies, plans };
}

export interface ReplaySummary {
  /** Accounts whose holdings were rewritten, with the symbols. */
  holdings: { accountId: string; symbol: string; quantity: string; costBasis: string }[];
  events: number;
}

/** Replays the prepared partitions over the transactions as they are now, and stores the outcome. */
export async function runReplay(trx: Knex.Transaction, prepared: PreparedReplay): Promise<ReplaySummary> {
  return (await computeReplay(trx, prepared)).write();
}

/** A replay's outcome for one transaction, as its columns store it. */
export interface RowOutcome {
  realizedGain: string | null;
  costBasis: string | null;
  washSaleDisallowed: string;
}

export interface ComputedReplay {
  /** Outcomes of the new rows (by id); rows of no partition (cash, holdings-mode accounts) have none. */
  outcomes: Map<string, RowOutcome>;
  /** Stores lots, allocations, matches, the stored rows' outcomes and holdings. Call once the new rows are in. */
  write(): Promise<ReplaySummary>;
}

/**
 * Replays the prepared partitions over the stored transactions plus `newRows` — rows about to be
 * inserted in this database transaction, with the seq they will be inserted with (of a
 * transaction-tracked account; rows of other symbols are ignored) — and returns the new rows'
 * outcomes and the write of everything else. Refusals (oversells, lots not open) are thrown here,
 * before anything is written.
 */
export async function computeReplay(
  trx: Knex.Transaction,
  prepared: PreparedReplay,
  newRows: readonly EventRow[] = [],
): Promise<ComputedReplay> {
  const { plans, userId, policies } = prepared;
  const outcomes = new Map<string, RowOutcome>();
  if (plans.length === 0) return { outcomes, write: async () => ({ holdings: [], events: 0 }) };
  const [symbols, froms] = startsParams(plans);
  const eventRows = (
    await trx.raw<{ rows: EventRow[] }>(
      `SELECT ${EVENT_COLUMNS}
         FROM transactions t
         JOIN ${STARTS} ON t.symbol = s.symbol AND t.trade_date >= s.d
         JOIN accounts acc ON acc.id = t.account_id AND acc.tracking_mode = 'transactions'
        WHERE t.user_id = ?
        ORDER BY t.symbol, t.trade_date, t.seq`,
      [symbols, froms, userId],
    )
  ).rows;
  const bySymbol = groupBy(eventRows, (r) => r.symbol);
  const fresh = new Set<string>();
  const fromOf = new Map(plans.map((p) => [p.symbol, p.from]));
  for (const row of newRows) {
    const from = fromOf.get(row.symbol);
    if (from === undefined || row.trade_date < from) continue;
    fresh.add(row.id);
    const list = bySymbol.get(row.symbol);
    if (list) list.push(row);
    else bySymbol.set(row.symbol, [row]);
  }
  if (fresh.size > 0) {
    for (const rows of bySymbol.values()) {
      rows.sort((a, b) =>
        a.trade_date < b.trade_date ? -1 : a.trade_date > b.trade_date ? 1 : a.seq - b.seq,
      );
    }
  }

  const out = new Persist(userId, fresh, outcomes);
  let replayed = 0;
  for (const plan of plans) {
    const rows = bySymbol.get(plan.symbol) ?? [];
    replayed += rows.length;
    const events = toEvents(rows);
    let result: PartitionResult;
    try {
      result = replayPartition({ symbol: plan.symbol, policies, events, initial: plan.state });
    } catch (err) {
      throw refusal(err, rows, plan.symbol);
    }
    for (const row of rows) plan.accounts.add(row.account_id);
    out.add(plan, rows, result);
  }
  let written = false;
  return {
    outcomes,
    async write() {
      if (written) throw new Error('computeReplay: write() called twice');
      written = true;
      await out.write(trx, symbols, froms);
      return { holdings: out.holdings, events: replayed };
    },
  };
}

function refusal(err: unknown, rows: readonly EventRow[], symbol: string): Error {
  if (!(err instanceof LedgerEngineError)) return err as Error;
  const row = rows.find((r) => r.id === err.txId);
  const date = row?.trade_date ?? '?';
  if (err instanceof OversellError) {
    return new OversellConflict(err.txId, err.accountId, symbol, fq(err.held), fq(err.asked), date);
  }
  if (err instanceof LotSelectionError) {
    const path = err.index === null ? ['lots'] : ['lots', err.index, 'lotId'];
    return new LedgerRejection(err.txId, path, `${err.message} (${symbol} on ${date})`);
  }
  const conflict = new ConflictError(`${err.message} (${symbol} on ${date})`, 'quantity');
  return Object.assign(conflict, { txId: err.txId });
}

const sameAmount = (stored: string | null, value: bigint | null) =>
  stored === null ? value === null : value !== null && m(stored) === value;

/** Collects the rows of every replayed partition, then writes them in a few statements. */
class Persist {
  private readonly lotRows: Cell[][] = [];
  private readonly lotUpdates: Cell[][] = [];
  private readonly movementRows: Cell[][] = [];
  private readonly matchRows: Cell[][] = [];
  private readonly movementUpdates: Cell[][] = [];
  private readonly txUpdates: Cell[][] = [];
  readonly holdings: ReplaySummary['holdings'] = [];

  /**
   * @param fresh ids of rows not inserted yet: their outcomes go to `outcomes`, for the insert.
   */
  constructor(
    private readonly userId: string,
    private readonly fresh: ReadonlySet<string>,
    private readonly outcomes: Map<string, RowOutcome>,
  ) {}

  add(plan: Plan, rows: readonly EventRow[], result: PartitionResult): void {
    const { symbol } = plan;
    for (const lot of result.createdLots) {
      this.lotRows.push([
        lot.id,
        lot.accountId,
        symbol,
        lot.createdBy,
        dayToIso(lot.createdDay),
        lot.createdSeq,
        lot.parentId,
        lot.sourceTxId,
        dayToIso(lot.acquiredDay),
        dayToIso(lot.holdingStartDay),
        lot.orderSeq,
        lot.short,
        lot.washReplacement,
        fq(lot.qtyOpened),
        fm(lot.costOpened),
        fm(lot.adjOpened),
        fq(lot.qty),
        fm(lot.cost),
        fm(lot.adj),
        lot.closedDay === null ? null : dayToIso(lot.closedDay),
      ]);
    }
    for (const lot of result.carriedLots) {
      const stored = plan.storedAlive.get(lot.id);
      if (
        stored &&
        stored.qty === lot.qty &&
        stored.cost === lot.cost &&
        stored.adj === lot.adj &&
        stored.closedDay === lot.closedDay
      ) {
        continue;
      }
      this.lotUpdates.push([
        lot.id,
        fq(lot.qty),
        fm(lot.cost),
        fm(lot.adj),
        lot.closedDay === null ? null : dayToIso(lot.closedDay),
      ]);
    }

    const washByTx = new Map<string, bigint>();
    for (const mv of result.movements) {
      mv.id = newId();
      this.movementRows.push([
        mv.id,
        mv.lotId,
        mv.accountId,
        symbol,
        mv.txId,
        dayToIso(mv.day),
        mv.seq,
        mv.ordinal,
        mv.kind,
        fq(mv.qty),
        fm(mv.cost),
        fm(mv.adj),
        mv.proceeds === null ? null : fm(mv.proceeds),
        mv.gain === null ? null : fm(mv.gain),
        mv.term,
        dayToIso(mv.acquiredDay),
        dayToIso(mv.holdingStartDay),
        mv.lotSourceTxId,
        fm(mv.washDisallowed),
        fq(mv.washMatchedQty),
      ]);
      if (mv.kind === 'sale') washByTx.set(mv.txId, (washByTx.get(mv.txId) ?? 0n) + mv.washDisallowed);
    }
    for (const x of result.matches) {
      this.matchRows.push([
        symbol,
        x.lossMovement.id,
        x.replacementLotId,
        x.txId,
        dayToIso(x.day),
        x.seq,
        fq(x.qty),
        fm(x.disallowed),
        x.carriedDays,
        x.basisAdjusted,
      ]);
    }
    // Earlier loss sales whose wash-sale totals changed: matched by a purchase in this replay, or
    // no longer matched by one that was deleted or moved.
    const touched = new Set<string>();
    for (const mv of plan.recentSales) {
      const stored = plan.storedWash.get(mv.id as string);
      if (stored && stored.disallowed === mv.washDisallowed && stored.matched === mv.washMatchedQty) continue;
      this.movementUpdates.push([mv.id, fm(mv.washDisallowed), fq(mv.washMatchedQty)]);
      touched.add(mv.txId);
    }

    // Per-transaction outcomes of the replayed events.
    result.outcomes.forEach((o, i) => {
      const row = rows[i] as EventRow;
      const realized = o?.realizedGain ?? null;
      const basis = o?.costBasis ?? null;
      const wash = washByTx.get(row.id) ?? 0n;
      if (this.fresh.has(row.id)) {
        this.outcomes.set(row.id, {
          realizedGain: realized === null ? null : fm(realized),
          costBasis: basis === null ? null : fm(basis),
          washSaleDisallowed: fm(wash),
        });
        return;
      }
      if (
        sameAmount(row.realized_gain, realized) &&
        sameAmount(row.cost_basis, basis) &&
        m(row.wash_sale_disallowed) === wash
      )
        return;
      this.txUpdates.push([
        row.id,
        realized === null ? null : fm(realized),
        basis === null ? null : fm(basis),
        fm(wash),
      ]);
    });
    if (touched.size > 0) {
      const totals = new Map<string, bigint>();
      for (const mv of plan.recentSales) {
        if (!touched.has(mv.txId)) continue;
        totals.set(mv.txId, (totals.get(mv.txId) ?? 0n) + mv.washDisallowed);
      }
      for (const [txId, total] of totals) this.txUpdates.push([txId, undefined, undefined, fm(total)]);
    }

    // Holdings: what the lots add up to, for every account the partition touched.
    for (const accountId of plan.accounts) {
      const pos = result.positions.get(accountId);
      const qty = pos?.qty ?? 0n;
      // The holding's basis is what was paid (fees included); wash-sale adjustments stay on the
      // lots. Shorts: the proceeds received, as a positive amount (the holdings' convention).
      const cost = pos?.cost ?? 0n;
      this.holdings.push({ accountId, symbol, quantity: fq(qty), costBasis: fm(cost < 0n ? -cost : cost) });
    }
  }

  async write(trx: Knex.Transaction, symbols: string[], froms: string[]): Promise<void> {
    const userId = this.userId;
    await trx.raw(
      `DELETE FROM wash_sale_matches w USING ${STARTS} WHERE w.user_id = ? AND w.symbol = s.symbol AND w.event_date >= s.d`,
      [symbols, froms, userId],
    );
    await trx.raw(
      `DELETE FROM lot_allocations a USING ${STARTS} WHERE a.user_id = ? AND a.symbol = s.symbol AND a.event_date >= s.d`,
      [symbols, froms, userId],
    );
    await trx.raw(
      `DELETE FROM tax_lots l USING ${STARTS} WHERE l.user_id = ? AND l.symbol = s.symbol AND l.created_date >= s.d`,
      [symbols, froms, userId],
    );
    if (this.lotRows.length) {
      await trx.raw(
        `INSERT INTO tax_lots (id, account_id, user_id, symbol, created_by_transaction_id, created_date, created_seq,
            parent_lot_id, source_transaction_id, acquired_date, holding_start_date, order_seq, is_short,
            wash_replacement, quantity_opened, cost_opened, adjustment_opened, quantity, cost, wash_adjustment,
            closed_date)
         SELECT u.id, u.account_id, ?::uuid, u.symbol, u.created_by, u.created_date, u.created_seq, u.parent_id,
                u.source_id, u.acquired_date, u.holding_start_date, u.order_seq, u.is_short, u.wash_replacement,
                u.qty_opened, u.cost_opened, u.adj_opened, u.qty, u.cost, u.adj, u.closed_date
           FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::uuid[], ?::date[], ?::bigint[], ?::uuid[], ?::uuid[],
                       ?::date[], ?::date[], ?::bigint[], ?::boolean[], ?::boolean[], ?::numeric[], ?::numeric[],
                       ?::numeric[], ?::numeric[], ?::numeric[], ?::numeric[], ?::date[])
             AS u(id, account_id, symbol, created_by, created_date, created_seq, parent_id, source_id,
                  acquired_date, holding_start_date, order_seq, is_short, wash_replacement, qty_opened,
                  cost_opened, adj_opened, qty, cost, adj, closed_date)`,
        [userId, ...columns(this.lotRows, 20)],
      );
    }
    if (this.lotUpdates.length) {
      await trx.raw(
        `UPDATE tax_lots l SET quantity = u.qty, cost = u.cost, wash_adjustment = u.adj, closed_date = u.closed_date
           FROM unnest(?::uuid[], ?::numeric[], ?::numeric[], ?::numeric[], ?::date[]) AS u(id, qty, cost, adj, closed_date)
          WHERE l.id = u.id`,
        columns(this.lotUpdates, 5),
      );
    }
    if (this.movementRows.length) {
      await trx.raw(
        `INSERT INTO lot_allocations (id, lot_id, account_id, user_id, symbol, transaction_id, event_date, event_seq,
            ordinal, kind, quantity, cost, adjustment, proceeds, gain, term, acquired_date, holding_start_date,
            lot_source_transaction_id, wash_sale_disallowed, wash_matched_quantity)
         SELECT u.id, u.lot_id, u.account_id, ?::uuid, u.symbol, u.tx, u.event_date, u.event_seq, u.ordinal, u.kind,
                u.qty, u.cost, u.adj, u.proceeds, u.gain, u.term, u.acquired_date, u.holding_start_date, u.source_id,
                u.wash, u.wash_qty
           FROM unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::uuid[], ?::date[], ?::bigint[], ?::int[],
                       ?::text[], ?::numeric[], ?::numeric[], ?::numeric[], ?::numeric[], ?::numeric[], ?::text[],
                       ?::date[], ?::date[], ?::uuid[], ?::numeric[], ?::numeric[])
             AS u(id, lot_id, account_id, symbol, tx, event_date, event_seq, ordinal, kind, qty, cost, adj,
                  proceeds, gain, term, acquired_date, holding_start_date, source_id, wash, wash_qty)`,
        [userId, ...columns(this.movementRows, 20)],
      );
    }
    if (this.matchRows.length) {
      await trx.raw(
        `INSERT INTO wash_sale_matches (user_id, symbol, loss_allocation_id, replacement_lot_id, transaction_id,
            event_date, event_seq, quantity, disallowed, carried_days, basis_adjusted)
         SELECT ?::uuid, u.* FROM unnest(?::text[], ?::uuid[], ?::uuid[], ?::uuid[], ?::date[], ?::bigint[],
                                         ?::numeric[], ?::numeric[], ?::int[], ?::boolean[]) AS u`,
        [userId, ...columns(this.matchRows, 10)],
      );
    }
    if (this.movementUpdates.length) {
      await trx.raw(
        `UPDATE lot_allocations a SET wash_sale_disallowed = u.wash, wash_matched_quantity = u.wash_qty
           FROM unnest(?::uuid[], ?::numeric[], ?::numeric[]) AS u(id, wash, wash_qty) WHERE a.id = u.id`,
        columns(this.movementUpdates, 3),
      );
    }
    const fullUpdates = this.txUpdates.filter((r) => r[1] !== undefined);
    const washUpdates = this.txUpdates.filter((r) => r[1] === undefined);
    if (fullUpdates.length) {
      await trx.raw(
        `UPDATE transactions t SET realized_gain = u.realized, cost_basis = u.basis, wash_sale_disallowed = u.wash
           FROM unnest(?::uuid[], ?::numeric[], ?::numeric[], ?::numeric[]) AS u(id, realized, basis, wash)
          WHERE t.id = u.id`,
        columns(fullUpdates, 4),
      );
    }
    if (washUpdates.length) {
      await trx.raw(
        `UPDATE transactions t SET wash_sale_disallowed = u.wash
           FROM unnest(?::uuid[], ?::numeric[]) AS u(id, wash) WHERE t.id = u.id`,
        columns(
          washUpdates.map((r) => [r[0], r[3]]),
          2,
        ),
      );
    }
    if (this.holdings.length) {
      await trx.raw(
        `INSERT INTO assets (id, account_id, user_id, symbol, quantity, cost_basis, currency)
         SELECT gen_random_uuid(), u.account_id, ?::uuid, u.symbol, u.qty, u.cost, acc.currency
           FROM unnest(?::uuid[], ?::text[], ?::numeric[], ?::numeric[]) AS u(account_id, symbol, qty, cost)
           JOIN accounts acc ON acc.id = u.account_id AND acc.tracking_mode = 'transactions'
         ON CONFLICT (account_id, symbol) DO UPDATE SET quantity = EXCLUDED.quantity, cost_basis = EXCLUDED.cost_basis
          WHERE (assets.quantity, assets.cost_basis) IS DISTINCT FROM (EXCLUDED.quantity, EXCLUDED.cost_basis)`,
        [
          userId,
          this.holdings.map((h) => h.accountId),
          this.holdings.map((h) => h.symbol),
          this.holdings.map((h) => h.quantity),
          this.holdings.map((h) => h.costBasis),
        ],
      );
    }
  }
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}

/** A value bound into an unnest() column array. */
export type Cell = string | number | boolean | null | undefined;

/** Row-major rows → one array per column, for unnest(). */
export function columns(rows: readonly Cell[][], width: number): Knex.RawBinding[] {
  const cols: Cell[][] = Array.from({ length: width }, () => new Array<Cell>(rows.length));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as Cell[];
    for (let c = 0; c < width; c++) (cols[c] as Cell[])[r] = row[c];
  }
  // node-postgres turns each JS array into a PostgreSQL array literal (nulls included).
  return cols as unknown as Knex.RawBinding[];
}
