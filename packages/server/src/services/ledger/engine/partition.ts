/**
 * The replay of one partition (one user, one symbol, every transaction-tracked account): lots,
 * lot consumption by cost-basis method, realized gains with holding periods, splits, transfers,
 * returns of capital, short positions and wash sales. Pure and synchronous; see types.ts.
 *
 * Replays are deterministic: the same events from the same starting state always produce the same
 * lots (with the same ids), movements and matches. The storage layer relies on it to replay only
 * from the earliest affected date (restore.ts rebuilds the starting state from stored rows).
 */
import { hash } from 'node:crypto';
import { isLongTerm } from './days.js';
import { LotSelectionError, OversellError, PositionConflictError } from './errors.js';
import { extend, min, mulDiv } from './fixed.js';
import type {
  AccountPolicy,
  LedgerEvent,
  Lot,
  Movement,
  MovementKind,
  PartitionResult,
  PartitionState,
  PendingLoss,
  PositionTotals,
  Term,
  TxOutcome,
  WashMatch,
} from './types.js';

/** IRS Publication 550: a purchase within 30 days before or after a loss sale. */
export const WASH_SALE_WINDOW_DAYS = 30;

/**
 * Deterministic id of a lot derived from a transaction and, optionally, a parent lot (transfers,
 * short sales, wash-sale pieces): a name-based UUID (SHA-1, version 5 layout). Replays must give a
 * lot the same id every time, because specific-identification sales name lots by id.
 */
export function derivedLotId(txId: string, tag: string, parentId = ''): string {
  const h = hash('sha1', `fo-lot/${txId}/${tag}/${parentId}`, 'hex');
  const variant = ((Number.parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** FIFO order: acquisition date, then the original purchase's seq, then id. */
export function compareLots(a: Lot, b: Lot): number {
  if (a.acquiredDay !== b.acquiredDay) return a.acquiredDay - b.acquiredDay;
  if (a.orderSeq !== b.orderSeq) return a.orderSeq - b.orderSeq;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

class Position {
  /** Open long lots in FIFO order, from index `head`. */
  longs: Lot[] = [];
  head = 0;
  /** Open short lots in the order they were opened. */
  shorts: Lot[] = [];
  longQty = 0n;
  /**
   * Average cost: the pooled basis of the open long lots. It is the only record of their basis: a
   * lot's own cost is derived from it by materialize() and read only right after. Every change to
   * the pool or to an open lot's quantity marks the position stale, so derived costs depend on the
   * pool and the open lots alone — which restore.ts rebuilds exactly — never on when they were
   * last derived. (Keeping a derived cost across a change and adjusting it by that change's own
   * rounded per-lot share drifts a unit of 1e-8 from the re-derived one, so a replay restarted
   * after the change would disagree with the full replay.)
   */
  pool = 0n;
  stale = false;
  readonly average: boolean;

  constructor(
    readonly accountId: string,
    readonly policy: AccountPolicy,
  ) {
    this.average = policy.method === 'average';
  }

  openLongs(): Lot[] {
    if (this.head > 0) {
      this.longs = this.longs.slice(this.head);
      this.head = 0;
    }
    return this.longs;
  }

  insertLong(lot: Lot): void {
    const longs = this.longs;
    let i = longs.length;
    while (i > this.head && compareLots(longs[i - 1] as Lot, lot) > 0) i--;
    if (i === longs.length) longs.push(lot);
    else longs.splice(i, 0, lot);
    this.longQty += lot.qty;
  }

  removeLong(lot: Lot): void {
    const longs = this.longs;
    if (longs[this.head] === lot) {
      this.head++;
      if (this.head > 256 && this.head * 2 > longs.length) this.openLongs();
      return;
    }
    if (longs[longs.length - 1] === lot) {
      longs.pop();
      return;
    }
    const i = longs.indexOf(lot, this.head);
    if (i >= 0) longs.splice(i, 1);
  }

  /** Sets each open long lot's cost to its share of the pool by quantity, in FIFO order (average cost). */
  materialize(): void {
    if (!this.average || !this.stale) return;
    const longs = this.openLongs();
    const total = this.longQty;
    let cum = 0n;
    let prev = 0n;
    for (const lot of longs) {
      cum += lot.qty;
      const upto = total === 0n ? 0n : mulDiv(this.pool, cum, total);
      lot.cost = upto - prev;
      lot.adj = 0n;
      prev = upto;
    }
    this.stale = false;
  }
}

interface Taken {
  lot: Lot;
  qty: bigint;
}

/**
 * The basis a sale or transfer takes from each lot, in turn: pro rata of the lot, or, for average
 * cost, of the pool, spread over the lots by cumulative quantity so the pieces add up exactly.
 */
class BasisTaker {
  cost = 0n;
  adj = 0n;
  private readonly all: bigint;
  private cum = 0n;
  private prev = 0n;

  constructor(
    private readonly pos: Position,
    private readonly total: bigint,
  ) {
    this.all = pos.average ? (total === pos.longQty ? pos.pool : mulDiv(pos.pool, total, pos.longQty)) : 0n;
  }

  take(lot: Lot, qty: bigint, last: boolean): void {
    if (this.pos.average) {
      this.cum += qty;
      const upto = last || this.cum === this.total ? this.all : mulDiv(this.all, this.cum, this.total);
      this.cost = upto - this.prev;
      this.adj = 0n;
      this.prev = upto;
    } else if (qty === lot.qty) {
      this.cost = lot.cost;
      this.adj = lot.adj;
    } else {
      this.cost = mulDiv(lot.cost, qty, lot.qty);
      this.adj = lot.adj === 0n ? 0n : mulDiv(lot.adj, qty, lot.qty);
    }
  }
}

interface OpenLoss {
  movement: Movement;
  saleDay: number;
  soldQty: bigint;
  loss: bigint;
  holdingDays: number;
  excluded: ReadonlySet<string>;
}

export interface ReplayInput {
  symbol: string;
  policies: ReadonlyMap<string, AccountPolicy>;
  /** Sorted by (day, seq). */
  events: readonly LedgerEvent[];
  /** The partition before the first event; empty when replaying from scratch. */
  initial?: PartitionState;
}

export function replayPartition(input: ReplayInput): PartitionResult {
  return new Replay(input).run();
}

class Replay {
  private readonly positions = new Map<string, Position>();
  private readonly carriedLots: Lot[];
  private readonly createdLots: Lot[] = [];
  private readonly movements: Movement[] = [];
  private readonly updated = new Set<Movement>();
  private readonly matches: WashMatch[] = [];
  private readonly outcomes: (TxOutcome | null)[];
  private index = -1;
  private pending: OpenLoss[] = [];
  private pendingHead = 0;
  private readonly restoredMovements = new Set<Movement>();
  private ordinal = 0;
  /** Ids of the wash-sale pieces the event being applied has split off. */
  private readonly pieceIds = new Set<string>();

  constructor(private readonly input: ReplayInput) {
    this.outcomes = new Array<TxOutcome | null>(input.events.length).fill(null);
    const initial = input.initial;
    this.carriedLots = initial ? [...initial.lots] : [];
    if (initial) {
      for (const lot of initial.lots) {
        const pos = this.position(lot.accountId);
        if (lot.short) pos.shorts.push(lot);
        else pos.insertLong(lot);
      }
      for (const pos of this.positions.values()) {
        pos.shorts.sort((a, b) => a.createdDay - b.createdDay || a.createdSeq - b.createdSeq);
        if (pos.average) {
          pos.pool = initial.pools.get(pos.accountId) ?? 0n;
          pos.stale = true;
        }
      }
      for (const p of initial.pendingLosses) this.pending.push(this.openLoss(p));
      for (const p of initial.pendingLosses) this.restoredMovements.add(p.movement);
    }
  }

  run(): PartitionResult {
    const events = this.input.events;
    for (let i = 0; i < events.length; i++) {
      this.index = i;
      this.apply(events[i] as LedgerEvent);
    }
    const positions = new Map<string, PositionTotals>();
    for (const pos of this.positions.values()) {
      pos.materialize();
      let qty = 0n;
      let cost = 0n;
      let adj = 0n;
      let openLots = 0;
      for (let i = pos.head; i < pos.longs.length; i++) {
        const lot = pos.longs[i] as Lot;
        qty += lot.qty;
        cost += lot.cost;
        adj += lot.adj;
        openLots++;
      }
      for (const lot of pos.shorts) {
        qty += lot.qty;
        cost += lot.cost;
        openLots++;
      }
      positions.set(pos.accountId, { qty, cost, adj, openLots });
    }
    return {
      lots: [...this.carriedLots, ...this.createdLots],
      createdLots: this.createdLots,
      carriedLots: this.carriedLots,
      movements: this.movements,
      updatedMovements: [...this.updated],
      matches: this.matches,
      outcomes: this.outcomes,
      positions,
    };
  }

  private position(accountId: string): Position {
    let pos = this.positions.get(accountId);
    if (!pos) {
      const policy = this.input.policies.get(accountId);
      if (!policy) throw new Error(`No policy for account ${accountId}`);
      pos = new Position(accountId, policy);
      this.positions.set(accountId, pos);
    }
    return pos;
  }

  /** The outcome of the event being applied. */
  private outcome(): TxOutcome {
    let o = this.outcomes[this.index];
    if (!o) {
      o = { realizedGain: null, costBasis: null };
      this.outcomes[this.index] = o;
    }
    return o;
  }

  private apply(e: LedgerEvent): void {
    this.ordinal = 0;
    this.pieceIds.clear();
    switch (e.type) {
      case 'buy':
        this.acquire(e, e.amount !== null ? -e.amount : extend(e.quantity, e.price) + e.fees);
        return;
      case 'dividend':
        if (e.reinvested && e.quantity > 0n) this.acquire(e, extend(e.quantity, e.price) + e.fees);
        return;
      case 'sell':
        this.sell(e, e.amount !== null ? e.amount : extend(e.quantity, e.price) - e.fees);
        return;
      case 'transfer_out':
        if (e.quantity > 0n) this.transfer(e);
        return;
      case 'split':
        this.split(e);
        return;
      case 'return_of_capital':
        if (e.amount !== null && e.amount > 0n) this.returnOfCapital(e, e.amount);
        return;
      default:
        // Cash-only types (interest, fees, taxes, deposits, withdrawals, cash dividends) and the
        // receiving side of a transfer (applied with its transfer_out) leave lots alone.
        return;
    }
  }

  private movement(
    e: LedgerEvent,
    lot: Lot,
    kind: MovementKind,
    qty: bigint,
    cost: bigint,
    adj: bigint,
    proceeds: bigint | null,
    gain: bigint | null,
    term: Term | null,
  ): Movement {
    const m: Movement = {
      id: null,
      lotId: lot.id,
      accountId: lot.accountId,
      txId: e.id,
      day: e.day,
      seq: e.seq,
      ordinal: this.ordinal++,
      kind,
      qty,
      cost,
      adj,
      proceeds,
      gain,
      term,
      acquiredDay: lot.acquiredDay,
      holdingStartDay: lot.holdingStartDay,
      lotSourceTxId: lot.sourceTxId,
      washDisallowed: 0n,
      washMatchedQty: 0n,
    };
    this.movements.push(m);
    return m;
  }

  private newLot(
    e: LedgerEvent,
    id: string,
    accountId: string,
    init: Pick<
      Lot,
      'parentId' | 'sourceTxId' | 'acquiredDay' | 'holdingStartDay' | 'orderSeq' | 'short' | 'washReplacement'
    > & { qty: bigint; cost: bigint; adj: bigint; createdBy?: string },
  ): Lot {
    const lot: Lot = {
      id,
      accountId,
      createdBy: init.createdBy ?? e.id,
      createdDay: e.day,
      createdSeq: e.seq,
      parentId: init.parentId,
      sourceTxId: init.sourceTxId,
      acquiredDay: init.acquiredDay,
      holdingStartDay: init.holdingStartDay,
      orderSeq: init.orderSeq,
      short: init.short,
      washReplacement: init.washReplacement,
      qtyOpened: init.qty,
      costOpened: init.cost,
      adjOpened: init.adj,
      qty: init.qty,
      cost: init.cost,
      adj: init.adj,
      closedDay: null,
    };
    this.createdLots.push(lot);
    return lot;
  }

  // ── purchases ────────────────────────────────────────────────────────────────────────────────

  private acquire(e: LedgerEvent, totalCost: bigint): void {
    const pos = this.position(e.accountId);
    const out = this.outcome();
    out.costBasis = totalCost;
    let qty = e.quantity;
    let cost = totalCost;
    // A purchase first closes short lots, oldest first.
    while (qty > 0n && pos.shorts.length > 0) {
      const short = pos.shorts[0] as Lot;
      const open = -short.qty;
      const take = min(open, qty);
      const coverCost = take === qty ? cost : mulDiv(cost, take, qty);
      const shortPart = take === open ? short.cost : mulDiv(short.cost, take, open);
      const proceeds = -shortPart;
      const gain = proceeds - coverCost;
      // Short sales are short-term: the holding period of the shares delivered is what counts, and
      // they are bought now (IRS Publication 550, "Short Sales").
      this.movement(e, short, 'short_cover', take, -shortPart, 0n, proceeds, gain, 'short');
      out.realizedGain = (out.realizedGain ?? 0n) + gain;
      short.qty += take;
      short.cost -= shortPart;
      if (short.qty === 0n) {
        short.closedDay = e.day;
        pos.shorts.shift();
      }
      qty -= take;
      cost -= coverCost;
    }
    if (qty === 0n) return;
    const lot = this.newLot(e, e.id, e.accountId, {
      parentId: null,
      sourceTxId: e.id,
      acquiredDay: e.day,
      holdingStartDay: e.day,
      orderSeq: e.seq,
      short: false,
      washReplacement: false,
      qty,
      cost,
      adj: 0n,
    });
    pos.insertLong(lot);
    if (pos.average) {
      pos.pool += cost;
      pos.stale = true;
    }
    this.matchPendingLosses(e, pos, lot);
  }

  // ── sales ────────────────────────────────────────────────────────────────────────────────────

  private sell(e: LedgerEvent, proceeds: bigint): void {
    const pos = this.position(e.accountId);
    const asked = e.quantity;
    if (asked === 0n) return;
    const held = pos.longQty;
    let longQty = asked;
    if (asked > held) {
      if (!pos.policy.allowShort || e.lotSelection) {
        throw new OversellError(e.id, e.accountId, this.input.symbol, held < 0n ? 0n : held, asked);
      }
      longQty = held;
    }
    const out = this.outcome();
    const longProceeds = longQty === asked ? proceeds : mulDiv(proceeds, longQty, asked);
    if (longQty > 0n) {
      const taken = this.choose(e, pos, longQty);
      const basis = new BasisTaker(pos, longQty);
      let lossMovements: Movement[] | null = null;
      let proceedsLeft = longProceeds;
      let realized = 0n;
      let basisTotal = 0n;
      const last = taken.length - 1;
      for (let i = 0; i <= last; i++) {
        const { lot, qty } = taken[i] as Taken;
        basis.take(lot, qty, i === last);
        const cost = basis.cost;
        const adj = basis.adj;
        const part = i === last ? proceedsLeft : mulDiv(longProceeds, qty, longQty);
        proceedsLeft -= part;
        const gain = part - cost - adj;
        const term: Term = isLongTerm(lot.holdingStartDay, e.day) ? 'long' : 'short';
        const m = this.movement(e, lot, 'sale', -qty, -cost, -adj, part, gain, term);
        this.reduce(pos, lot, qty, cost, adj, e.day);
        realized += gain;
        basisTotal += cost + adj;
        if (gain < 0n) {
          lossMovements ??= [];
          lossMovements.push(m);
        }
      }
      out.realizedGain = (out.realizedGain ?? 0n) + realized;
      out.costBasis = (out.costBasis ?? 0n) + basisTotal;
      if (lossMovements && !pos.policy.taxAdvantaged) {
        const sources = new Set<string>();
        for (const t of taken) sources.add(t.lot.sourceTxId);
        for (const m of lossMovements) {
          const loss = this.openLoss({ movement: m, saleDay: e.day, excludedSources: sources });
          this.pending.push(loss);
          this.matchEarlierPurchases(e, loss);
        }
      }
    }
    const shortQty = asked - longQty;
    if (shortQty > 0n) {
      if (pos.longQty !== 0n) throw new Error('short sale with long lots left');
      const shortProceeds = proceeds - longProceeds;
      const lot = this.newLot(e, derivedLotId(e.id, 'short'), e.accountId, {
        parentId: null,
        sourceTxId: e.id,
        acquiredDay: e.day,
        holdingStartDay: e.day,
        orderSeq: e.seq,
        short: true,
        washReplacement: false,
        qty: -shortQty,
        cost: -shortProceeds,
        adj: 0n,
      });
      pos.shorts.push(lot);
    }
  }

  /** Lots a sale or transfer consumes, and how much of each. */
  private choose(e: LedgerEvent, pos: Position, qty: bigint): Taken[] {
    if (e.lotSelection) return this.chooseSelected(e, pos, qty);
    const longs = pos.longs;
    const taken: Taken[] = [];
    let left = qty;
    switch (pos.policy.method) {
      case 'lifo':
        for (let i = longs.length - 1; i >= pos.head && left > 0n; i--) {
          const lot = longs[i] as Lot;
          const take = min(lot.qty, left);
          taken.push({ lot, qty: take });
          left -= take;
        }
        break;
      case 'hifo': {
        // Highest basis per share first; among equals, the earliest acquired.
        const order = longs.slice(pos.head);
        order.sort((a, b) => {
          const lhs = (a.cost + a.adj) * b.qty;
          const rhs = (b.cost + b.adj) * a.qty;
          if (lhs !== rhs) return lhs > rhs ? -1 : 1;
          return compareLots(a, b);
        });
        for (const lot of order) {
          if (left === 0n) break;
          const take = min(lot.qty, left);
          taken.push({ lot, qty: take });
          left -= take;
        }
        break;
      }
      default:
        // fifo, average (shares leave first-in first-out for the holding period), and specific
        // identification when a sale names no lots.
        for (let i = pos.head; i < longs.length && left > 0n; i++) {
          const lot = longs[i] as Lot;
          const take = min(lot.qty, left);
          taken.push({ lot, qty: take });
          left -= take;
        }
    }
    return taken;
  }

  private chooseSelected(e: LedgerEvent, pos: Position, qty: bigint): Taken[] {
    const selection = e.lotSelection ?? [];
    const taken: Taken[] = [];
    const seen = new Set<string>();
    let total = 0n;
    selection.forEach((sel, index) => {
      if (seen.has(sel.lotId)) throw new LotSelectionError(e.id, index, `lot ${sel.lotId} is named twice`);
      seen.add(sel.lotId);
      let lot: Lot | undefined;
      for (let i = pos.head; i < pos.longs.length; i++) {
        if ((pos.longs[i] as Lot).id === sel.lotId) {
          lot = pos.longs[i] as Lot;
          break;
        }
      }
      if (!lot) {
        throw new LotSelectionError(e.id, index, `lot ${sel.lotId} is not open in this account at that date`);
      }
      if (sel.quantity <= 0n || sel.quantity > lot.qty) {
        throw new LotSelectionError(e.id, index, `lot ${sel.lotId} holds less than the quantity named`);
      }
      taken.push({ lot, qty: sel.quantity });
      total += sel.quantity;
    });
    if (total !== qty) {
      throw new LotSelectionError(e.id, null, 'the quantities of the lots named must add up to the quantity');
    }
    return taken;
  }

  /** Takes quantity and basis out of a long lot (and the pool), closing it when empty. */
  private reduce(pos: Position, lot: Lot, qty: bigint, cost: bigint, adj: bigint, day: number): void {
    lot.qty -= qty;
    pos.longQty -= qty;
    if (pos.average) {
      pos.pool -= cost + adj;
      pos.stale = true;
    } else {
      lot.cost -= cost;
      lot.adj -= adj;
    }
    if (lot.qty === 0n) {
      lot.closedDay = day;
      if (pos.average) {
        lot.cost = 0n;
        lot.adj = 0n;
      }
      pos.removeLong(lot);
    }
  }

  // ── transfers ────────────────────────────────────────────────────────────────────────────────

  private transfer(e: LedgerEvent): void {
    const from = this.position(e.accountId);
    const toId = e.counterpartAccountId;
    if (!toId) throw new PositionConflictError('A transfer needs the counterpart account', e.id);
    const to = this.position(toId);
    if (e.quantity > from.longQty) {
      throw new OversellError(e.id, e.accountId, this.input.symbol, from.longQty, e.quantity);
    }
    if (to.shorts.length > 0) {
      throw new PositionConflictError('Shares cannot be transferred into a short position', e.id);
    }
    const taken = this.choose(e, from, e.quantity);
    const basis = new BasisTaker(from, e.quantity);
    const receivingTx = e.counterpartTransactionId ?? e.id;
    let moved = 0n;
    for (let i = 0; i < taken.length; i++) {
      const { lot, qty } = taken[i] as Taken;
      basis.take(lot, qty, i === taken.length - 1);
      const cost = basis.cost;
      const adj = basis.adj;
      this.movement(e, lot, 'transfer', -qty, -cost, -adj, null, null, null);
      this.reduce(from, lot, qty, cost, adj, e.day);
      const child = this.newLot(e, derivedLotId(receivingTx, 'transfer', lot.id), toId, {
        createdBy: receivingTx,
        parentId: lot.id,
        sourceTxId: lot.sourceTxId,
        acquiredDay: lot.acquiredDay,
        holdingStartDay: lot.holdingStartDay,
        orderSeq: lot.orderSeq,
        short: false,
        washReplacement: lot.washReplacement,
        qty,
        cost: to.average ? cost + adj : cost,
        adj: to.average ? 0n : adj,
      });
      to.insertLong(child);
      if (to.average) {
        to.pool += cost + adj;
        to.stale = true;
      }
      moved += cost + adj;
    }
    this.outcome().costBasis = moved;
  }

  // ── splits and returns of capital ────────────────────────────────────────────────────────────

  private split(e: LedgerEvent): void {
    const pos = this.positions.get(e.accountId);
    if (!pos || e.splitTo <= 0n || e.splitFrom <= 0n) return;
    const scale = (lot: Lot): void => {
      let next = mulDiv(lot.qty, e.splitTo, e.splitFrom);
      // A lot never rounds away entirely: its basis would be lost with it.
      if (next === 0n) next = lot.qty < 0n ? -1n : 1n;
      const delta = next - lot.qty;
      if (delta === 0n) return;
      this.movement(e, lot, 'split', delta, 0n, 0n, null, null, null);
      lot.qty = next;
      if (!lot.short) pos.longQty += delta;
    };
    for (let i = pos.head; i < pos.longs.length; i++) scale(pos.longs[i] as Lot);
    for (const lot of pos.shorts) scale(lot);
    // Each lot's quantity rounds on its own, so the pool's split over the lots may shift.
    if (pos.average) pos.stale = true;
  }

  private returnOfCapital(e: LedgerEvent, amount: bigint): void {
    const pos = this.positions.get(e.accountId);
    if (!pos || pos.longQty <= 0n) return;
    pos.materialize();
    const longs = pos.openLongs();
    const total = pos.longQty;
    let cum = 0n;
    let prev = 0n;
    let excessTotal = 0n;
    let reducedTotal = 0n;
    for (const lot of longs) {
      cum += lot.qty;
      const upto = mulDiv(amount, cum, total);
      const share = upto - prev;
      prev = upto;
      const basis = lot.cost + lot.adj;
      const reduced = min(share, basis > 0n ? basis : 0n);
      const fromCost = min(reduced, lot.cost > 0n ? lot.cost : 0n);
      const fromAdj = reduced - fromCost;
      const excess = share - reduced;
      const term: Term = isLongTerm(lot.holdingStartDay, e.day) ? 'long' : 'short';
      // Publication 550, "Return of capital": it reduces basis; once basis is zero the rest is a
      // capital gain, long- or short-term by the shares' holding period.
      this.movement(e, lot, 'return_of_capital', 0n, -fromCost, -fromAdj, share, excess, term);
      lot.cost -= fromCost;
      lot.adj -= fromAdj;
      excessTotal += excess;
      reducedTotal += reduced;
    }
    if (pos.average) {
      // The lots' costs were just reduced by their rounded shares of the return; the basis is the
      // pool, and each lot's cost is re-derived from it when next read (see Position.pool).
      pos.pool -= reducedTotal;
      pos.stale = true;
    }
    const out = this.outcome();
    out.realizedGain = (out.realizedGain ?? 0n) + excessTotal;
  }

  // ── wash sales ───────────────────────────────────────────────────────────────────────────────

  private openLoss(p: PendingLoss): OpenLoss {
    const m = p.movement;
    return {
      movement: m,
      saleDay: p.saleDay,
      soldQty: -m.qty,
      loss: -(m.gain ?? 0n),
      holdingDays: p.saleDay - m.holdingStartDay,
      excluded: p.excludedSources,
    };
  }

  /** A loss sale looks back 30 days for purchases still held, earliest acquired first. */
  private matchEarlierPurchases(e: LedgerEvent, loss: OpenLoss): void {
    const from = e.day - WASH_SALE_WINDOW_DAYS;
    const candidates: { lot: Lot; pos: Position }[] = [];
    for (const pos of this.positions.values()) {
      for (let i = pos.longs.length - 1; i >= pos.head; i--) {
        const lot = pos.longs[i] as Lot;
        if (lot.acquiredDay < from) break;
        if (lot.acquiredDay > e.day || lot.washReplacement || loss.excluded.has(lot.sourceTxId)) continue;
        // Only purchases: shares received by transfer were bought when their source was.
        candidates.push({ lot, pos });
      }
    }
    if (candidates.length === 0) return;
    candidates.sort((a, b) => compareLots(a.lot, b.lot));
    let k = 0;
    for (const { lot, pos } of candidates) {
      const left = loss.soldQty - loss.movement.washMatchedQty;
      if (left <= 0n) break;
      this.replace(e, pos, lot, loss, min(lot.qty, left), k++);
    }
  }

  /** A purchase replaces the shares of earlier loss sales still unmatched, earliest loss first. */
  private matchPendingLosses(e: LedgerEvent, pos: Position, lot: Lot): void {
    const pending = this.pending;
    const from = e.day - WASH_SALE_WINDOW_DAYS;
    // Losses are kept in disposal order: drop those out of the window or fully matched from the front.
    let head = this.pendingHead;
    while (head < pending.length) {
      const first = pending[head] as OpenLoss;
      if (first.saleDay >= from && first.movement.washMatchedQty < first.soldQty) break;
      head++;
    }
    if (head > 1024 && head * 2 > pending.length) {
      this.pending = pending.slice(head);
      head = 0;
    }
    this.pendingHead = head;
    let k = 0;
    for (let i = head; i < this.pending.length && lot.qty > 0n; i++) {
      const loss = this.pending[i] as OpenLoss;
      const left = loss.soldQty - loss.movement.washMatchedQty;
      if (left <= 0n || loss.saleDay < from) continue;
      this.replace(e, pos, lot, loss, min(lot.qty, left), k++);
    }
  }

  /**
   * Splits `qty` shares off `lot` as the replacement for part of a loss: the piece carries the
   * disallowed loss in its basis and the sold shares' holding period (IRS Publication 550, "Wash
   * Sales"; 26 CFR 1.1091-2). In a tax-advantaged account the loss is disallowed without the
   * basis adjustment.
   */
  private replace(e: LedgerEvent, pos: Position, lot: Lot, loss: OpenLoss, qty: bigint, k: number): void {
    const m = loss.movement;
    const before = m.washMatchedQty;
    const after = before + qty;
    const disallowed = mulDiv(loss.loss, after, loss.soldQty) - mulDiv(loss.loss, before, loss.soldQty);
    m.washMatchedQty = after;
    m.washDisallowed += disallowed;
    if (this.restoredMovements.has(m)) this.updated.add(m);
    const basisAdjusted = !pos.policy.taxAdvantaged;
    const [cost, adj] = pos.average
      ? [0n, 0n]
      : qty === lot.qty
        ? [lot.cost, lot.adj]
        : [mulDiv(lot.cost, qty, lot.qty), mulDiv(lot.adj, qty, lot.qty)];
    this.movement(e, lot, 'wash_split', -qty, -cost, -adj, null, null, null);
    // Average cost: cost and adj are zero here, the pool keeps the basis and the piece its share.
    this.reduce(pos, lot, qty, cost, adj, e.day);
    const added = basisAdjusted ? disallowed : 0n;
    // A sale with several loss lines matches each against the earlier purchases from k = 0, so two
    // lines may split the same purchase at the same k: the second piece is named after its loss
    // line too. (Pieces that never collided keep the ids they always had: sales name lots by id.)
    let pieceId = derivedLotId(e.id, `wash${k}`, lot.id);
    if (this.pieceIds.has(pieceId)) pieceId = derivedLotId(e.id, `wash${k}/${m.ordinal}`, lot.id);
    this.pieceIds.add(pieceId);
    const piece = this.newLot(e, pieceId, lot.accountId, {
      parentId: lot.id,
      sourceTxId: lot.sourceTxId,
      acquiredDay: lot.acquiredDay,
      holdingStartDay: lot.holdingStartDay - loss.holdingDays,
      orderSeq: lot.orderSeq,
      short: false,
      washReplacement: true,
      qty,
      cost,
      adj: adj + added,
    });
    pos.insertLong(piece);
    if (pos.average) {
      pos.pool += added;
      pos.stale = true;
    }
    this.matches.push({
      lossMovement: m,
      replacementLotId: piece.id,
      txId: e.id,
      day: e.day,
      seq: e.seq,
      qty,
      disallowed,
      carriedDays: loss.holdingDays,
      basisAdjusted,
    });
  }
}

/** The outcomes of a replay keyed by transaction id. */
export function outcomesById(
  events: readonly LedgerEvent[],
  result: Pick<PartitionResult, 'outcomes'>,
): Map<string, TxOutcome> {
  const map = new Map<string, TxOutcome>();
  result.outcomes.forEach((o, i) => {
    if (o) map.set((events[i] as LedgerEvent).id, o);
  });
  return map;
}
