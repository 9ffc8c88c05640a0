/**
 * What every analytics call starts with: the user's context and data version (one query), the
 * book's metadata (cached per version), the requested scope resolved against it, and the job that
 * runs requests on the user's prepared book.
 */
import type { AnalyticsScope } from '@fo/schema';
import { todayIso } from '@fo/schema';
import { isoToDay } from '@fo/schema/calendar';
import type { Db } from '../../db/transaction.js';
import type { ServiceContext } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { ScopeSpec, SessionRequest, SessionResponse } from './engine/session.js';
import { analyticsHost } from './host.js';
import { type AnalyticsContext, type BookMeta, loadContext, loadMeta, loadRawBook } from './loader.js';
import { Lru } from './lru.js';

export interface ScopeInfo {
  type: 'portfolio' | 'account' | 'holding';
  id: string | null;
  name: string;
  symbol: string | null;
}

export interface ResolvedCall {
  ctx: AnalyticsContext;
  meta: BookMeta;
  spec: ScopeSpec;
  info: ScopeInfo;
  /** The analysis date (asOf) as a day number. */
  endDay: number;
  /** Names of holdings-mode investment accounts in the scope. */
  snapshotAccounts: string[];
  run(requests: SessionRequest[]): Promise<SessionResponse[]>;
}

const metaCache = new Lru<string, BookMeta>(256);

function resolveScope(
  meta: BookMeta,
  scope: AnalyticsScope,
): { spec: ScopeSpec; info: ScopeInfo; accounts: number[] } {
  if (scope.type === 'portfolio') {
    const accounts = meta.accounts.filter((a) => a.investment).map((a) => a.index);
    return {
      spec: { kind: 'book', accounts },
      info: { type: 'portfolio', id: null, name: 'Portfolio', symbol: null },
      accounts,
    };
  }
  if (scope.type === 'account') {
    const account = meta.accountById.get(scope.accountId);
    if (!account) throw new NotFoundError('Account', scope.accountId);
    if (!account.investment) {
      throw new ValidationError(
        ['scope', 'accountId'],
        `is a ${account.type} account: performance covers investment accounts (its balance counts in net worth)`,
      );
    }
    return {
      spec: { kind: 'book', accounts: [account.index] },
      info: { type: 'account', id: account.id, name: account.name, symbol: null },
      accounts: [account.index],
    };
  }
  const holding = meta.holdingById.get(scope.holdingId);
  if (!holding || holding.accountIndex < 0) throw new NotFoundError('Holding', scope.holdingId);
  return {
    spec: { kind: 'holding', account: holding.accountIndex, symbol: holding.symbol },
    info: { type: 'holding', id: holding.id, name: holding.name ?? holding.symbol, symbol: holding.symbol },
    accounts: [holding.accountIndex],
  };
}

export function resolveAsOf(asOf: string | undefined): string {
  const today = todayIso();
  if (asOf === undefined) return today;
  if (asOf > today) throw new ValidationError(['asOf'], 'must not be in the future');
  return asOf;
}

export async function resolveCall(
  service: ServiceContext,
  scope: AnalyticsScope,
  asOf: string | undefined,
): Promise<ResolvedCall> {
  const endIso = resolveAsOf(asOf);
  const db: Db = service.db;
  const ctx = await loadContext(db, service.actor);
  const metaKey = `${ctx.userId}:${ctx.version}`;
  let meta = metaCache.get(metaKey);
  if (!meta) {
    meta = await loadMeta(db, ctx.userId);
    metaCache.set(metaKey, meta);
  }
  const { spec, info, accounts } = resolveScope(meta, scope);
  const bookMeta = meta;
  // The book always runs to today; earlier analysis dates are slices of it.
  const today = todayIso();
  const key = `${ctx.userId}:${ctx.version}:${today}`;
  return {
    ctx,
    meta: bookMeta,
    spec,
    info,
    endDay: isoToDay(endIso),
    snapshotAccounts: accounts
      .map((i) => bookMeta.accounts[i])
      .filter((a) => a !== undefined && a.trackingMode === 'holdings')
      .map((a) => a?.name ?? ''),
    run: (requests) =>
      analyticsHost().run({ key, load: () => loadRawBook(db, ctx, bookMeta, today), requests }),
  };
}
