/**
 * The engine's input as the database hands it over: columns of numbers as comma-separated text
 * (PostgreSQL's string_agg), parsed here into typed arrays. Shipping a few long strings instead of
 * 100,000 row objects keeps the main thread's share of a big load to a memcpy; the parse runs
 * wherever the model is prepared (a worker, for big books).
 */
import { EventKind, type ModelInput, type SeriesObservations, type StepSeries } from './types.js';

export interface RawSeries {
  days: string;
  values: string;
}

export interface RawBook {
  endDay: number;
  baseCurrency: string;
  /** Currency of each account, by account index. */
  accountCurrencies: string[];
  /** Ledger events in ledger order; each field one value per event, comma-separated. */
  events: {
    count: number;
    day: string;
    account: string;
    symbol: string;
    kind: string;
    quantity: string;
    cash: string;
    flow: string;
  };
  prices: ({ symbol: string; currency: string } & RawSeries)[];
  /** Rows `1 base = rate quote`, per pair. */
  fx: ({ base: string; quote: string } & RawSeries)[];
  extras: ({ label: string; currency: string; sign: 1 | -1 } & RawSeries)[];
  benchmarkSymbol: string | null;
  riskFreeRate: number;
  riskFreeSymbol: string | null;
  maxGapDays: number;
}

export interface ParsedBook {
  input: ModelInput;
  /** `${account}|${symbol}` of each position index. */
  positions: { account: number; symbol: string }[];
}

function numbers(text: string, count: number): Float64Array {
  const out = new Float64Array(count);
  if (count === 0) return out;
  let start = 0;
  for (let i = 0; i < count; i++) {
    let end = text.indexOf(',', start);
    if (end < 0) end = text.length;
    out[i] = end > start ? Number(text.slice(start, end)) : 0;
    start = end + 1;
  }
  return out;
}

function ints(text: string, count: number): Int32Array {
  const out = new Int32Array(count);
  if (count === 0) return out;
  let start = 0;
  for (let i = 0; i < count; i++) {
    let end = text.indexOf(',', start);
    if (end < 0) end = text.length;
    // Small non-negative or negative integers: a hand-rolled parse avoids a string per value.
    let v = 0;
    let neg = false;
    for (let k = start; k < end; k++) {
      const c = text.charCodeAt(k);
      if (c === 45) neg = true;
      else v = v * 10 + (c - 48);
    }
    out[i] = neg ? -v : v;
    start = end + 1;
  }
  return out;
}

function series(raw: RawSeries): SeriesObservations {
  const count = raw.days.length === 0 ? 0 : raw.days.split(',').length;
  return { days: ints(raw.days, count), values: numbers(raw.values, count) };
}

export function parseRawBook(raw: RawBook): ParsedBook {
  const currencies = [raw.baseCurrency];
  const currencyIndex = (code: string) => {
    let i = currencies.indexOf(code);
    if (i < 0) i = currencies.push(code) - 1;
    return i;
  };
  const accountCurrency = Int32Array.from(raw.accountCurrencies.map(currencyIndex));

  const symbols: string[] = [];
  const symbolIndex = new Map<string, number>();
  const symbolOf = (s: string) => {
    let i = symbolIndex.get(s);
    if (i === undefined) {
      i = symbols.push(s) - 1;
      symbolIndex.set(s, i);
    }
    return i;
  };
  const priceSeries: SeriesObservations[] = [];
  const symbolCurrencyList: number[] = [];
  for (const p of raw.prices) {
    const i = symbolOf(p.symbol);
    priceSeries[i] = series(p);
    symbolCurrencyList[i] = currencyIndex(p.currency);
  }

  const n = raw.events.count;
  const ev = raw.events;
  const symbolsText = n ? ev.symbol.split(',') : [];
  const account = ints(ev.account, n);
  const position = new Int32Array(n);
  const positions: { account: number; symbol: string }[] = [];
  const positionIndex = new Map<string, number>();
  for (let e = 0; e < n; e++) {
    const sym = symbolsText[e] as string;
    if (!sym) {
      position[e] = -1;
      continue;
    }
    const key = `${account[e]}|${sym}`;
    let p = positionIndex.get(key);
    if (p === undefined) {
      p = positions.push({ account: account[e] as number, symbol: sym }) - 1;
      positionIndex.set(key, p);
    }
    position[e] = p;
  }
  const positionSymbol = Int32Array.from(positions.map((p) => symbolOf(p.symbol)));
  const riskFreeSymbol = raw.riskFreeSymbol ? symbolOf(raw.riskFreeSymbol) : -1;
  const benchmark = raw.benchmarkSymbol ? symbolOf(raw.benchmarkSymbol) : -1;
  // Symbols without any price row: an empty series (valued as missing), priced in the base currency.
  for (let i = 0; i < symbols.length; i++) {
    priceSeries[i] ??= { days: new Int32Array(0), values: new Float64Array(0) };
    symbolCurrencyList[i] ??= 0;
  }
  const extras: StepSeries[] = raw.extras.map((x) => ({
    label: x.label,
    currency: currencyIndex(x.currency),
    sign: x.sign,
    ...series(x),
  }));

  // FX: a rate per currency into the base; direct rows (C→base) win over inverted ones on a day.
  const fx: SeriesObservations[] = currencies.map(() => ({
    days: new Int32Array(0),
    values: new Float64Array(0),
  }));
  for (let c = 1; c < currencies.length; c++) {
    const code = currencies[c] as string;
    const direct = raw.fx.find((r) => r.base === code && r.quote === raw.baseCurrency);
    const inverse = raw.fx.find((r) => r.base === raw.baseCurrency && r.quote === code);
    const merged = new Map<number, number>();
    if (inverse) {
      const s = series(inverse);
      s.days.forEach((d, i) => {
        merged.set(d, 1 / (s.values[i] as number));
      });
    }
    if (direct) {
      const s = series(direct);
      s.days.forEach((d, i) => {
        merged.set(d, s.values[i] as number);
      });
    }
    const days = Int32Array.from([...merged.keys()].sort((x, y) => x - y));
    fx[c] = { days, values: Float64Array.from(days, (d) => merged.get(d) as number) };
  }

  return {
    input: {
      book: {
        accountCurrency,
        positionAccount: Int32Array.from(positions.map((p) => p.account)),
        positionSymbol,
        events: {
          count: n,
          day: ints(ev.day, n),
          account,
          position,
          kind: Uint8Array.from(ints(ev.kind, n), (k) =>
            k === EventKind.Split || k === EventKind.SecurityTransfer ? k : EventKind.Trade,
          ),
          quantity: numbers(ev.quantity, n),
          cash: numbers(ev.cash, n),
          flow: numbers(ev.flow, n),
        },
      },
      market: {
        symbols,
        symbolCurrency: Int32Array.from(symbolCurrencyList),
        prices: priceSeries,
        currencies,
        baseCurrency: 0,
        fx,
        maxGapDays: raw.maxGapDays,
      },
      extras,
      endDay: raw.endDay,
      benchmark,
      riskFree: { annualRate: raw.riskFreeRate, symbol: riskFreeSymbol },
    },
    positions,
  };
}
