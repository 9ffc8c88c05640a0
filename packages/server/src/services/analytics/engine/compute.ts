/**
 * One analytics request against a prepared model, with results keyed by day numbers (not calendar
 * slots) so they mean the same thing outside the model. This is what a host (main thread or
 * worker) runs; results are plain data and typed arrays.
 */

import { weekday } from '@fo/schema/calendar';
import {
  type AnalyzeOptions,
  analyzeMarket,
  analyzeRanges,
  analyzeScope,
  clipRuns,
  type MarketAnalysis,
  type PerformanceFigures,
  type RangeFigures,
  type ScopeAnalysis,
} from './analyze.js';
import { fillOnCalendar, indexOnOrBefore } from './calendar.js';
import { holdingMetrics } from './holding-metrics.js';
import type { PreparedModel } from './prepare.js';
import { type RangeRequest, resolveRange } from './ranges.js';
import { Step } from './returns.js';
import { type MissingRun, type Scope, snapshotAt } from './valuation.js';

export interface ComputeRequest {
  /** Identifies the scope within the model, for reuse of its valuation across requests. */
  scopeKey: string;
  scope: Scope;
  endDay: number;
  ranges?: RangeRequest[];
  figures?: AnalyzeOptions;
  series?: { range: RangeRequest; interval: 'day' | 'week' | 'month'; netWorth: boolean };
  /** Positions and cash as of endDay (allocation). */
  snapshot?: boolean;
  /** Stored per-holding metrics for these positions. */
  holdingMetrics?: number[];
}

export interface DayRun {
  kind: 'price' | 'fx';
  key: number;
  fromDay: number;
  toDay: number;
  /** Market days in the run. */
  days: number;
  /** Last observation before the run (prices only), or null. */
  lastObservedDay: number | null;
}

export interface RangeOut {
  key: RangeRequest['key'];
  status: 'ok' | 'insufficient_history' | 'no_data';
  requestedFrom: number;
  requestedTo: number;
  fromDay: number;
  toDay: number;
  calendarDays: number;
  performance: (Omit<PerformanceFigures, 'brokenSlots'> & { brokenDays: number[] }) | null;
  risk:
    | (Omit<NonNullable<RangeFigures['risk']>, 'maxDrawdown'> & {
        maxDrawdown: { depth: number; peakDay: number; troughDay: number; recoveryDay: number | null } | null;
      })
    | null;
  missing: DayRun[];
  unavailable: Record<string, string>;
}

export interface SeriesOut {
  range: Omit<RangeOut, 'performance' | 'risk' | 'missing' | 'unavailable'>;
  days: Int32Array;
  value: Float64Array;
  netFlow: Float64Array;
  contributions: Float64Array;
  twr: Float64Array;
  /** NaN where the benchmark has no level. */
  benchmark: Float64Array;
  netWorth: Float64Array | null;
  missing: DayRun[];
}

export interface SnapshotOut {
  day: number;
  quantity: Float64Array;
  cash: Float64Array;
  positionValue: Float64Array;
  cashValue: Float64Array;
  /** Symbols held without a price (or rate) on the day. */
  unpriced: number[];
}

export interface HoldingMetricsOut {
  position: number;
  return1y: number | null;
  returnTotal: number | null;
  /** Over the last year, or since inception when the holding is younger. */
  volatility: number | null;
  beta: number | null;
  alpha: number | null;
}

export interface ComputeResult {
  ranges: RangeOut[];
  series: SeriesOut | null;
  snapshot: SnapshotOut | null;
  holdingMetrics: HoldingMetricsOut[];
  /** Events dated after the model's last day. */
  futureEvents: number;
  /** First day of the scope's history (its base day), or null when it has none. */
  inceptionDay: number | null;
  /** Price observations of the benchmark (0: none loaded, so no beta, alpha or comparison). */
  benchmarkPrices: number;
}

/** Per-model memo of the market analysis and of each scope's valuation. */
export interface ModelWorkspace {
  model: PreparedModel;
  market: MarketAnalysis | null;
  scopes: Map<string, ScopeAnalysis>;
  netWorthExtras: Float64Array | null;
  /** Names the model's market data, settings and calendar exactly, for the holding-metrics memo (null: none). */
  metricsContext: string | null;
}

export function newWorkspace(model: PreparedModel, metricsContext: string | null = null): ModelWorkspace {
  return { model, market: null, scopes: new Map(), netWorthExtras: null, metricsContext };
}

function marketOf(ws: ModelWorkspace): MarketAnalysis {
  ws.market ??= analyzeMarket(ws.model);
  return ws.market;
}

function scopeOf(ws: ModelWorkspace, key: string, scope: Scope): ScopeAnalysis {
  let s = ws.scopes.get(key);
  if (!s) {
    s = analyzeScope(ws.model, scope);
    ws.scopes.set(key, s);
  }
  return s;
}

function toDayRuns(m: PreparedModel, runs: MissingRun[]): DayRun[] {
  return runs.map((r) => {
    let lastObservedDay: number | null = null;
    if (r.kind === 'price') {
      const obs = m.input.market.prices[r.key]?.days;
      const fromDay = m.days[r.from] as number;
      if (obs) {
        const i = indexOnOrBefore(obs, fromDay);
        lastObservedDay = i >= 0 ? (obs[i] as number) : null;
      }
    }
    return {
      kind: r.kind,
      key: r.key,
      fromDay: m.days[r.from] as number,
      toDay: m.days[r.to] as number,
      days: r.to - r.from + 1,
      lastObservedDay,
    };
  });
}

function rangeOut(m: PreparedModel, f: RangeFigures): RangeOut {
  const day = (slot: number) => m.days[slot] as number;
  const perf = f.performance;
  const risk = f.risk;
  return {
    key: f.range.key,
    status: f.range.status,
    requestedFrom: f.range.requestedFrom,
    requestedTo: f.range.requestedTo,
    fromDay: day(f.range.a),
    toDay: day(f.range.b),
    calendarDays: f.calendarDays,
    performance: perf
      ? (() => {
          const { brokenSlots, ...rest } = perf;
          return { ...rest, brokenDays: brokenSlots.map(day) };
        })()
      : null,
    risk: risk
      ? {
          ...risk,
          maxDrawdown: risk.maxDrawdown
            ? {
                depth: risk.maxDrawdown.depth,
                peakDay: day(risk.maxDrawdown.peak),
                troughDay: day(risk.maxDrawdown.trough),
                recoveryDay: risk.maxDrawdown.recovery === null ? null : day(risk.maxDrawdown.recovery),
              }
            : null,
        }
      : null,
    missing: toDayRuns(m, f.missing),
    unavailable: f.unavailable,
  };
}

/** Other net-worth items (cash accounts, real-estate equity, liabilities) per slot, base currency. */
function extrasOf(ws: ModelWorkspace): Float64Array {
  if (ws.netWorthExtras) return ws.netWorthExtras;
  const m = ws.model;
  const n = m.days.length;
  const out = new Float64Array(n);
  for (const item of m.input.extras) {
    const level = fillOnCalendar(m.days, item.days, item.values, Number.POSITIVE_INFINITY);
    const fx = m.fx[item.currency] as Float64Array;
    for (let i = 0; i < n; i++) {
      const v = level[i] as number;
      if (Number.isNaN(v) || v === 0) continue;
      out[i] = (out[i] as number) + item.sign * v * (fx[i] as number);
    }
  }
  ws.netWorthExtras = out;
  return out;
}

function periodKey(day: number, interval: 'day' | 'week' | 'month'): number {
  if (interval === 'day') return day;
  if (interval === 'week') return Math.floor((day - ((weekday(day) + 6) % 7)) / 7);
  const d = new Date(day * 86_400_000);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

function seriesOut(
  ws: ModelWorkspace,
  s: ScopeAnalysis,
  req: NonNullable<ComputeRequest['series']>,
  endDay: number,
): SeriesOut {
  const m = ws.model;
  const range = resolveRange(m.days, s.inception, endDay, req.range);
  const day = (slot: number) => m.days[slot] as number;
  const head = {
    key: range.key,
    status: range.status,
    requestedFrom: range.requestedFrom,
    requestedTo: range.requestedTo,
    fromDay: day(range.a),
    toDay: day(range.b),
    calendarDays: day(range.b) - day(range.a),
  };
  const { a, b } = range;
  // Slots to emit: the range's base, then the last slot of each period.
  const slots: number[] = [];
  if (range.status === 'ok') {
    slots.push(a);
    for (let i = a + 1; i <= b; i++) {
      const last = i === b || periodKey(day(i + 1), req.interval) !== periodKey(day(i), req.interval);
      if (last) slots.push(i);
    }
  }
  const k = slots.length;
  const out: SeriesOut = {
    range: head,
    days: new Int32Array(k),
    value: new Float64Array(k),
    netFlow: new Float64Array(k),
    contributions: new Float64Array(k),
    twr: new Float64Array(k),
    benchmark: new Float64Array(k),
    netWorth: req.netWorth ? new Float64Array(k) : null,
    missing: range.status === 'ok' ? toDayRuns(m, clipRuns(s.series.missing, a, b)) : [],
  };
  const bench = marketOf(ws).benchmark;
  const extras = req.netWorth ? extrasOf(ws) : null;
  const g0 = s.returns.growth[a] as number;
  const b0 = bench ? (bench.growth[a] as number) : 0;
  let cumulative = 0;
  let prev = a;
  slots.forEach((slot, j) => {
    let flow = 0;
    for (let i = prev + 1; i <= slot; i++) flow += s.series.flow[i] as number;
    if (j > 0) cumulative += flow;
    prev = slot;
    out.days[j] = day(slot);
    out.value[j] = s.series.value[slot] as number;
    out.netFlow[j] = j === 0 ? 0 : flow;
    out.contributions[j] = cumulative;
    out.twr[j] = (s.returns.growth[slot] as number) / g0 - 1;
    out.benchmark[j] =
      bench && bench.step[slot] !== Step.Missing && bench.step[a] !== Step.Missing
        ? (bench.growth[slot] as number) / b0 - 1
        : Number.NaN;
    if (out.netWorth && extras) out.netWorth[j] = (s.series.value[slot] as number) + (extras[slot] as number);
  });
  return out;
}

function snapshotOut(m: PreparedModel, endDay: number): SnapshotOut {
  const slot = Math.max(indexOnOrBefore(m.days, endDay), 0);
  const snap = snapshotAt(m, slot);
  const unpriced = new Set<number>();
  snap.positionValue.forEach((v, p) => {
    if (Number.isNaN(v)) unpriced.add(m.input.book.positionSymbol[p] as number);
  });
  return { day: m.days[slot] as number, ...snap, unpriced: [...unpriced] };
}

function holdingMetricsOut(ws: ModelWorkspace, positions: number[], endDay: number): HoldingMetricsOut[] {
  return holdingMetrics(ws.model, marketOf(ws), positions, endDay, ws.metricsContext);
}

export function compute(ws: ModelWorkspace, req: ComputeRequest): ComputeResult {
  const m = ws.model;
  const s = scopeOf(ws, req.scopeKey, req.scope);
  const market = marketOf(ws);
  const ranges = req.ranges
    ? analyzeRanges(
        m,
        s,
        market,
        req.ranges,
        req.figures ?? { performance: true, risk: true },
        req.endDay,
      ).map((f) => rangeOut(m, f))
    : [];
  return {
    ranges,
    series: req.series ? seriesOut(ws, s, req.series, req.endDay) : null,
    snapshot: req.snapshot ? snapshotOut(m, req.endDay) : null,
    holdingMetrics: req.holdingMetrics ? holdingMetricsOut(ws, req.holdingMetrics, req.endDay) : [],
    futureEvents: m.futureEvents,
    inceptionDay: s.inception >= 0 ? (m.days[s.inception] as number) : null,
    benchmarkPrices:
      m.input.benchmark >= 0 ? (m.input.market.prices[m.input.benchmark]?.days.length ?? 0) : 0,
  };
}
