/**
 * Builders for ledger-engine events in tests: decimal strings and ISO dates in, engine values out.
 */

import type { CostBasisMethod } from '@fo/schema';
import { isoToDay } from '@fo/schema/calendar';
import {
  type AccountPolicy,
  formatMoney,
  formatQty,
  type LedgerEvent,
  type LedgerEventType,
  money,
  qty,
} from '../../src/services/ledger/engine/index.js';

let seq = 0;

export interface EventSpec {
  id?: string;
  account?: string;
  type: LedgerEventType;
  date: string;
  quantity?: string;
  price?: string;
  fees?: string;
  amount?: string;
  split?: [string, string];
  reinvested?: boolean;
  to?: string;
  toTx?: string;
  lots?: { lotId: string; quantity: string }[];
}

export function ev(spec: EventSpec): LedgerEvent {
  seq += 1;
  return {
    id: spec.id ?? `tx-${seq}`,
    accountId: spec.account ?? 'A',
    type: spec.type,
    day: isoToDay(spec.date),
    seq,
    quantity: spec.quantity ? qty(spec.quantity) : 0n,
    price: spec.price ? money(spec.price) : 0n,
    fees: spec.fees ? money(spec.fees) : 0n,
    amount: spec.amount !== undefined ? money(spec.amount) : null,
    splitTo: spec.split ? qty(spec.split[0]) : 0n,
    splitFrom: spec.split ? qty(spec.split[1]) : 0n,
    reinvested: spec.reinvested ?? false,
    counterpartAccountId: spec.to ?? null,
    counterpartTransactionId: spec.toTx ?? null,
    lotSelection: spec.lots ? spec.lots.map((l) => ({ lotId: l.lotId, quantity: qty(l.quantity) })) : null,
  };
}

export function policies(
  entries: Record<string, Partial<AccountPolicy> & { method?: CostBasisMethod }>,
): Map<string, AccountPolicy> {
  return new Map(
    Object.entries(entries).map(([id, p]) => [
      id,
      {
        method: p.method ?? 'fifo',
        allowShort: p.allowShort ?? false,
        taxAdvantaged: p.taxAdvantaged ?? false,
      },
    ]),
  );
}

export const m = formatMoney;
export const q = formatQty;

/** Money rounded to cents, as published examples print it. */
export function cents(value: bigint): string {
  const rounded = (value < 0n ? value - 500000n : value + 500000n) / 1000000n;
  const neg = rounded < 0n;
  const abs = (neg ? -rounded : rounded).toString().padStart(3, '0');
  return `${neg ? '-' : ''}${abs.slice(0, -2)}.${abs.slice(-2)}`;
}
