/**
 * The engine's input as the database hands it over: a user's ledger as ONE text value (one line
 * per event, built by a single ordered string_agg: one sort in PostgreSQL however many columns),
 * and each price, FX or balance series as `day:value` pairs. Shipping a few long strings instead
 * of 100,000 row objects keeps the main thread's share of a big load to a memcpy; the parse runs
 * wherever the model is prepared (a worker thread, for big books).
 */
import { EventKind, type ModelInput, type SeriesObservations, type StepSeries } from './types.js';

/** `day:value,day:value,…` (day numbers, ascending). */
export type RawPoints = string;

export interface RawBook {
  /** Identifies the market data (version and day): parsed price series are reused across books. */
  marketKey: string;
  endDay: number;
  baseCurrency: string;
  /** Currency of each account, by account index. */
  accountCurrencies: string[];
  /**
   * Ledger events in ledger order, one per line: `day,account,symbol,kind,quantity,cash,flow`
   * (symbol empty for cash-only events).
   */
  events: { count: number; rows: string };
  /**
   * `omitted`: the points were left out because the receiving thread has parsed this symbol's
   * series under `marketKey` already (`hasParsedPrices` says whether it still does).
   */
  prices: { symbol: string; currency: string; points: RawPoints; omitted?: true }[];
  /** Rates `1 base = rate quote`, per pair. */
  fx: { base: string; quote: string; points: RawPoints }[];
  extras: { label: string; currency: string; sign: 1 | -1; points: RawPoints }[];
  benchmarkSymbol: string | null;
  riskFreeRate: number;
  riskFreeSymbol: string | null;
  maxGapDays: number;
}

export interface ParsedBook {
  input: ModelInput;
  /** Account index and symbol of each position index. */
  positions: { account: number; symbol: string }[];
}

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);
const COMMA = 44;
const NEWLINE = 10;

/** A cursor over delimited text; each read consumes its field and the delimiter after it. */
class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  int(): number {
    const t = this.text;
    let c = t.charCodeAt(this.pos);
    let neg = false;
    if (c === 45) {
      neg = true;
      c = t.charCodeAt(++this.pos);
    }
    let v = 0;
    while (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      c = t.charCodeAt(++this.pos);
    }
    this.pos++;
    return neg ? -v : v;
  }

  /**
   * A plain decimal ("-123.4500", as PostgreSQL prints numeric) without a string per value: the
   * digits as one integer divided by a power of ten — both exact below 2^53, so the quotient is
   * the correctly rounded double, the same as Number(). Longer values fall back to Number().
   */
  num(): number {
    const t = this.text;
    const start = this.pos;
    let c = t.charCodeAt(this.pos);
    let neg = false;
    if (c === 45) {
      neg = true;
      c = t.charCodeAt(++this.pos);
    }
    let mantissa = 0;
    let digits = 0;
    let scale = -1;
    while ((c >= 48 && c <= 57) || c === 46) {
      if (c === 46) scale = 0;
      else {
        mantissa = mantissa * 10 + (c - 48);
        digits++;
        if (scale >= 0) scale++;
      }
      c = t.charCodeAt(++this.pos);
    }
    const end = this.pos;
    this.pos++;
    if (digits > 15 || scale > 22) return Number(t.slice(start, end));
    const v = scale > 0 ? mantissa / (POW10[scale] as number) : mantissa;
    return neg ? -v : v;
  }

  str(): string {
    const t = this.text;
    const start = this.pos;
    let c = t.charCodeAt(this.pos);
    // Symbols may contain ':' (zSymbol), never ','.
    while (this.pos < t.length && c !== COMMA && c !== NEWLINE) c = t.charCodeAt(++this.pos);
    const s = t.slice(start, this.pos);
    this.pos++;
    return s;
  }
}

export function parsePoints(points: RawPoints): SeriesObservations {
  if (!points) return { days: new Int32Array(0), values: new Float64Array(0) };
  let count = 1;
  for (let i = 0; i < points.length; i++) if (points.charCodeAt(i) === COMMA) count++;
  const days = new Int32Array(count);
  const values = new Float64Array(count);
  const s = new Scanner(points);
  for (let i = 0; i < count; i++) {
    days[i] = s.int();
    values[i] = s.num();
  }
  return { days, values };
}

/** Parsed price series of the current market key, shared by every book this thread prepares. */
let priceCache: { key: string; series: Map<string, SeriesObservations> } = { key: '', series: new Map() };

const MAX_PARSED_SERIES = 20_000;

/** Whether every price series the book left out is parsed on this thread under its market key. */
export function hasParsedPrices(raw: RawBook): boolean {
  if (!raw.prices.some((p) => p.omitted)) return true;
  if (!raw.marketKey || priceCache.key !== raw.marketKey || priceCache.series.size > MAX_PARSED_SERIES) {
    return false;
  }
  return raw.prices.every((p) => !p.omitted || priceCache.series.has(p.symbol));
}

function cachedPrices(marketKey: string, symbol: string, points: RawPoints): SeriesObservations {
  if (priceCache.key !== marketKey || priceCache.series.size > MAX_PARSED_SERIES) {
    priceCache = { key: marketKey, series: new Map() };
  }
  let s = priceCache.series.get(symbol);
  if (!s) {
    s = parsePoints(points);
    priceCache.series.set(symbol, s);
  }
  return s;
}

export function parseRawBook(raw: RawBook): ParsedBook {
  if (!hasParsedPrices(raw))
    throw new Error('analytics: a price series was left out of the book but is not parsed here');
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
    priceSeries[i] = raw.marketKey ? cachedPrices(raw.marketKey, p.symbol, p.points) : parsePoints(p.points);
    symbolCurrencyList[i] = currencyIndex(p.currency);
  }

  const n = raw.events.count;
  const day = new Int32Array(n);
  const account = new Int32Array(n);
  const position = new Int32Array(n);
  const kind = new Uint8Array(n);
  const quantity = new Float64Array(n);
  const cash = new Float64Array(n);
  const flow = new Float64Array(n);
  const positions: { account: number; symbol: string }[] = [];
  const positionIndex = new Map<string, number>();
  const scan = new Scanner(raw.events.rows);
  for (let e = 0; e < n; e++) {
    day[e] = scan.int();
    const acct = scan.int();
    account[e] = acct;
    const sym = scan.str();
    if (sym) {
      const key = `${acct}|${sym}`;
      let p = positionIndex.get(key);
      if (p === undefined) {
        p = positions.push({ account: acct, symbol: sym }) - 1;
        positionIndex.set(key, p);
      }
      position[e] = p;
    } else position[e] = -1;
    const k = scan.int();
    kind[e] = k === EventKind.Split || k === EventKind.SecurityTransfer ? k : EventKind.Trade;
    quantity[e] = scan.num();
    cash[e] = scan.num();
    flow[e] = scan.num();
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
    ...parsePoints(x.points),
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
      const s = parsePoints(inverse.points);
      s.days.forEach((d, i) => {
        merged.set(d, 1 / (s.values[i] as number));
      });
    }
    if (direct) {
      const s = parsePoints(direct.points);
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
        events: { count: n, day, account, position, kind, quantity, cash, flow },
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
