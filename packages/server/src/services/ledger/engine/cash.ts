/**
 * What each transaction does to the account's cash. Buys and fees take cash, sells, dividends,
 * interest and deposits bring it; a reinvested dividend brings only what was not reinvested.
 * `amount`, when given, is the signed cash effect (positive adds cash) — except for a reinvested
 * dividend, where it is the dividend and the shares bought are paid out of it.
 */
import { extend } from './fixed.js';
import type { LedgerEvent } from './types.js';

export type CashFields = Pick<LedgerEvent, 'type' | 'quantity' | 'price' | 'fees' | 'amount' | 'reinvested'>;

export function cashEffect(e: CashFields): bigint {
  switch (e.type) {
    case 'buy':
      return e.amount ?? -(extend(e.quantity, e.price) + e.fees);
    case 'sell':
      return e.amount ?? extend(e.quantity, e.price) - e.fees;
    case 'dividend':
      if (e.reinvested) return (e.amount ?? 0n) - extend(e.quantity, e.price) - e.fees;
      return e.amount ?? 0n;
    case 'split':
      return 0n;
    default:
      // interest, fee, tax, deposit, withdrawal, return_of_capital, cash transfers: the signed amount
      // (security transfers carry none).
      return e.amount ?? 0n;
  }
}

/** Cash after a series of transactions, from an opening balance. */
export function cashBalance(events: Iterable<CashFields>, opening = 0n): bigint {
  let cash = opening;
  for (const e of events) cash += cashEffect(e);
  return cash;
}
