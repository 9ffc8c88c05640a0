/**
 * Engine results → wire DTOs: day numbers become ISO dates, money becomes Decimal rounded to the
 * base currency's minor unit, NaN becomes null, and every gap becomes an entry in `missing`.
 */
import type { AnalyticsBasis, AnalyticsMissing, AnalyticsRange } from '@fo/schema';
import { Decimal } from '@fo/schema';
import { dayToIso } from '@fo/schema/calendar';
import type { DayRun, RangeOut } from './engine/compute.js';
import type { SessionResponse } from './engine/session.js';
import type { AnalyticsContext } from './loader.js';

const minorUnits = new Map<string, number>();

/** Decimal places of a currency's minor unit (2 for USD, 0 for JPY), from ICU. */
function digitsOf(currency: string): number {
  let d = minorUnits.get(currency);
  if (d === undefined) {
    try {
      d =
        new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
          .maximumFractionDigits ?? 2;
    } catch {
      d = 2;
    }
    minorUnits.set(currency, d);
  }
  return d;
}

/**
 * A money figure from the engine's float series, as a Decimal at the currency's precision.
 * (Daily values are floats inside the engine; the error is far below a cent for any realistic
 * total, so rounding to the minor unit gives the exact cents.)
 */
export function money(value: number | null | undefined, currency: string): Decimal | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const d = digitsOf(currency);
  const fixed = value.toFixed(d);
  return new Decimal(fixed === `-${(0).toFixed(d)}` ? fixed.slice(1) : fixed);
}

/** A rate or statistic: finite number or null. */
export function num(value: number | null | undefined): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : value;
}

export function iso(day: number): string {
  return dayToIso(day);
}

export function rangeDto(
  r: Omit<RangeOut, 'performance' | 'risk' | 'missing' | 'unavailable'>,
): AnalyticsRange {
  return {
    key: r.key,
    requestedFrom: iso(r.requestedFrom),
    requestedTo: iso(r.requestedTo),
    from: iso(r.fromDay),
    to: iso(r.toDay),
    calendarDays: r.calendarDays,
    status: r.status,
  };
}

export function missingFromRuns(
  runs: DayRun[],
  res: SessionResponse,
  ctx: AnalyticsContext,
): AnalyticsMissing[] {
  const gap = ctx.settings.maxPriceGapDays;
  return runs.map((run) => {
    if (run.kind === 'price') {
      const symbol = res.symbols[run.key] ?? '?';
      const last =
        run.lastObservedDay === null ? 'no earlier price' : `last price ${iso(run.lastObservedDay)}`;
      return {
        kind: 'price',
        subject: symbol,
        from: iso(run.fromDay),
        to: iso(run.toDay),
        days: run.days,
        message: `${symbol} held without a price from ${iso(run.fromDay)} to ${iso(run.toDay)} (${last}; prices are carried at most ${gap} days): values on these days are unknown, not zero`,
      };
    }
    const pair = `${res.currencies[run.key] ?? '?'}/${ctx.baseCurrency}`;
    return {
      kind: 'fx',
      subject: pair,
      from: iso(run.fromDay),
      to: iso(run.toDay),
      days: run.days,
      message: `No ${pair} rate in force from ${iso(run.fromDay)} to ${iso(run.toDay)} (rates are carried at most ${gap} days): values on these days are unknown, not zero`,
    };
  });
}

export function brokenReturns(days: number[], scopeName: string): AnalyticsMissing[] {
  if (days.length === 0) return [];
  return [
    {
      kind: 'return',
      subject: scopeName,
      from: iso(days[0] as number),
      to: iso(days[days.length - 1] as number),
      days: days.length,
      message: `On ${days.length} day(s) the return could not be computed (no capital before a non-zero value, e.g. a purchase recorded before the deposit that paid for it); those days are linked as 0 %`,
    },
  ];
}

export function unavailableList(map: Record<string, string>): { figure: string; reason: string }[] {
  return Object.entries(map).map(([figure, reason]) => ({ figure, reason }));
}

export function basisOf(ctx: AnalyticsContext, asOfDay: number): AnalyticsBasis {
  return {
    currency: ctx.baseCurrency,
    asOf: iso(asOfDay),
    timeWeighted: 'daily-linked; external flows at the start of the day',
    moneyWeighted: 'XIRR, actual/365 (Excel)',
    annualizeBeyondDays: 365,
    tradingDaysPerYear: 252,
    benchmark: ctx.settings.benchmarkSymbol,
    riskFree: { annualRate: ctx.settings.riskFreeRate, symbol: ctx.settings.riskFreeSymbol },
    maxPriceGapDays: ctx.settings.maxPriceGapDays,
    portfolio:
      'investment accounts (brokerage, retirement, crypto, other), closed ones included; cash-like accounts, real estate and liabilities count in net worth only',
  };
}

/** Issues of the whole request, not of one range. */
export function generalMissing(
  res: SessionResponse,
  ctx: AnalyticsContext,
  holdingsModeAccounts: string[],
): AnalyticsMissing[] {
  const out: AnalyticsMissing[] = [];
  const { result } = res;
  if (result.benchmarkPrices === 0) {
    out.push({
      kind: 'benchmark',
      subject: ctx.settings.benchmarkSymbol,
      from: null,
      to: null,
      days: 0,
      message: `No prices for the benchmark ${ctx.settings.benchmarkSymbol}: beta, alpha, correlation and benchmark returns are unavailable (load its prices with prices.upsert or choose another benchmark in analytics.settings)`,
    });
  }
  if (result.futureEvents > 0) {
    out.push({
      kind: 'future_transactions',
      subject: 'transactions',
      from: null,
      to: null,
      days: 0,
      message: `${result.futureEvents} transaction(s) dated after the analysis date are not included`,
    });
  }
  for (const name of holdingsModeAccounts) {
    out.push({
      kind: 'holdings_snapshot',
      subject: name,
      from: null,
      to: null,
      days: 0,
      message: `${name} keeps positions without transaction history: its current positions are treated as transferred in when they were recorded`,
    });
  }
  return out;
}
