/**
 * Builds engine inputs from readable descriptions (dates, symbols, amounts), for the engine's
 * unit and property tests.
 */
import { isoToDay } from '@fo/schema/calendar';
import { EventKind, type ModelInput } from '../../src/services/analytics/engine/index.js';

export interface EventSpec {
  date: string;
  account?: number;
  symbol?: string;
  kind?: 'trade' | 'split' | 'transfer';
  quantity?: number;
  cash?: number;
  flow?: number;
}

export interface ModelSpec {
  end: string;
  base?: string;
  accounts?: { currency: string }[];
  symbols?: Record<string, { currency?: string; prices: [string, number][] }>;
  fx?: Record<string, [string, number][]>;
  events: EventSpec[];
  benchmark?: string;
  riskFree?: { annualRate: number; symbol?: string };
  maxGapDays?: number;
}

const KIND = { trade: EventKind.Trade, split: EventKind.Split, transfer: EventKind.SecurityTransfer };

export function buildModel(spec: ModelSpec): ModelInput {
  const base = spec.base ?? 'USD';
  const accounts = spec.accounts ?? [{ currency: base }];
  const symbols = Object.keys(spec.symbols ?? {});
  const currencies = [base];
  const currencyIndex = (c: string) => {
    let i = currencies.indexOf(c);
    if (i < 0) i = currencies.push(c) - 1;
    return i;
  };
  const accountCurrency = Int32Array.from(accounts.map((a) => currencyIndex(a.currency)));
  const symbolCurrency = Int32Array.from(
    symbols.map((s) => currencyIndex(spec.symbols?.[s]?.currency ?? base)),
  );
  for (const c of Object.keys(spec.fx ?? {})) currencyIndex(c);
  const prices = symbols.map((s) => {
    const rows = [...(spec.symbols?.[s]?.prices ?? [])].sort((x, y) => (x[0] < y[0] ? -1 : 1));
    return {
      days: Int32Array.from(rows.map((r) => isoToDay(r[0]))),
      values: Float64Array.from(rows.map((r) => r[1])),
    };
  });
  const fx = currencies.map((c) => {
    const rows = [...(spec.fx?.[c] ?? [])].sort((x, y) => (x[0] < y[0] ? -1 : 1));
    return {
      days: Int32Array.from(rows.map((r) => isoToDay(r[0]))),
      values: Float64Array.from(rows.map((r) => r[1])),
    };
  });

  const positions: { account: number; symbol: number }[] = [];
  const positionOf = (account: number, symbol: string) => {
    const s = symbols.indexOf(symbol);
    if (s < 0) throw new Error(`unknown symbol ${symbol}`);
    let p = positions.findIndex((x) => x.account === account && x.symbol === s);
    if (p < 0) p = positions.push({ account, symbol: s }) - 1;
    return p;
  };
  const events = [...spec.events]
    .map((e, i) => ({ e, i }))
    .sort((x, y) => (x.e.date < y.e.date ? -1 : x.e.date > y.e.date ? 1 : x.i - y.i));
  const n = events.length;
  const cols = {
    count: n,
    day: new Int32Array(n),
    account: new Int32Array(n),
    position: new Int32Array(n),
    kind: new Uint8Array(n),
    quantity: new Float64Array(n),
    cash: new Float64Array(n),
    flow: new Float64Array(n),
  };
  events.forEach(({ e }, k) => {
    const account = e.account ?? 0;
    cols.day[k] = isoToDay(e.date);
    cols.account[k] = account;
    cols.position[k] = e.symbol ? positionOf(account, e.symbol) : -1;
    cols.kind[k] = KIND[e.kind ?? 'trade'];
    cols.quantity[k] = e.quantity ?? 0;
    cols.cash[k] = e.cash ?? 0;
    cols.flow[k] = e.flow ?? 0;
  });
  return {
    book: {
      accountCurrency,
      positionAccount: Int32Array.from(positions.map((p) => p.account)),
      positionSymbol: Int32Array.from(positions.map((p) => p.symbol)),
      events: cols,
    },
    market: {
      symbols,
      symbolCurrency,
      prices,
      currencies,
      baseCurrency: 0,
      fx,
      maxGapDays: spec.maxGapDays ?? 5,
    },
    extras: [],
    endDay: isoToDay(spec.end),
    benchmark: spec.benchmark ? symbols.indexOf(spec.benchmark) : -1,
    riskFree: {
      annualRate: spec.riskFree?.annualRate ?? 0,
      symbol: spec.riskFree?.symbol ? symbols.indexOf(spec.riskFree.symbol) : -1,
    },
  };
}

/** A book scope over every account and position of the model. */
export function wholeBook(input: ModelInput) {
  return {
    kind: 'book' as const,
    accounts: Int32Array.from(input.book.accountCurrency.map((_, i) => i)),
    positions: Int32Array.from(input.book.positionAccount.map((_, i) => i)),
  };
}
