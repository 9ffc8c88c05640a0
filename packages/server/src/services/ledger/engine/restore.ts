/**
 * Rebuilds a partition's state as it was before a given day from what replays stored, so a
 * back-dated change replays only from its own date. Every change a replay makes to a lot is a
 * stored movement with the day of the transaction that caused it, so the state before day D is
 * the stored state with the movements of days ≥ D taken back out:
 *
 * - a lot created before D and not closed before D is alive at D; its quantity, cost and
 *   adjustment at D are its current values minus its movements on days ≥ D;
 * - an average-cost account's pool at D is its open lots' basis now, minus what lots created on
 *   days ≥ D brought in, minus its movements on days ≥ D (see partition.ts: the pool changes only
 *   through those);
 * - a loss sale in the 30 days before D may still wash with a purchase on or after D: its matched
 *   quantity and disallowed loss at D are its totals minus the matches made on days ≥ D.
 */
import { WASH_SALE_WINDOW_DAYS } from './partition.js';
import type { AccountPolicy, Lot, Movement, PartitionState, PendingLoss } from './types.js';

export interface StoredMatch {
  lossMovementId: string;
  qty: bigint;
  disallowed: bigint;
}

export interface RestoreInput {
  startDay: number;
  policies: ReadonlyMap<string, AccountPolicy>;
  /** Lots created before `startDay` and not closed before it, with their current values. */
  aliveLots: readonly Lot[];
  /** Lots created on or after `startDay` (needed for average-cost pools). */
  laterLots: readonly Lot[];
  /** Movements of days ≥ `startDay`. */
  laterMovements: readonly Pick<Movement, 'lotId' | 'accountId' | 'qty' | 'cost' | 'adj'>[];
  /** Sale movements of the 30 days before `startDay` (all of them: siblings name excluded lots). */
  recentSales: readonly Movement[];
  /** Matches of days ≥ `startDay` on those sales. */
  laterMatches: readonly StoredMatch[];
}

export function restoreState(input: RestoreInput): PartitionState {
  const byLot = new Map<string, { qty: bigint; cost: bigint; adj: bigint }>();
  for (const m of input.laterMovements) {
    const sum = byLot.get(m.lotId);
    if (sum) {
      sum.qty += m.qty;
      sum.cost += m.cost;
      sum.adj += m.adj;
    } else byLot.set(m.lotId, { qty: m.qty, cost: m.cost, adj: m.adj });
  }

  const lots: Lot[] = [];
  for (const stored of input.aliveLots) {
    const later = byLot.get(stored.id);
    const lot: Lot = { ...stored, closedDay: null };
    if (later) {
      lot.qty -= later.qty;
      lot.cost -= later.cost;
      lot.adj -= later.adj;
    }
    if (lot.qty !== 0n) lots.push(lot);
  }

  // Average-cost pools.
  const pools = new Map<string, bigint>();
  const isAverage = (accountId: string) => input.policies.get(accountId)?.method === 'average';
  const shortLots = new Set<string>();
  for (const lot of [...input.aliveLots, ...input.laterLots]) {
    if (lot.short) shortLots.add(lot.id);
    else if (lot.closedDay === null && isAverage(lot.accountId)) {
      pools.set(lot.accountId, (pools.get(lot.accountId) ?? 0n) + lot.cost + lot.adj);
    }
  }
  for (const lot of input.laterLots) {
    if (!lot.short && isAverage(lot.accountId)) {
      pools.set(lot.accountId, (pools.get(lot.accountId) ?? 0n) - lot.costOpened - lot.adjOpened);
    }
  }
  for (const m of input.laterMovements) {
    if (!shortLots.has(m.lotId) && isAverage(m.accountId)) {
      pools.set(m.accountId, (pools.get(m.accountId) ?? 0n) - m.cost - m.adj);
    }
  }

  // Loss sales that may still wash.
  const matched = new Map<string, { qty: bigint; disallowed: bigint }>();
  for (const match of input.laterMatches) {
    const sum = matched.get(match.lossMovementId);
    if (sum) {
      sum.qty += match.qty;
      sum.disallowed += match.disallowed;
    } else matched.set(match.lossMovementId, { qty: match.qty, disallowed: match.disallowed });
  }
  const sourcesBySale = new Map<string, Set<string>>();
  for (const m of input.recentSales) {
    let set = sourcesBySale.get(m.txId);
    if (!set) {
      set = new Set();
      sourcesBySale.set(m.txId, set);
    }
    set.add(m.lotSourceTxId);
  }
  const pendingLosses: PendingLoss[] = [];
  const sales = [...input.recentSales].sort(
    (a, b) => a.day - b.day || a.seq - b.seq || a.ordinal - b.ordinal,
  );
  for (const stored of sales) {
    if (stored.kind !== 'sale' || stored.gain === null || stored.gain >= 0n) continue;
    if (stored.day < input.startDay - WASH_SALE_WINDOW_DAYS) continue;
    if (input.policies.get(stored.accountId)?.taxAdvantaged) continue;
    const undo = matched.get(stored.id ?? '');
    const movement: Movement = {
      ...stored,
      washMatchedQty: stored.washMatchedQty - (undo?.qty ?? 0n),
      washDisallowed: stored.washDisallowed - (undo?.disallowed ?? 0n),
    };
    if (movement.washMatchedQty >= -movement.qty) continue;
    pendingLosses.push({
      movement,
      saleDay: stored.day,
      excludedSources: sourcesBySale.get(stored.txId) ?? new Set(),
    });
  }

  return { lots, pools, pendingLosses };
}
