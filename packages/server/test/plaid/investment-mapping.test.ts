/**
 * Plaid investment transactions and securities in the ledger's terms (pure; no database): symbols
 * and their fallbacks, each type/subtype family, signs, and what is skipped.
 */
import {
  type InvestmentTransaction,
  InvestmentTransactionSubtype as Sub,
  InvestmentTransactionType as Type,
} from 'plaid';
import { describe, expect, it } from 'vitest';
import { mapInvestmentTransaction, symbolOf } from '../../src/services/plaid/investment-mapping.js';
import {
  type InvestmentTransactionSpec,
  makeInvestmentTransaction,
  makeSecurity,
} from '../support/fake-plaid/fixtures.js';

const fund = makeSecurity({
  ticker: 'VTSAX',
  name: 'Total Stock Market',
  type: 'mutual fund',
  closePrice: 120,
});
const cash = makeSecurity({ ticker: 'CUR:USD', name: 'U S Dollar', type: 'cash', closePrice: 1 });

function txn(spec: Partial<InvestmentTransactionSpec>): InvestmentTransaction {
  return makeInvestmentTransaction({
    account_id: 'acc',
    security_id: fund.security_id,
    date: '2025-03-03',
    name: 'ACTIVITY',
    type: Type.Buy,
    subtype: Sub.Buy,
    quantity: 0,
    price: 0,
    amount: 0,
    ...spec,
  });
}

/** [type, symbol, quantity, amount] of each row, decimals as strings. */
function rowsOf(t: InvestmentTransaction, security = t.security_id ? fund : null) {
  const mapped = mapInvestmentTransaction(t, security);
  if (mapped.kind === 'skip') return mapped;
  return mapped.rows.map((r) => [
    r.type,
    r.symbol ?? null,
    r.quantity?.toFixed() ?? null,
    r.amount?.toFixed() ?? null,
  ]);
}

describe('symbols', () => {
  it('uses the ticker, upper-cased and without spaces', () => {
    expect(symbolOf({ ...fund, ticker_symbol: 'brk.b' })).toBe('BRK.B');
    expect(symbolOf({ ...fund, ticker_symbol: 'AAPL  250620C00200000' })).toBe('AAPL250620C00200000');
    expect(symbolOf(cash)).toBe('CUR:USD');
  });

  it('falls back to CUSIP, ISIN, SEDOL, then a hash of the security id', () => {
    const bare = { security_id: 'abcDEF123', ticker_symbol: null, cusip: null, isin: null, sedol: null };
    expect(symbolOf({ ...bare, cusip: '912828YK0' })).toBe('CUSIP:912828YK0');
    expect(symbolOf({ ...bare, ticker_symbol: 'NOT A TICKER $', isin: 'US0378331005' })).toBe(
      'ISIN:US0378331005',
    );
    expect(symbolOf({ ...bare, sedol: 'B0YBKJ7' })).toBe('SEDOL:B0YBKJ7');
    const hashed = symbolOf(bare);
    expect(hashed).toMatch(/^PLAID:[0-9A-F]{20}$/);
    expect(symbolOf(bare)).toBe(hashed);
    // Plaid ids are case-sensitive: ids differing only in case stay apart.
    expect(symbolOf({ ...bare, security_id: 'ABCdef123' })).not.toBe(hashed);
  });
});

describe('transactions', () => {
  it('negates Plaid amounts and quantities, keeping ten places of a double quantity', () => {
    const sale = txn({
      type: Type.Sell,
      subtype: Sub.Sell,
      quantity: -47.74104242992852,
      price: 27.53,
      amount: -1289.01,
      fees: 7.99,
    });
    expect(rowsOf(sale)).toEqual([['sell', 'VTSAX', '47.7410424299', '1289.01']]);
    const mapped = mapInvestmentTransaction(sale, fund);
    expect(mapped.kind === 'rows' && mapped.rows[0]).toMatchObject({
      providerTransactionId: sale.investment_transaction_id,
      tradeDate: '2025-03-03',
    });
    expect(mapped.kind === 'rows' && mapped.rows[0]?.fees?.toFixed()).toBe('7.99');
  });

  it('a contribution that bought shares is a buy paid by a deposit', () => {
    const t = txn({ subtype: Sub.Contribution, quantity: 2, price: 120, amount: 240 });
    expect(rowsOf(t)).toEqual([
      ['buy', 'VTSAX', '2', '-240'],
      ['deposit', null, null, '240'],
    ]);
    const mapped = mapInvestmentTransaction(t, fund);
    expect(mapped.kind === 'rows' && mapped.rows.map((r) => r.providerTransactionId)).toEqual([
      t.investment_transaction_id,
      `${t.investment_transaction_id}:1`,
    ]);
  });

  it('maps income, fees and taxes by subtype', () => {
    const cashTxn = (subtype: Sub, amount: number, security: string | null = null) =>
      rowsOf(txn({ type: Type.Cash, subtype, amount, security_id: security }));
    expect(cashTxn(Sub.QualifiedDividend, -12.5, fund.security_id)).toEqual([
      ['dividend', 'VTSAX', null, '12.5'],
    ]);
    expect(cashTxn(Sub.LongTermCapitalGain, -3, fund.security_id)).toEqual([
      ['dividend', 'VTSAX', null, '3'],
    ]);
    // A dividend reversed by the institution.
    expect(cashTxn(Sub.Dividend, 12.5, fund.security_id)).toEqual([['dividend', 'VTSAX', null, '-12.5']]);
    expect(cashTxn(Sub.Interest, -1.1)).toEqual([['interest', null, null, '1.1']]);
    expect(cashTxn(Sub.ReturnOfPrincipal, -50, fund.security_id)).toEqual([
      ['return_of_capital', 'VTSAX', null, '50'],
    ]);
    expect(cashTxn(Sub.Deposit, -500)).toEqual([['deposit', null, null, '500']]);
    expect(cashTxn(Sub.Withdrawal, 200)).toEqual([['withdrawal', null, null, '-200']]);
    expect(cashTxn(Sub.ManagementFee, 9)).toEqual([['fee', null, null, '-9']]);
    const feeTxn = (subtype: Sub, amount: number) =>
      rowsOf(txn({ type: Type.Fee, subtype, amount, security_id: null }));
    expect(feeTxn(Sub.TaxWithheld, 4)).toEqual([['tax', null, null, '-4']]);
    expect(feeTxn(Sub.AccountFee, 25)).toEqual([['fee', null, null, '-25']]);
    // A fee refunded.
    expect(feeTxn(Sub.AccountFee, -25)).toEqual([['deposit', null, null, '25']]);
  });

  it('a fee paid by selling shares is a sale and the fee', () => {
    const t = txn({ type: Type.Fee, subtype: Sub.AccountFee, quantity: -0.25, price: 120, amount: 30 });
    expect(rowsOf(t)).toEqual([
      ['sell', 'VTSAX', '0.25', '30'],
      ['fee', null, null, '-30'],
    ]);
  });

  it('shares transferred in arrive at Plaid’s price without moving cash; other share movements are skipped', () => {
    const arrival = txn({ type: Type.Transfer, subtype: Sub.Transfer, quantity: 10, price: 120, amount: 0 });
    expect(rowsOf(arrival)).toEqual([
      ['buy', 'VTSAX', '10', '-1200'],
      ['deposit', null, null, '1200'],
    ]);
    const out = rowsOf(txn({ type: Type.Transfer, subtype: Sub.Transfer, quantity: -10, price: 120 }));
    expect(out).toMatchObject({ kind: 'skip', warn: true });
    const split = rowsOf(txn({ type: Type.Transfer, subtype: Sub.Split, quantity: 10, price: 0 }));
    expect(split).toMatchObject({ kind: 'skip', warn: true });
    // Cash moved by a transfer: a deposit or a withdrawal.
    expect(
      rowsOf(txn({ type: Type.Transfer, subtype: Sub.Transfer, security_id: null, amount: -100 })),
    ).toEqual([['deposit', null, null, '100']]);
  });

  it('follows the shares for cancellations and unknown types', () => {
    expect(
      rowsOf(txn({ type: Type.Cancel, subtype: Sub.Buy, quantity: -2, price: 120, amount: -240 })),
    ).toEqual([['sell', 'VTSAX', '2', '240']]);
  });

  it('skips pending cash, trades in cash equivalents, and securities Plaid did not describe', () => {
    expect(
      rowsOf(txn({ type: Type.Cash, subtype: Sub.PendingCredit, security_id: null, amount: -5 })),
    ).toMatchObject({
      kind: 'skip',
      warn: false,
    });
    const sweep = txn({ security_id: cash.security_id, quantity: 100, price: 1, amount: 100 });
    expect(mapInvestmentTransaction(sweep, cash)).toMatchObject({ kind: 'skip', warn: false });
    expect(mapInvestmentTransaction(txn({ quantity: 1, price: 1, amount: 1 }), null)).toMatchObject({
      kind: 'skip',
      warn: true,
    });
  });

  it('a buy whose amount has the wrong sign is priced from quantity and price', () => {
    expect(rowsOf(txn({ quantity: 3, price: 10, amount: -30 }))).toEqual([['buy', 'VTSAX', '3', null]]);
  });
});
