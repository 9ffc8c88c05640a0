/**
 * Data of the ledger engine. The engine replays one *partition* — one user's transactions in one
 * symbol, across all of that user's transaction-tracked accounts — because two rules cross account
 * boundaries: transfers carry lots from one account to another, and wash sales look for
 * replacement purchases in every account (IRS Publication 550).
 *
 * Amounts are fixed-point bigints (see fixed.ts): quantities in 1e-10 units, money in 1e-8 units.
 * Dates are day numbers (see days.ts).
 */
import type { CostBasisMethod } from '@fo/schema';

export type LedgerEventType =
  | 'buy'
  | 'sell'
  | 'dividend'
  | 'interest'
  | 'fee'
  | 'tax'
  | 'deposit'
  | 'withdrawal'
  | 'transfer_in'
  | 'transfer_out'
  | 'split'
  | 'return_of_capital';

/** How an account treats lots. */
export interface AccountPolicy {
  method: CostBasisMethod;
  /** Selling more than is held opens a short position instead of failing. */
  allowShort: boolean;
  /**
   * IRAs and similar: their own losses are not deductible (no wash-sale bookkeeping for their
   * sales), and a purchase in them still washes a loss elsewhere, without the basis adjustment
   * (Rev. Rul. 2008-5).
   */
  taxAdvantaged: boolean;
}

export interface LotSelection {
  lotId: string;
  quantity: bigint;
}

/** One transaction, as the engine sees it. */
export interface LedgerEvent {
  id: string;
  accountId: string;
  type: LedgerEventType;
  day: number;
  /** Insertion order; with `day` it totally orders a partition's events. */
  seq: number;
  /** ≥ 0; the number of shares bought, sold, reinvested or transferred. */
  quantity: bigint;
  price: bigint;
  fees: bigint;
  /**
   * The transaction's amount: for buys the (negative) total paid, for sells the net proceeds, for a
   * reinvested dividend the dividend reinvested, for a return of capital the cash received. Null
   * when not given (buys and sells then use quantity × price and fees).
   */
  amount: bigint | null;
  /** Split ratio `splitTo : splitFrom`, e.g. 10 : 1 (ten new shares for one old), in qty units. */
  splitTo: bigint;
  splitFrom: bigint;
  reinvested: boolean;
  /** Transfers: the other account and the other side's transaction. */
  counterpartAccountId: string | null;
  counterpartTransactionId: string | null;
  /** Specific identification: the lots a sell or transfer consumes, in order. */
  lotSelection: readonly LotSelection[] | null;
}

export type MovementKind =
  | 'sale' // a long lot sold: a realization
  | 'short_cover' // a short lot bought back: a realization
  | 'return_of_capital' // basis reduced; any excess over basis realized as gain
  | 'transfer' // the lot left for another account (no realization)
  | 'split' // quantity scaled by a stock split
  | 'wash_split'; // part of the lot split off as a wash-sale replacement piece

export type Term = 'short' | 'long';

/** A tax lot: what was acquired when, and what is left of it. */
export interface Lot {
  id: string;
  accountId: string;
  /** The transaction whose replay created this lot (a buy, a reinvested dividend, the transfer_in
   *  receiving it, a short sale, or the event that split off a wash-sale replacement piece). */
  createdBy: string;
  createdDay: number;
  createdSeq: number;
  parentId: string | null;
  /** The purchase this lot descends from; pieces of one purchase never replace each other. */
  sourceTxId: string;
  /** Acquisition date (the original purchase's for transferred lots); orders FIFO and LIFO. */
  acquiredDay: number;
  /** Start of the holding period: the acquisition date, moved back by a wash sale's carried period. */
  holdingStartDay: number;
  /** Seq of the original purchase; FIFO tie-breaker after the acquisition date. */
  orderSeq: number;
  short: boolean;
  /** This lot already served as a wash-sale replacement (pieces do; a share replaces once). */
  washReplacement: boolean;
  qtyOpened: bigint;
  costOpened: bigint;
  adjOpened: bigint;
  /** Remaining quantity (negative for a short lot). */
  qty: bigint;
  /** Remaining cost, fees included (negative for a short lot: the proceeds received). */
  cost: bigint;
  /** Remaining wash-sale basis adjustment (disallowed losses added to this lot). */
  adj: bigint;
  closedDay: number | null;
}

/** One change to a lot caused by one transaction; sales and covers are the realized-gain lines. */
export interface Movement {
  /** Null until stored; set for movements read back from storage. */
  id: string | null;
  lotId: string;
  accountId: string;
  txId: string;
  day: number;
  seq: number;
  /** Order among the movements of one transaction. */
  ordinal: number;
  kind: MovementKind;
  /** Signed changes to the lot. */
  qty: bigint;
  cost: bigint;
  adj: bigint;
  /** Realizations: proceeds allocated to this lot, and gain = proceeds − (cost + adjustment) taken. */
  proceeds: bigint | null;
  gain: bigint | null;
  term: Term | null;
  acquiredDay: number;
  holdingStartDay: number;
  lotSourceTxId: string;
  /** Wash sale: loss disallowed so far and the sold quantity matched with replacement shares. */
  washDisallowed: bigint;
  washMatchedQty: bigint;
}

/** A wash-sale match: `qty` sold shares of `loss` replaced by the piece lot `replacementLotId`. */
export interface WashMatch {
  lossMovement: Movement;
  replacementLotId: string;
  /** The transaction that made the match: the loss sale (earlier purchase) or the later purchase. */
  txId: string;
  day: number;
  seq: number;
  qty: bigint;
  disallowed: bigint;
  /** Days of the sold shares' holding period carried to the replacement. */
  carriedDays: number;
  /** False when the replacement sits in a tax-advantaged account: the loss is lost, not deferred. */
  basisAdjusted: boolean;
}

/** A loss sale within 30 days before the replay start, with sold shares not yet matched. */
export interface PendingLoss {
  movement: Movement;
  saleDay: number;
  /** Source purchases of every lot the same sale consumed. */
  excludedSources: ReadonlySet<string>;
}

/** Where a replay starts: the partition as it was before its first event. */
export interface PartitionState {
  lots: Lot[];
  /** Average-cost accounts: the pooled basis (cost and adjustments) of the open long lots. */
  pools: ReadonlyMap<string, bigint>;
  pendingLosses: PendingLoss[];
}

export interface TxOutcome {
  /** Sum of realization gains (sales, covers, returns of capital beyond basis), before wash sales. */
  realizedGain: bigint | null;
  /** Basis taken by a sale or cover, or opened by a purchase. */
  costBasis: bigint | null;
}

export interface PositionTotals {
  qty: bigint;
  cost: bigint;
  adj: bigint;
  openLots: number;
}

export interface PartitionResult {
  /** Every lot alive at the start or created during the replay, in its final state. */
  lots: Lot[];
  /** Lots the replay created. */
  createdLots: Lot[];
  /** Lots alive at the start (the `initial` state's), in their final state. */
  carriedLots: Lot[];
  /** Movements created during the replay, in event order. */
  movements: Movement[];
  /** Loss movements from before the replay whose wash-sale totals changed. */
  updatedMovements: Movement[];
  matches: WashMatch[];
  /** Per event, aligned with the input events; null for events that realize or open nothing. */
  outcomes: (TxOutcome | null)[];
  /** Totals of every account the partition touched. */
  positions: Map<string, PositionTotals>;
}
