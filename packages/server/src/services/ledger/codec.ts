/**
 * Rows ↔ engine values. numeric columns arrive as exact decimal strings (db/knex.ts), dates as
 * 'YYYY-MM-DD', int8 as numbers; the engine works in scaled bigints and day numbers.
 */
import { isoToDay } from '@fo/schema/calendar';
import {
  formatFixed,
  type LedgerEvent,
  type LedgerEventType,
  type Lot,
  MONEY_SCALE,
  type Movement,
  type MovementKind,
  parseColumn,
  QTY_SCALE,
  type Term,
} from './engine/index.js';

export const q = (text: string): bigint => parseColumn(text, QTY_SCALE);
export const m = (text: string): bigint => parseColumn(text, MONEY_SCALE);
export const qOrZero = (text: string | null): bigint => (text === null ? 0n : q(text));
export const mOrZero = (text: string | null): bigint => (text === null ? 0n : m(text));
export const fq = (v: bigint): string => formatFixed(v, QTY_SCALE);
export const fm = (v: bigint): string => formatFixed(v, MONEY_SCALE);

export interface EventRow {
  id: string;
  account_id: string;
  symbol: string;
  type: LedgerEventType;
  trade_date: string;
  seq: number;
  quantity: string | null;
  price: string | null;
  fees: string;
  amount: string | null;
  split_to: string | null;
  split_from: string | null;
  reinvested: boolean;
  counterpart_account_id: string | null;
  transfer_id: string | null;
  lot_selection: { lotId: string; quantity: string }[] | null;
  realized_gain: string | null;
  cost_basis: string | null;
  wash_sale_disallowed: string;
}

export const EVENT_COLUMNS = `t.id, t.account_id, t.symbol, t.type, t.trade_date, t.seq, t.quantity, t.price, t.fees,
  t.amount, t.split_to, t.split_from, t.reinvested, t.counterpart_account_id, t.transfer_id, t.lot_selection,
  t.realized_gain, t.cost_basis, t.wash_sale_disallowed`;

/** Engine events of one partition's rows (sorted by trade date and seq). */
export function toEvents(rows: readonly EventRow[]): LedgerEvent[] {
  // A transfer_out's lots land in the lots of its transfer_in, found by the shared transfer id.
  const receiving = new Map<string, string>();
  for (const r of rows) if (r.type === 'transfer_in' && r.transfer_id) receiving.set(r.transfer_id, r.id);
  return rows.map((r) => ({
    id: r.id,
    accountId: r.account_id,
    type: r.type,
    day: isoToDay(r.trade_date),
    seq: r.seq,
    quantity: r.type === 'split' ? 0n : qOrZero(r.quantity),
    price: mOrZero(r.price),
    fees: m(r.fees),
    amount: r.amount === null ? null : m(r.amount),
    splitTo: qOrZero(r.split_to),
    splitFrom: qOrZero(r.split_from),
    reinvested: r.reinvested,
    counterpartAccountId: r.counterpart_account_id,
    counterpartTransactionId: r.transfer_id ? (receiving.get(r.transfer_id) ?? null) : null,
    lotSelection: r.lot_selection
      ? r.lot_selection.map((l) => ({ lotId: l.lotId, quantity: q(l.quantity) }))
      : null,
  }));
}

export interface LotRow {
  id: string;
  account_id: string;
  symbol: string;
  created_by_transaction_id: string;
  created_date: string;
  created_seq: number;
  parent_lot_id: string | null;
  source_transaction_id: string;
  acquired_date: string;
  holding_start_date: string;
  order_seq: number;
  is_short: boolean;
  wash_replacement: boolean;
  quantity_opened: string;
  cost_opened: string;
  adjustment_opened: string;
  quantity: string;
  cost: string;
  wash_adjustment: string;
  closed_date: string | null;
}

export const LOT_COLUMNS = `l.id, l.account_id, l.symbol, l.created_by_transaction_id, l.created_date, l.created_seq,
  l.parent_lot_id, l.source_transaction_id, l.acquired_date, l.holding_start_date, l.order_seq, l.is_short,
  l.wash_replacement, l.quantity_opened, l.cost_opened, l.adjustment_opened, l.quantity, l.cost,
  l.wash_adjustment, l.closed_date`;

export function toLot(r: LotRow): Lot {
  return {
    id: r.id,
    accountId: r.account_id,
    createdBy: r.created_by_transaction_id,
    createdDay: isoToDay(r.created_date),
    createdSeq: r.created_seq,
    parentId: r.parent_lot_id,
    sourceTxId: r.source_transaction_id,
    acquiredDay: isoToDay(r.acquired_date),
    holdingStartDay: isoToDay(r.holding_start_date),
    orderSeq: r.order_seq,
    short: r.is_short,
    washReplacement: r.wash_replacement,
    qtyOpened: q(r.quantity_opened),
    costOpened: m(r.cost_opened),
    adjOpened: m(r.adjustment_opened),
    qty: q(r.quantity),
    cost: m(r.cost),
    adj: m(r.wash_adjustment),
    closedDay: r.closed_date === null ? null : isoToDay(r.closed_date),
  };
}

export interface MovementRow {
  id: string;
  lot_id: string;
  account_id: string;
  transaction_id: string;
  event_date: string;
  event_seq: number;
  ordinal: number;
  kind: MovementKind;
  quantity: string;
  cost: string;
  adjustment: string;
  proceeds: string | null;
  gain: string | null;
  term: Term | null;
  acquired_date: string;
  holding_start_date: string;
  lot_source_transaction_id: string;
  wash_sale_disallowed: string;
  wash_matched_quantity: string;
}

export const MOVEMENT_COLUMNS = `a.id, a.lot_id, a.account_id, a.transaction_id, a.event_date, a.event_seq, a.ordinal,
  a.kind, a.quantity, a.cost, a.adjustment, a.proceeds, a.gain, a.term, a.acquired_date, a.holding_start_date,
  a.lot_source_transaction_id, a.wash_sale_disallowed, a.wash_matched_quantity`;

export function toMovement(r: MovementRow): Movement {
  return {
    id: r.id,
    lotId: r.lot_id,
    accountId: r.account_id,
    txId: r.transaction_id,
    day: isoToDay(r.event_date),
    seq: r.event_seq,
    ordinal: r.ordinal,
    kind: r.kind,
    qty: q(r.quantity),
    cost: m(r.cost),
    adj: m(r.adjustment),
    proceeds: r.proceeds === null ? null : m(r.proceeds),
    gain: r.gain === null ? null : m(r.gain),
    term: r.term,
    acquiredDay: isoToDay(r.acquired_date),
    holdingStartDay: isoToDay(r.holding_start_date),
    lotSourceTxId: r.lot_source_transaction_id,
    washDisallowed: m(r.wash_sale_disallowed),
    washMatchedQty: q(r.wash_matched_quantity),
  };
}
