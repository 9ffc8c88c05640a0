/**
 * Plaid's investment data in the ledger's terms — pure functions, no database, no network.
 *
 * Securities become symbols: the ticker when Plaid has a usable one, else a stable identifier
 * (`CUSIP:…`, `ISIN:…`, `SEDOL:…`, or `PLAID:` and a hash of Plaid's security_id). Cash
 * equivalents (`is_cash_equivalent`, or type `cash`: sweep funds, money market, "U S Dollar") are
 * the account's cash, never a position: trades in them move nothing, income from them is income.
 *
 * Investment transactions (https://plaid.com/docs/api/accounts/#investment-transaction-types-schema)
 * become one or more ledger rows, each carrying a provider id derived from Plaid's
 * investment_transaction_id (the first row carries the id itself). Plaid's `amount` is positive
 * when cash leaves the account; the ledger's is positive when cash arrives, so every amount is
 * negated. Plaid's quantity is negative for sells; the ledger's is always positive.
 *
 *   buy (buy, buy to cover, reinvestments, …)  → buy at Plaid's net amount (cost basis)
 *   buy / contribution                          → buy + deposit (money paid in bought the shares)
 *   sell (sell, sell short, …)                  → sell at Plaid's net amount (proceeds)
 *   cash: dividends, capital gain distributions → dividend (income by security)
 *   cash: interest                              → interest
 *   cash: return of principal                   → return of capital (basis reduced)
 *   cash: pending credit/debit                  → skipped (Plaid reports the posted one later)
 *   cash: anything else                         → deposit or withdrawal by direction
 *   fee: tax, tax withheld, non-resident tax    → tax;  other fees → fee (a rebate is a deposit)
 *   fee paid with shares (quantity < 0)         → sell of those shares + fee
 *   transfer of shares in (not a split)         → position transferred in: buy + deposit at
 *                                                 Plaid's price (cash-neutral; basis flagged)
 *   transfer of shares out, split, other share
 *   movements without a ledger equivalent       → skipped with a warning; the holdings
 *                                                 reconciliation reports the difference
 *   transfer of cash, cancel, unknown types     → by direction: shares in/out as buy/sell,
 *                                                 cash as deposit/withdrawal
 */
import { createHash } from 'node:crypto';
import { Decimal, type TransactionType, zTransactionFields } from '@fo/schema';
import type { InvestmentTransaction, Security } from 'plaid';
import type { LedgerRowInput } from '../ledger/writes.js';

const MONEY_PLACES = 8;
const QTY_PLACES = 10;
const SYMBOL = /^[A-Z0-9.^=_:/-]{1,32}$/;

/** A Plaid number (JSON, parsed as a double) as a decimal through its shortest string form. */
export function decimalOf(value: number | null | undefined): Decimal {
  if (value === null || value === undefined || !Number.isFinite(value)) return new Decimal(0);
  return new Decimal(String(value));
}

const money = (d: Decimal) => d.toDecimalPlaces(MONEY_PLACES, Decimal.ROUND_HALF_UP);
const qty = (d: Decimal) => d.toDecimalPlaces(QTY_PLACES, Decimal.ROUND_HALF_UP);

export function isCashEquivalent(security: Pick<Security, 'is_cash_equivalent' | 'type'>): boolean {
  return security.is_cash_equivalent === true || security.type === 'cash';
}

/** The symbol a security is kept under in the ledger; stable across syncs. */
export function symbolOf(
  security: Pick<Security, 'security_id' | 'ticker_symbol' | 'cusip' | 'isin' | 'sedol'>,
): string {
  const ticker = security.ticker_symbol?.replace(/\s+/g, '').toUpperCase();
  if (ticker && SYMBOL.test(ticker)) return ticker;
  for (const [prefix, id] of [
    ['CUSIP', security.cusip],
    ['ISIN', security.isin],
    ['SEDOL', security.sedol],
  ] as const) {
    const clean = id?.replace(/\s+/g, '').toUpperCase();
    if (clean && SYMBOL.test(`${prefix}:${clean}`)) return `${prefix}:${clean}`;
  }
  // security_id is case-sensitive: hash it rather than upper-case it.
  const digest = createHash('sha256').update(security.security_id).digest('hex').slice(0, 20);
  return `PLAID:${digest.toUpperCase()}`;
}

/** The ledger rows one Plaid transaction becomes, or why it has none. */
export type MappedTransaction =
  | {
      kind: 'rows';
      /** Ledger rows (well-formed per zTransactionFields), the first one carrying Plaid's id. */
      rows: LedgerRowInput[];
      /** Adds shares (ordered before disposals of the same day), removes them, or neither. */
      direction: 'in' | 'out' | 'cash';
    }
  | { kind: 'skip'; reason: string; warn: boolean };

const skip = (reason: string, warn = true): MappedTransaction => ({ kind: 'skip', reason, warn });

const TAX_SUBTYPES = new Set(['tax', 'tax withheld', 'non-resident tax']);
const DIVIDEND_SUBTYPES = new Set([
  'dividend',
  'qualified dividend',
  'non-qualified dividend',
  'long-term capital gain',
  'short-term capital gain',
  'unqualified gain',
]);
const INTEREST_SUBTYPES = new Set(['interest', 'interest receivable']);
const FEE_SUBTYPES = new Set([
  'account fee',
  'fund fee',
  'legal fee',
  'management fee',
  'margin expense',
  'miscellaneous fee',
  'transfer fee',
  'trust fee',
]);
const PENDING_SUBTYPES = new Set(['pending credit', 'pending debit']);

interface RowDraft {
  type: TransactionType;
  symbol?: string;
  quantity?: Decimal;
  price?: Decimal;
  amount?: Decimal;
  fees?: Decimal;
  description?: string;
}

/**
 * Maps one Plaid investment transaction. `security` is the security Plaid names (null when none,
 * or when Plaid did not send it).
 */
export function mapInvestmentTransaction(
  t: InvestmentTransaction,
  security: Security | null,
): MappedTransaction {
  if (t.security_id && !security) return skip(`security ${t.security_id} is not in Plaid's securities list`);
  const cashEquivalent = security !== null && isCashEquivalent(security);
  const symbol = security && !cashEquivalent ? symbolOf(security) : undefined;
  const quantity = qty(decimalOf(t.quantity).abs());
  const sharesIn = decimalOf(t.quantity).gt(0);
  const sharesOut = decimalOf(t.quantity).lt(0);
  const price = decimalOf(t.price);
  const fees = money(decimalOf(t.fees));
  // Ledger convention: positive brings cash into the account.
  const cash = money(decimalOf(t.amount).negated());
  const subtype = String(t.subtype ?? '').toLowerCase();
  const type = String(t.type ?? '').toLowerCase();
  const description = t.name?.trim().slice(0, 1000) || undefined;

  const trade = (side: 'buy' | 'sell'): RowDraft => ({
    type: side,
    symbol: symbol as string,
    quantity,
    price: price.abs(),
    fees,
    // Plaid's amount is the net cash (fees included); the ledger takes it as the basis of a buy and
    // the proceeds of a sale. One with the wrong sign for its side is left to quantity × price.
    ...((side === 'buy' ? !cash.gt(0) : !cash.lt(0)) ? { amount: cash } : {}),
    ...(description ? { description } : {}),
  });
  const cashRow = (forced?: TransactionType): RowDraft | null => {
    if (cash.isZero()) return null;
    const kind = forced ?? (cash.gt(0) ? 'deposit' : 'withdrawal');
    const withSymbol = kind === 'dividend' || kind === 'interest' || kind === 'return_of_capital';
    return {
      type: kind,
      amount: cash,
      ...(withSymbol && symbol ? { symbol } : {}),
      ...(description ? { description } : {}),
    };
  };
  /** Shares that arrive without a purchase: acquired at `price`, the value brought in as a deposit. */
  const arrival = (label: string): RowDraft[] => {
    const value = money(quantity.mul(price.abs()));
    const note = `${label}${description ? `: ${description}` : ''} (cost basis from Plaid's price; adjust if known)`;
    const rows: RowDraft[] = [
      {
        type: 'buy',
        symbol: symbol as string,
        quantity,
        price: price.abs(),
        amount: value.negated(),
        description: note,
      },
    ];
    if (value.gt(0)) rows.push({ type: 'deposit', amount: value, description: note });
    return rows;
  };

  let drafts: RowDraft[];
  let direction: 'in' | 'out' | 'cash' = 'cash';
  if (PENDING_SUBTYPES.has(subtype)) return skip('pending: Plaid reports the posted transaction', false);

  if (type === 'buy' || type === 'sell') {
    if (cashEquivalent) return skip('trade in a cash equivalent (cash stays cash)', false);
    if (!symbol) return skip(`a ${type} without a security`);
    if (quantity.isZero()) return skip(`a ${type} of zero shares`);
    drafts = [trade(type)];
    direction = type === 'buy' ? 'in' : 'out';
    if (type === 'buy' && subtype === 'contribution' && cash.lt(0)) {
      // "A simultaneous cash contribution and purchase": the money came from outside.
      drafts.push({ type: 'deposit', amount: cash.negated(), ...(description ? { description } : {}) });
    }
  } else if (type === 'cash') {
    let forced: TransactionType | undefined;
    if (DIVIDEND_SUBTYPES.has(subtype)) forced = 'dividend';
    else if (INTEREST_SUBTYPES.has(subtype)) forced = 'interest';
    else if (subtype === 'return of principal' && symbol && cash.gt(0)) forced = 'return_of_capital';
    else if (TAX_SUBTYPES.has(subtype) && cash.lt(0)) forced = 'tax';
    else if (FEE_SUBTYPES.has(subtype) && cash.lt(0)) forced = 'fee';
    const row = cashRow(forced);
    if (!row) return skip('no cash moved', false);
    drafts = [row];
  } else if (type === 'fee') {
    const forced: TransactionType | undefined = cash.lt(0)
      ? TAX_SUBTYPES.has(subtype)
        ? 'tax'
        : 'fee'
      : undefined;
    if (sharesOut && symbol && !cashEquivalent) {
      // A fee paid by selling shares (common in retirement plans): the sale, then the fee.
      const feeAmount = cash.lt(0) ? cash.abs() : money(quantity.mul(price.abs()));
      drafts = [{ ...trade('sell'), amount: feeAmount }];
      if (feeAmount.gt(0))
        drafts.push({ type: 'fee', amount: feeAmount.negated(), ...(description ? { description } : {}) });
      direction = 'out';
    } else {
      const row = cashRow(forced);
      if (!row) return skip('no cash moved', false);
      drafts = [row];
    }
  } else if (type === 'transfer' && symbol && (sharesIn || sharesOut)) {
    if (subtype === 'split') return skip('a split reported as share movement: record it with its ratio');
    if (sharesOut) return skip('shares transferred out of the account (no ledger counterpart)');
    drafts = arrival('Shares transferred in');
    direction = 'in';
  } else if (symbol && (sharesIn || sharesOut)) {
    // cancel and types Plaid may add later: follow the shares.
    drafts = [trade(sharesIn ? 'buy' : 'sell')];
    direction = sharesIn ? 'in' : 'out';
  } else {
    const row = cashRow();
    if (!row)
      return skip(cashEquivalent ? 'movement within cash equivalents' : 'no cash or shares moved', false);
    drafts = [row];
  }

  const currency =
    t.iso_currency_code && /^[A-Z]{3}$/.test(t.iso_currency_code) ? t.iso_currency_code : undefined;
  const rows: LedgerRowInput[] = [];
  for (const [i, draft] of drafts.entries()) {
    const parsed = zTransactionFields.safeParse({
      ...draft,
      tradeDate: t.date,
      ...(currency ? { currency } : {}),
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return skip(`${issue?.path.join('.') || 'row'}: ${issue?.message ?? 'invalid'}`);
    }
    rows.push({
      ...parsed.data,
      providerTransactionId: i === 0 ? t.investment_transaction_id : `${t.investment_transaction_id}:${i}`,
    });
  }
  return { kind: 'rows', rows, direction };
}

/**
 * Rows that give an account the shares a sale needs when the history Plaid returned starts after
 * they were bought: `quantity` acquired on `date` at `price` (the sale's price, so the sale
 * realizes nothing on them: their real cost is unknown), and the value brought in as a deposit so
 * cash is unchanged.
 */
export function openingPositionRows(input: {
  saleProviderId: string;
  symbol: string;
  quantity: Decimal;
  price: Decimal;
  date: string;
  saleDate: string;
  currency?: string | undefined;
}): LedgerRowInput[] {
  const value = money(input.quantity.mul(input.price));
  const description =
    `Opening position: ${input.quantity.toFixed()} ${input.symbol} held before the imported Plaid history; ` +
    `cost basis unknown, recorded at the price of the sale on ${input.saleDate}`;
  const base = {
    tradeDate: input.date,
    description,
    ...(input.currency ? { currency: input.currency } : {}),
  };
  const rows: LedgerRowInput[] = [
    {
      ...base,
      type: 'buy',
      symbol: input.symbol,
      quantity: qty(input.quantity),
      price: input.price,
      amount: value.negated(),
      providerTransactionId: `opening:${input.saleProviderId}`,
    },
  ];
  if (value.gt(0)) {
    rows.push({
      ...base,
      type: 'deposit',
      amount: value,
      providerTransactionId: `opening:${input.saleProviderId}:cash`,
    });
  }
  return rows;
}
