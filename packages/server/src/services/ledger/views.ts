/**
 * Stored transactions as the API returns them. Decimal columns stay exact strings here; the
 * procedures' output schemas turn them into Decimals.
 */
import type { TransactionType } from '@fo/schema';

export interface TransactionRow {
  id: string;
  account_id: string;
  user_id: string;
  type: TransactionType;
  symbol: string | null;
  trade_date: string;
  settle_date: string | null;
  quantity: string | null;
  price: string | null;
  amount: string | null;
  fees: string;
  currency: string;
  cash_effect: string;
  realized_gain: string | null;
  cost_basis: string | null;
  wash_sale_disallowed: string;
  split_to: string | null;
  split_from: string | null;
  reinvested: boolean;
  transfer_id: string | null;
  counterpart_account_id: string | null;
  lot_selection: { lotId: string; quantity: string }[] | null;
  external_id: string | null;
  description: string | null;
  pending: boolean;
  reconciled: boolean;
  reconciled_at: Date | null;
  reconciliation_id: string | null;
  seq: number;
  created_at: Date;
  updated_at: Date;
}

export const TRANSACTION_COLUMNS = [
  'id',
  'account_id',
  'user_id',
  'type',
  'symbol',
  'trade_date',
  'settle_date',
  'quantity',
  'price',
  'amount',
  'fees',
  'currency',
  'cash_effect',
  'realized_gain',
  'cost_basis',
  'wash_sale_disallowed',
  'split_to',
  'split_from',
  'reinvested',
  'transfer_id',
  'counterpart_account_id',
  'lot_selection',
  'external_id',
  'description',
  'pending',
  'reconciled',
  'reconciled_at',
  'reconciliation_id',
  'seq',
  'created_at',
  'updated_at',
] as const;

export function toTransactionView(r: TransactionRow) {
  return {
    id: r.id,
    accountId: r.account_id,
    type: r.type,
    symbol: r.symbol,
    tradeDate: r.trade_date,
    settleDate: r.settle_date,
    quantity: r.type === 'split' ? null : r.quantity,
    price: r.price,
    amount: r.amount,
    fees: r.fees,
    currency: r.currency,
    cashEffect: r.cash_effect,
    realizedGain: r.realized_gain,
    costBasis: r.cost_basis,
    washSaleDisallowed: r.wash_sale_disallowed,
    splitRatio: r.split_to !== null && r.split_from !== null ? { to: r.split_to, from: r.split_from } : null,
    reinvested: r.reinvested,
    transferId: r.transfer_id,
    counterpartAccountId: r.counterpart_account_id,
    lots: r.lot_selection,
    externalId: r.external_id,
    description: r.description,
    pending: r.pending,
    reconciled: r.reconciled,
    reconciledAt: r.reconciled_at,
    reconciliationId: r.reconciliation_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export type TransactionView = ReturnType<typeof toTransactionView>;
