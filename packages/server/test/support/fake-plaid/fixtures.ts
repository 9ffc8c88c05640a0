/**
 * Data for the fake Plaid server, shaped by the `plaid` package's own response types and modelled
 * on Plaid's Sandbox ("First Platypus Bank", ins_109508): the same account names, masks, types and
 * starting balances (available 100 / current 110 on Plaid Checking, and so on).
 */
import { randomBytes } from 'node:crypto';
import {
  type AccountBase,
  AccountSubtype,
  AccountType,
  type Holding,
  type InvestmentTransaction,
  InvestmentTransactionSubtype,
  InvestmentTransactionType,
  type Security,
  type Transaction,
  TransactionPaymentChannelEnum,
} from 'plaid';

/** Plaid ids are 37-character base62-ish strings; these look the same. */
export function plaidId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(37), (b) => alphabet[b % alphabet.length]).join('');
}

export function requestId(): string {
  return plaidId().slice(0, 15);
}

interface AccountSpec {
  name: string;
  officialName: string | null;
  mask: string;
  type: AccountType;
  subtype: AccountSubtype | null;
  available: number | null;
  current: number | null;
  limit?: number | null;
}

export const SANDBOX_INSTITUTION = { id: 'ins_109508', name: 'First Platypus Bank' } as const;

/** The Sandbox's default accounts (a subset: one of each kind the platform maps). */
export const SANDBOX_ACCOUNTS: AccountSpec[] = [
  {
    name: 'Plaid Checking',
    officialName: 'Plaid Gold Standard 0% Interest Checking',
    mask: '0000',
    type: AccountType.Depository,
    subtype: AccountSubtype.Checking,
    available: 100,
    current: 110,
  },
  {
    name: 'Plaid Saving',
    officialName: 'Plaid Silver Standard 0.1% Interest Saving',
    mask: '1111',
    type: AccountType.Depository,
    subtype: AccountSubtype.Savings,
    available: 200,
    current: 210,
  },
  {
    name: 'Plaid Credit Card',
    officialName: 'Plaid Diamond 12.5% APR Interest Credit Card',
    mask: '3333',
    type: AccountType.Credit,
    subtype: AccountSubtype.CreditCard,
    available: null,
    current: 410,
    limit: 2000,
  },
  {
    name: 'Plaid IRA',
    officialName: null,
    mask: '5555',
    type: AccountType.Investment,
    subtype: AccountSubtype.Ira,
    available: null,
    current: 320.76,
  },
  {
    name: 'Plaid Mortgage',
    officialName: null,
    mask: '8888',
    type: AccountType.Loan,
    subtype: AccountSubtype.Mortgage,
    available: null,
    current: 56302.06,
  },
];

export function makeAccount(spec: AccountSpec): AccountBase {
  return {
    account_id: plaidId(),
    balances: {
      available: spec.available,
      current: spec.current,
      limit: spec.limit ?? null,
      iso_currency_code: 'USD',
      unofficial_currency_code: null,
    },
    mask: spec.mask,
    name: spec.name,
    official_name: spec.officialName,
    type: spec.type,
    subtype: spec.subtype,
  };
}

export interface TransactionSpec {
  account_id: string;
  amount: number;
  date: string;
  name: string;
  pending?: boolean;
  pending_transaction_id?: string | null;
  transaction_id?: string;
  merchant_name?: string | null;
  category?: { primary: string; detailed: string };
}

/** A /transactions/sync transaction with every field Plaid sends. */
export function makeTransaction(spec: TransactionSpec): Transaction {
  return {
    account_id: spec.account_id,
    account_owner: null,
    amount: spec.amount,
    iso_currency_code: 'USD',
    unofficial_currency_code: null,
    category: null,
    category_id: null,
    check_number: null,
    date: spec.date,
    datetime: null,
    authorized_date: spec.date,
    authorized_datetime: null,
    location: {
      address: null,
      city: null,
      region: null,
      postal_code: null,
      country: null,
      lat: null,
      lon: null,
      store_number: null,
    },
    logo_url: null,
    merchant_entity_id: null,
    merchant_name: spec.merchant_name ?? null,
    name: spec.name,
    payment_channel: TransactionPaymentChannelEnum.Other,
    payment_meta: {
      by_order_of: null,
      payee: null,
      payer: null,
      payment_method: null,
      payment_processor: null,
      ppd_id: null,
      reason: null,
      reference_number: null,
    },
    pending: spec.pending ?? false,
    pending_transaction_id: spec.pending_transaction_id ?? null,
    personal_finance_category: spec.category
      ? { primary: spec.category.primary, detailed: spec.category.detailed, confidence_level: 'VERY_HIGH' }
      : null,
    transaction_code: null,
    transaction_id: spec.transaction_id ?? plaidId(),
    website: null,
    counterparties: [],
  };
}

export interface SecuritySpec {
  ticker: string | null;
  name: string;
  type: string;
  closePrice: number | null;
  isCashEquivalent?: boolean;
  cusip?: string | null;
}

export function makeSecurity(spec: SecuritySpec): Security {
  return {
    security_id: plaidId(),
    isin: null,
    cusip: spec.cusip ?? null,
    sedol: null,
    institution_security_id: null,
    institution_id: null,
    proxy_security_id: null,
    name: spec.name,
    ticker_symbol: spec.ticker,
    is_cash_equivalent: spec.isCashEquivalent ?? false,
    type: spec.type,
    close_price: spec.closePrice,
    close_price_as_of: spec.closePrice === null ? null : '2026-11-20',
    iso_currency_code: 'USD',
    unofficial_currency_code: null,
    market_identifier_code: null,
    sector: null,
    industry: null,
    cfi_code: null,
    figi: null,
    option_contract: null,
    fixed_income: null,
  };
}

export function makeHolding(
  accountId: string,
  security: Security,
  quantity: number,
  price: number,
  costBasis: number | null,
): Holding {
  return {
    account_id: accountId,
    security_id: security.security_id,
    institution_price: price,
    institution_price_as_of: '2026-11-20',
    institution_value: Math.round(quantity * price * 100) / 100,
    cost_basis: costBasis,
    quantity,
    iso_currency_code: 'USD',
    unofficial_currency_code: null,
  };
}

export interface InvestmentTransactionSpec {
  account_id: string;
  security_id: string | null;
  date: string;
  name: string;
  type: InvestmentTransactionType;
  subtype: InvestmentTransactionSubtype;
  quantity: number;
  price: number;
  amount: number;
  fees?: number | null;
  investment_transaction_id?: string;
}

export function makeInvestmentTransaction(spec: InvestmentTransactionSpec): InvestmentTransaction {
  return {
    investment_transaction_id: spec.investment_transaction_id ?? plaidId(),
    account_id: spec.account_id,
    security_id: spec.security_id,
    date: spec.date,
    name: spec.name,
    quantity: spec.quantity,
    amount: spec.amount,
    price: spec.price,
    fees: spec.fees ?? null,
    type: spec.type,
    subtype: spec.subtype,
    iso_currency_code: 'USD',
    unofficial_currency_code: null,
  };
}

export { InvestmentTransactionSubtype, InvestmentTransactionType };
