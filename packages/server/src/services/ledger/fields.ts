/**
 * One transaction's fields: normalized from the wire (defaults, rounding to the columns' scale)
 * and checked per type. Every problem names its field, so create can throw it and import can list
 * it by row.
 */
import { Decimal, type TransactionType, type zTransactionFields } from '@fo/schema';
import type { z } from 'zod';
import type { LedgerAccount } from './accounts.js';
import { cashEffect, MONEY_SCALE, parseFixed, QTY_SCALE } from './engine/index.js';

export type TransactionFieldsInput = z.output<typeof zTransactionFields>;

export interface NormalTx {
  type: TransactionType;
  symbol: string | null;
  tradeDate: string;
  settleDate: string | null;
  quantity: Decimal | null;
  price: Decimal | null;
  amount: Decimal | null;
  fees: Decimal;
  currency: string;
  splitTo: Decimal | null;
  splitFrom: Decimal | null;
  reinvested: boolean;
  counterpartAccountId: string | null;
  lots: { lotId: string; quantity: Decimal }[] | null;
  externalId: string | null;
  description: string | null;
}

export interface FieldIssue {
  field: string;
  message: string;
}

const ZERO = new Decimal(0);

export function normalize(
  fields: TransactionFieldsInput,
  account: Pick<LedgerAccount, 'currency'>,
): NormalTx {
  return {
    type: fields.type,
    symbol: fields.symbol ?? null,
    tradeDate: fields.tradeDate,
    settleDate: fields.settleDate ?? null,
    quantity: fields.quantity ?? null,
    price: fields.price ?? null,
    amount: fields.amount ?? null,
    fees: fields.fees ?? ZERO,
    currency: fields.currency ?? account.currency,
    splitTo: fields.splitRatio
      ? fields.splitRatio.to.toDecimalPlaces(QTY_SCALE, Decimal.ROUND_HALF_UP)
      : null,
    splitFrom: fields.splitRatio
      ? fields.splitRatio.from.toDecimalPlaces(QTY_SCALE, Decimal.ROUND_HALF_UP)
      : null,
    reinvested: fields.reinvested ?? false,
    counterpartAccountId: fields.counterpartAccountId ?? null,
    lots: fields.lots ?? null,
    externalId: fields.externalId ?? null,
    description: fields.description ?? null,
  };
}

const SECURITY_TRADES = new Set<TransactionType>(['buy', 'sell']);
const CASH_ONLY = new Set<TransactionType>([
  'interest',
  'fee',
  'tax',
  'deposit',
  'withdrawal',
  'return_of_capital',
]);

function present(d: Decimal | null): d is Decimal {
  return d !== null;
}

/** Problems with a transaction's fields for its type; empty when it is well-formed. */
export function validate(tx: NormalTx, account: Pick<LedgerAccount, 'id'>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const add = (field: string, message: string) => issues.push({ field, message });
  const need = (field: keyof NormalTx, what: string) => {
    if (tx[field] === null || tx[field] === undefined) add(field, `is required for a ${tx.type} (${what})`);
  };
  const forbid = (field: keyof NormalTx, why: string) => {
    const v = tx[field];
    if (v !== null && v !== false && !(Decimal.isDecimal(v) && v.isZero())) add(field, why);
  };

  if (tx.settleDate !== null && tx.settleDate < tx.tradeDate)
    add('settleDate', 'must not be before tradeDate');
  if (tx.fees.isNegative()) add('fees', 'must be zero or more');
  if (tx.type !== 'dividend') forbid('reinvested', 'applies to dividends only');
  if (tx.type !== 'split') forbid('splitTo', 'applies to splits only');
  if (tx.type !== 'transfer_in' && tx.type !== 'transfer_out')
    forbid('counterpartAccountId', 'applies to transfers only');
  if (tx.type !== 'sell' && tx.type !== 'transfer_out')
    forbid('lots', 'applies to sells and transfers out only');
  if (tx.lots?.some((l) => !l.quantity.gt(0))) add('lots', 'each lot quantity must be greater than zero');

  if (SECURITY_TRADES.has(tx.type)) {
    need('symbol', 'the security traded');
    need('quantity', 'shares, greater than zero');
    need('price', 'per share, zero or more');
    if (present(tx.quantity) && !tx.quantity.gt(0)) add('quantity', 'must be greater than zero');
    if (present(tx.price) && tx.price.isNegative()) add('price', 'must be zero or more');
    if (present(tx.amount) && tx.type === 'buy' && tx.amount.gt(0))
      add('amount', 'a buy pays cash: the amount must be zero or negative');
    if (present(tx.amount) && tx.type === 'sell' && tx.amount.isNegative())
      add('amount', 'a sell brings cash: the amount must be zero or positive');
    if (tx.lots && present(tx.quantity)) {
      const total = tx.lots.reduce((s, l) => s.add(l.quantity), ZERO);
      if (!total.eq(tx.quantity)) add('lots', 'the lot quantities must add up to quantity');
    }
  } else if (tx.type === 'dividend') {
    need('amount', 'the dividend');
    if (tx.reinvested) {
      need('symbol', 'the security the dividend bought');
      need('quantity', 'shares bought, greater than zero');
      need('price', 'per share bought, zero or more');
      if (present(tx.quantity) && !tx.quantity.gt(0)) add('quantity', 'must be greater than zero');
      if (present(tx.price) && tx.price.isNegative()) add('price', 'must be zero or more');
      if (present(tx.amount) && !tx.amount.gt(0))
        add('amount', 'a reinvested dividend must be greater than zero');
    } else {
      forbid('quantity', 'a cash dividend has no quantity (set reinvested for one that bought shares)');
      forbid('price', 'a cash dividend has no price');
      if (present(tx.amount) && tx.amount.isZero()) add('amount', 'must not be zero');
    }
  } else if (CASH_ONLY.has(tx.type)) {
    need('amount', 'the signed cash effect');
    forbid('quantity', `a ${tx.type} moves cash only`);
    forbid('price', `a ${tx.type} moves cash only`);
    if (present(tx.amount)) {
      const a = tx.amount;
      if ((tx.type === 'deposit' || tx.type === 'return_of_capital') && !a.gt(0))
        add('amount', `a ${tx.type.replaceAll('_', ' ')} brings cash: the amount must be greater than zero`);
      if ((tx.type === 'withdrawal' || tx.type === 'fee' || tx.type === 'tax') && !a.isNegative())
        add('amount', `a ${tx.type} takes cash: the amount must be negative`);
      if (tx.type === 'interest' && a.isZero()) add('amount', 'must not be zero');
    }
    if (tx.type === 'return_of_capital') need('symbol', 'the security that paid it');
  } else if (tx.type === 'split') {
    need('symbol', 'the security that split');
    if (tx.splitTo === null) add('splitRatio', 'is required for a split (new : old, e.g. "10:1" or "1:5")');
    forbid('quantity', 'a split takes splitRatio, not quantity');
    forbid('price', 'a split has no price');
    forbid('amount', 'a split moves no cash');
  } else {
    // transfer_in / transfer_out
    need('counterpartAccountId', 'the other account');
    if (tx.counterpartAccountId === account.id) add('counterpartAccountId', 'must be another account');
    const security = tx.symbol !== null || tx.quantity !== null;
    if (security) {
      need('symbol', 'the security moved');
      need('quantity', 'shares moved, greater than zero');
      if (present(tx.quantity) && !tx.quantity.gt(0)) add('quantity', 'must be greater than zero');
      forbid('amount', 'a transfer of shares moves no cash (transfer cash in a separate transaction)');
      forbid('price', 'a transfer of shares carries the lots’ own cost');
    } else {
      need('amount', 'the cash moved, or symbol and quantity for shares');
      if (present(tx.amount)) {
        if (tx.type === 'transfer_out' && !tx.amount.isNegative())
          add('amount', 'cash leaving the account is negative');
        if (tx.type === 'transfer_in' && !tx.amount.gt(0)) add('amount', 'cash arriving is positive');
      }
    }
  }
  return issues;
}

/** Wire name of a field (splitTo/splitFrom come from splitRatio). */
export function wireField(field: string): string {
  return field === 'splitTo' || field === 'splitFrom' ? 'splitRatio' : field;
}

const big = (d: Decimal | null, scale: number) => (d ? parseFixed(d.toFixed(), scale) : 0n);

/** The signed cash effect, exactly as the engine computes it. */
export function cashEffectOf(tx: NormalTx): string {
  const effect = cashEffect({
    type: tx.type,
    quantity: big(tx.quantity, QTY_SCALE),
    price: big(tx.price, MONEY_SCALE),
    fees: big(tx.fees, MONEY_SCALE),
    amount: tx.amount ? parseFixed(tx.amount.toFixed(), MONEY_SCALE) : null,
    reinvested: tx.reinvested,
  });
  return new Decimal(effect.toString()).div(10 ** MONEY_SCALE).toFixed();
}

/** `amount` as stored: given, or for buys and sells the cash they move. */
export function storedAmount(tx: NormalTx): Decimal | null {
  if (tx.amount !== null) return tx.amount;
  if (SECURITY_TRADES.has(tx.type)) return new Decimal(cashEffectOf(tx));
  return null;
}

/** `quantity` as stored: a split's factor (new ÷ old) for readers that want one number. */
export function storedQuantity(tx: NormalTx): Decimal | null {
  if (tx.type === 'split' && tx.splitTo && tx.splitFrom) {
    return tx.splitTo.div(tx.splitFrom).toDecimalPlaces(QTY_SCALE, Decimal.ROUND_HALF_UP);
  }
  if (tx.quantity?.isZero() && !SECURITY_TRADES.has(tx.type)) return null;
  return tx.quantity;
}
