/**
 * The engine's input: a columnar, structured-clone-friendly picture of one user's book (accounts,
 * positions, ledger events) and the market data it needs. The data layer builds it from the
 * database; tests build it by hand. Everything is typed arrays or plain values, so it crosses a
 * worker_threads boundary without conversion.
 */

/** What an event does to its position's quantity. */
export const EventKind = {
  /** Quantity changes by `quantity` (buys +, sells −, reinvested dividends +); cash by `cash`. */
  Trade: 0,
  /** Quantity is multiplied by `quantity` (the split ratio: 2 for 2-for-1, 0.2 for 1-for-5). */
  Split: 1,
  /**
   * Securities moved into (+) or out of (−) the account without cash: an external flow worth
   * quantity × price on that day.
   */
  SecurityTransfer: 2,
} as const;
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

export interface EventColumns {
  count: number;
  /** Trade date as a day number; ascending (ties keep ledger order). */
  day: Int32Array;
  account: Int32Array;
  /** Position index, or -1 for a cash-only event (deposit, fee without symbol, interest). */
  position: Int32Array;
  kind: Uint8Array;
  /** Quantity delta, or the split ratio for splits. */
  quantity: Float64Array;
  /** Cash delta of the account, in the account's currency (buys −, sells/dividends +). */
  cash: Float64Array;
  /** External cash flow into (+) or out of (−) the account, in the account's currency. */
  flow: Float64Array;
}

export interface BookInput {
  /** Index of each account's currency in `currencies`. */
  accountCurrency: Int32Array;
  /** Owning account of each position. */
  positionAccount: Int32Array;
  /** Symbol of each position (index into `symbols`). */
  positionSymbol: Int32Array;
  events: EventColumns;
}

export interface SeriesObservations {
  /** Observation days, ascending. */
  days: Int32Array;
  values: Float64Array;
}

export interface MarketInput {
  symbols: string[];
  /** Price currency of each symbol (index into `currencies`). */
  symbolCurrency: Int32Array;
  prices: SeriesObservations[];
  /** Currency codes; index `baseCurrency` is the reporting currency. */
  currencies: string[];
  baseCurrency: number;
  /**
   * Rate converting one unit of each currency into the base currency, per observation day. The
   * base currency's own entry is ignored (always 1).
   */
  fx: SeriesObservations[];
  /** A price or rate stays valid this many calendar days after its date; longer gaps are not bridged. */
  maxGapDays: number;
}

/**
 * A balance that holds until the next one is recorded (a checking account's balance, a property's
 * valuation, a mortgage's outstanding principal): carried forward without a gap limit. `sign` is
 * -1 for amounts owed. Used only in the net-worth series.
 */
export interface StepSeries {
  label: string;
  currency: number;
  sign: 1 | -1;
  days: Int32Array;
  values: Float64Array;
}

export interface ModelInput {
  book: BookInput;
  market: MarketInput;
  /** Net-worth items outside the investment book: cash accounts, real-estate equity, liabilities. */
  extras: StepSeries[];
  /** Last day of the analysis (normally today). */
  endDay: number;
  /** Benchmark symbol index, or -1 when none is loaded. */
  benchmark: number;
  riskFree: { annualRate: number; symbol: number };
}
