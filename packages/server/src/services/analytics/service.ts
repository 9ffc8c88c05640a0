/**
 * analytics.performance, .risk, .series and .allocation, and `runPortfolioAnalytics` for the
 * background `portfolio_analysis` agent. Each call: one context query, then the user's prepared
 * book (cached per data version, computed off the main thread when big), then DTOs.
 */
import type {
  AllocationResult,
  AnalyticsAllocationInput,
  AnalyticsMissing,
  AnalyticsRangeKey,
  AnalyticsRangesInput,
  AnalyticsSeriesInput,
  PerformanceResult,
  RiskResult,
  SeriesResult,
  zAnalyticsAllocationInput,
  zAnalyticsRangesInput,
  zAnalyticsSeriesInput,
} from '@fo/schema';
import { ANALYTICS_RANGES, Decimal, todayIso } from '@fo/schema';
import { isoToDay } from '@fo/schema/calendar';
import type { z } from 'zod';
import type { ServiceContext } from '../context.js';
import { type ResolvedCall, resolveCall } from './context.js';
import { groupBy, concentration as measureConcentration } from './engine/allocation.js';
import type { RangeRequest } from './engine/ranges.js';
import type { SessionRequest, SessionResponse } from './engine/session.js';
import {
  basisOf,
  brokenReturns,
  generalMissing,
  iso,
  missingFromRuns,
  money,
  num,
  rangeDto,
  unavailableList,
} from './format.js';
import { refreshHoldingMetrics } from './holdings.js';

type RangesInput = z.output<typeof zAnalyticsRangesInput>;
type SeriesInput = z.output<typeof zAnalyticsSeriesInput>;
type AllocationInput = z.output<typeof zAnalyticsAllocationInput>;

export type { AnalyticsAllocationInput, AnalyticsRangesInput, AnalyticsSeriesInput };

function rangeRequests(input: Pick<RangesInput, 'ranges' | 'custom'>): RangeRequest[] {
  const standard: AnalyticsRangeKey[] = input.ranges ?? [...ANALYTICS_RANGES];
  return [
    ...standard.map((key) => ({ key })),
    ...input.custom.map((r) => ({ key: 'custom' as const, from: isoToDay(r.from), to: isoToDay(r.to) })),
  ];
}

/**
 * Runs the requests; on the portfolio scope as of today, also refreshes the holdings' stored
 * metrics (once per data version: the result is memoized with the book).
 */
async function runWithRefresh(
  service: ServiceContext,
  call: ResolvedCall,
  requests: SessionRequest[],
): Promise<SessionResponse[]> {
  const refresh = call.info.type === 'portfolio' && call.endDay === isoToDay(todayIso());
  const metricsRequest: SessionRequest = { scope: call.spec, endDay: call.endDay, holdingMetrics: true };
  const responses = await call.run(refresh ? [...requests, metricsRequest] : requests);
  if (refresh) {
    const metrics = responses[responses.length - 1] as SessionResponse;
    await refreshHoldingMetrics(service.db, call, metrics);
    return responses.slice(0, -1);
  }
  return responses;
}

function scopeMissing(res: SessionResponse, call: ResolvedCall): AnalyticsMissing[] {
  return generalMissing(res, call.ctx, call.snapshotAccounts);
}

export async function analyticsPerformance(
  service: ServiceContext,
  input: RangesInput,
): Promise<PerformanceResult> {
  const call = await resolveCall(service, input.scope, input.asOf);
  const [res] = await runWithRefresh(service, call, [
    {
      scope: call.spec,
      endDay: call.endDay,
      ranges: rangeRequests(input),
      figures: { performance: true, risk: false },
    },
  ]);
  const r = res as SessionResponse;
  const currency = call.ctx.baseCurrency;
  return {
    scope: call.info,
    basis: basisOf(call.ctx, call.endDay),
    missing: scopeMissing(r, call),
    ranges: r.result.ranges.map((range) => {
      const p = range.performance;
      const unavailable = { ...range.unavailable };
      if (range.status !== 'ok') unavailable['all'] = statusReason(range.status);
      return {
        range: rangeDto(range),
        startValue: money(p?.startValue, currency),
        endValue: money(p?.endValue, currency),
        netFlows: money(p?.netFlows, currency),
        inflows: money(p?.inflows, currency),
        outflows: money(p?.outflows, currency),
        profit: money(p?.profit, currency),
        simpleReturn: num(p?.simpleReturn),
        twr: num(p?.twr),
        twrAnnualized: num(p?.twrAnnualized),
        xirr: num(p?.xirr),
        mwr: num(p?.mwr),
        benchmarkReturn: num(p?.benchmarkReturn),
        missing: [
          ...missingFromRuns(range.missing, r, call.ctx),
          ...brokenReturns(p?.brokenDays ?? [], call.info.name),
        ],
        unavailable: unavailableList(unavailable),
      };
    }),
  };
}

function statusReason(status: 'ok' | 'insufficient_history' | 'no_data'): string {
  return status === 'insufficient_history'
    ? 'the range starts before the first transaction of this scope'
    : 'no transactions in this scope up to the range end';
}

export async function analyticsRisk(service: ServiceContext, input: RangesInput): Promise<RiskResult> {
  const call = await resolveCall(service, input.scope, input.asOf);
  const [res] = await runWithRefresh(service, call, [
    {
      scope: call.spec,
      endDay: call.endDay,
      ranges: rangeRequests(input),
      figures: { performance: false, risk: true },
    },
  ]);
  const r = res as SessionResponse;
  return {
    scope: call.info,
    basis: basisOf(call.ctx, call.endDay),
    missing: scopeMissing(r, call),
    ranges: r.result.ranges.map((range) => {
      const k = range.risk;
      const unavailable = { ...range.unavailable };
      if (range.status !== 'ok') unavailable['all'] = statusReason(range.status);
      const missing = missingFromRuns(range.missing, r, call.ctx);
      if (k && k.riskFreeFallbackDays > 0 && call.ctx.settings.riskFreeSymbol) {
        missing.push({
          kind: 'risk_free',
          subject: call.ctx.settings.riskFreeSymbol,
          from: null,
          to: null,
          days: k.riskFreeFallbackDays,
          message: `No one-day return of ${call.ctx.settings.riskFreeSymbol} on ${k.riskFreeFallbackDays} day(s): the annual rate ${call.ctx.settings.riskFreeRate} was used on them`,
        });
      }
      return {
        range: rangeDto(range),
        observations: k?.observations ?? 0,
        volatility: num(k?.volatility),
        maxDrawdown: k?.maxDrawdown
          ? {
              depth: k.maxDrawdown.depth,
              peakDate: iso(k.maxDrawdown.peakDay),
              troughDate: iso(k.maxDrawdown.troughDay),
              recoveryDate: k.maxDrawdown.recoveryDay === null ? null : iso(k.maxDrawdown.recoveryDay),
            }
          : null,
        sharpe: num(k?.sharpe),
        sortino: num(k?.sortino),
        beta: num(k?.beta),
        alpha: num(k?.alpha),
        correlation: num(k?.correlation),
        pairedObservations: k?.pairedObservations ?? 0,
        riskFreeRate: num(k?.riskFreeAnnual),
        missing,
        unavailable: unavailableList(unavailable),
      };
    }),
  };
}

export async function analyticsSeries(service: ServiceContext, input: SeriesInput): Promise<SeriesResult> {
  const call = await resolveCall(service, input.scope, input.asOf);
  const range: RangeRequest =
    typeof input.range === 'string'
      ? { key: input.range }
      : { key: 'custom', from: isoToDay(input.range.from), to: isoToDay(input.range.to) };
  const netWorth = call.info.type === 'portfolio';
  const [res] = await call.run([
    { scope: call.spec, endDay: call.endDay, series: { range, interval: input.interval, netWorth } },
  ]);
  const r = res as SessionResponse;
  const s = r.result.series;
  if (!s) throw new Error('analytics: series missing from the engine result');
  const currency = call.ctx.baseCurrency;
  const unavailable: Record<string, string> = {};
  if (s.range.status !== 'ok') unavailable['points'] = statusReason(s.range.status);
  if (r.result.benchmarkPrices === 0) unavailable['benchmark'] = 'no benchmark prices';
  if (!netWorth) unavailable['netWorth'] = 'net worth is a portfolio-wide figure';
  const points = Array.from(s.days, (day, j) => ({
    date: iso(day),
    value: money(s.value[j], currency),
    netFlow: money(s.netFlow[j], currency),
    contributions: money(s.contributions[j], currency),
    twr: s.twr[j] as number,
    benchmark: num(s.benchmark[j]),
    netWorth: s.netWorth ? money(s.netWorth[j], currency) : null,
  }));
  return {
    scope: call.info,
    basis: basisOf(call.ctx, call.endDay),
    range: rangeDto(s.range),
    interval: input.interval,
    points,
    missing: [...scopeMissing(r, call), ...missingFromRuns(s.missing, r, call.ctx)],
    unavailable: unavailableList(unavailable),
  };
}

export async function analyticsAllocation(
  service: ServiceContext,
  input: AllocationInput,
): Promise<AllocationResult> {
  const call = await resolveCall(service, input.scope, input.asOf);
  const [res] = await call.run([{ scope: call.spec, endDay: call.endDay, snapshot: true }]);
  const r = res as SessionResponse;
  const snap = r.result.snapshot;
  if (!snap) throw new Error('analytics: snapshot missing from the engine result');
  const currency = call.ctx.baseCurrency;
  const inScope = new Set(call.spec.kind === 'book' ? call.spec.accounts : [call.spec.account]);
  const items: {
    assetClass: string;
    account: number;
    currency: string;
    symbol: string | null;
    value: number;
  }[] = [];
  const missing: AnalyticsMissing[] = [];
  r.positions.forEach((pos, p) => {
    if (!inScope.has(pos.account) || snap.quantity[p] === 0) return;
    const value = snap.positionValue[p] as number;
    const holding = call.meta.holdingByPosition.get(`${pos.account}|${pos.symbol}`);
    if (!Number.isFinite(value)) {
      missing.push({
        kind: 'price',
        subject: pos.symbol,
        from: iso(snap.day),
        to: iso(snap.day),
        days: 1,
        message: `${pos.symbol} is held but has no price (or FX rate) in force on ${iso(snap.day)}: left out of the totals, not counted as zero`,
      });
      return;
    }
    items.push({
      assetClass: holding?.assetClass ?? 'other',
      account: pos.account,
      currency: holding?.currency ?? currency,
      symbol: pos.symbol,
      value,
    });
  });
  call.meta.accounts.forEach((account) => {
    if (!inScope.has(account.index)) return;
    const value = snap.cashValue[account.index] as number;
    if (value === 0) return;
    if (!Number.isFinite(value)) {
      missing.push({
        kind: 'fx',
        subject: `${account.currency}/${currency}`,
        from: iso(snap.day),
        to: iso(snap.day),
        days: 1,
        message: `Cash of ${account.name} cannot be converted: no ${account.currency}/${currency} rate in force on ${iso(snap.day)}`,
      });
      return;
    }
    items.push({
      assetClass: 'cash',
      account: account.index,
      currency: account.currency,
      symbol: null,
      value,
    });
  });
  const slices = (groups: { key: string; value: number; weight: number }[], label: (k: string) => string) =>
    groups.map((g) => ({
      key: g.key,
      label: label(g.key),
      value: money(g.value, currency) ?? new Decimal(0),
      weight: g.weight,
    }));
  const byClass = groupBy(items.map((i) => ({ key: i.assetClass, value: i.value })));
  const byAccount = groupBy(items.map((i) => ({ key: String(i.account), value: i.value })));
  const byCurrency = groupBy(items.map((i) => ({ key: i.currency, value: i.value })));
  const bySymbol = groupBy(
    items.filter((i) => i.symbol !== null).map((i) => ({ key: i.symbol as string, value: i.value })),
  );
  const measures = measureConcentration(bySymbol.groups.map((g) => g.value));
  const positiveTotal = bySymbol.groups.reduce((s, g) => s + Math.max(g.value, 0), 0);
  const accountName = (k: string) => call.meta.accounts[Number(k)]?.name ?? k;
  return {
    scope: call.info,
    basis: basisOf(call.ctx, call.endDay),
    asOf: iso(snap.day),
    total: money(byClass.total, currency) ?? new Decimal(0),
    byAssetClass: slices(byClass.groups, (k) => k),
    byAccount: slices(byAccount.groups, accountName).map((s) => ({
      ...s,
      key: call.meta.accounts[Number(s.key)]?.id ?? s.key,
    })),
    byCurrency: slices(byCurrency.groups, (k) => k),
    concentration: {
      holdings: measures.count,
      top10Weight: measures.top10Weight,
      herfindahl: measures.herfindahl,
      largest: bySymbol.groups
        .filter((g) => g.value > 0)
        .slice(0, 10)
        .map((g) => ({
          key: g.key,
          label: g.key,
          value: money(g.value, currency) ?? new Decimal(0),
          weight: positiveTotal > 0 ? g.value / positiveTotal : 0,
        })),
    },
    missing: [...scopeMissing(r, call), ...missing],
  };
}

export interface PortfolioAnalytics {
  performance: PerformanceResult;
  risk: RiskResult;
  allocation: AllocationResult;
}

/**
 * Everything about the whole portfolio in one call, for the `portfolio_analysis` agent: returns
 * and risk over the standard ranges and the current allocation. Refreshes the holdings' stored
 * metrics as a side effect, like every portfolio-wide run.
 */
export async function runPortfolioAnalytics(
  service: ServiceContext,
  opts: { asOf?: string; ranges?: AnalyticsRangeKey[] } = {},
): Promise<PortfolioAnalytics> {
  const base = {
    scope: { type: 'portfolio' as const },
    custom: [],
    ...(opts.ranges ? { ranges: opts.ranges } : {}),
    ...(opts.asOf ? { asOf: opts.asOf } : {}),
  };
  const performance = await analyticsPerformance(service, base);
  const risk = await analyticsRisk(service, base);
  const allocation = await analyticsAllocation(service, {
    scope: { type: 'portfolio' },
    ...(opts.asOf ? { asOf: opts.asOf } : {}),
  });
  return { performance, risk, allocation };
}
