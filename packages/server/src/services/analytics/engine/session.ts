/**
 * A prepared book and the requests run against it, addressed by account index and symbol rather
 * than engine indices, so callers never need the model itself. Used identically on the main
 * thread and in the worker.
 */
import {
  type ComputeRequest,
  type ComputeResult,
  compute,
  type ModelWorkspace,
  newWorkspace,
} from './compute.js';
import { prepareModel } from './prepare.js';
import { type ParsedBook, parseRawBook, type RawBook } from './raw.js';
import type { Scope } from './valuation.js';

export type ScopeSpec =
  | { kind: 'book'; accounts: number[] }
  | { kind: 'holding'; account: number; symbol: string };

export interface SessionRequest extends Omit<ComputeRequest, 'scope' | 'scopeKey' | 'holdingMetrics'> {
  scope: ScopeSpec;
  /** Also compute the stored metrics of every position of the scope's accounts. */
  holdingMetrics?: boolean;
}

export interface SessionResponse {
  result: ComputeResult;
  positions: { account: number; symbol: string }[];
  symbols: string[];
  currencies: string[];
}

export interface BookSession {
  parsed: ParsedBook;
  ws: ModelWorkspace;
  /** Rough cost of the book, for memory accounting. */
  size: number;
}

/**
 * What, besides a position's own events and currencies, its stored metrics depend on: the market
 * data (its version and day: `marketKey`), the base currency, the settings and the calendar. Null
 * when the book names no market version (nothing to memoize against).
 */
function metricsContext(raw: RawBook, days: Int32Array): string | null {
  if (!raw.marketKey) return null;
  return [
    raw.marketKey,
    raw.endDay,
    raw.baseCurrency,
    raw.benchmarkSymbol ?? '',
    raw.riskFreeRate,
    raw.riskFreeSymbol ?? '',
    raw.maxGapDays,
    days.join(','),
  ].join('\u0000');
}

export function openSession(raw: RawBook): BookSession {
  const parsed = parseRawBook(raw);
  const model = prepareModel(parsed.input);
  return {
    parsed,
    ws: newWorkspace(model, metricsContext(raw, model.days)),
    size: parsed.input.book.events.count + model.days.length * (parsed.input.market.symbols.length + 1),
  };
}

/** Work estimate of a raw book before parsing: events plus price and rate observations (~12 characters each). */
export function estimateWork(raw: RawBook): number {
  let chars = 0;
  for (const p of raw.prices) chars += p.points.length;
  for (const f of raw.fx) chars += f.points.length;
  return raw.events.count + Math.round(chars / 12);
}

function resolveScope(
  parsed: ParsedBook,
  spec: ScopeSpec,
): { key: string; scope: Scope; accounts: Set<number> } {
  if (spec.kind === 'holding') {
    const p = parsed.positions.findIndex((x) => x.account === spec.account && x.symbol === spec.symbol);
    return {
      key: `holding:${p}`,
      // A holding without transactions: an empty book scope values to nothing.
      scope:
        p >= 0
          ? { kind: 'holding', position: p }
          : { kind: 'book', accounts: new Int32Array(0), positions: new Int32Array(0) },
      accounts: new Set([spec.account]),
    };
  }
  const accounts = new Set(spec.accounts);
  const positions: number[] = [];
  parsed.positions.forEach((x, p) => {
    if (accounts.has(x.account)) positions.push(p);
  });
  return {
    key: `book:${[...accounts].sort((a, b) => a - b).join(',')}`,
    scope: { kind: 'book', accounts: Int32Array.from(accounts), positions: Int32Array.from(positions) },
    accounts,
  };
}

export function runSession(session: BookSession, req: SessionRequest): SessionResponse {
  const { parsed, ws } = session;
  const { key, scope, accounts } = resolveScope(parsed, req.scope);
  const holdingMetrics = req.holdingMetrics
    ? parsed.positions.flatMap((x, p) => (accounts.has(x.account) ? [p] : []))
    : undefined;
  const { holdingMetrics: _ignored, scope: _spec, ...rest } = req;
  const result = compute(ws, {
    ...rest,
    scopeKey: key,
    scope,
    ...(holdingMetrics ? { holdingMetrics } : {}),
  });
  return {
    result,
    positions: parsed.positions,
    symbols: parsed.input.market.symbols,
    currencies: parsed.input.market.currencies,
  };
}

/** The ArrayBuffers of a response's arrays, to transfer rather than copy across threads. */
export function transferables(responses: SessionResponse[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const { result } of responses) {
    const arrays = [
      ...(result.series
        ? [
            result.series.days,
            result.series.value,
            result.series.netFlow,
            result.series.contributions,
            result.series.twr,
            result.series.benchmark,
            ...(result.series.netWorth ? [result.series.netWorth] : []),
          ]
        : []),
      ...(result.snapshot
        ? [
            result.snapshot.quantity,
            result.snapshot.cash,
            result.snapshot.positionValue,
            result.snapshot.cashValue,
          ]
        : []),
    ];
    for (const a of arrays) if (a.buffer instanceof ArrayBuffer) out.add(a.buffer);
  }
  return [...out];
}
