/**
 * Loads what the analytics need for one user, with a handful of set-based queries (never one per
 * account, holding or symbol):
 *
 * 1. context: base currency, settings, data versions (every call; one row);
 * 2. accounts and holdings metadata (every new data version);
 * 3. the ledger as engine events, prices, FX and net-worth balances (when a book is not already
 *    prepared): columns come back aggregated as comma-separated text, which the engine parses off
 *    the main thread for big books.
 *
 * The ledger → event mapping lives in SQL (`EVENT_SQL`), in exact numeric arithmetic.
 */

import { CASH_LIKE_ACCOUNT_TYPES, LIABILITY_ACCOUNT_TYPES } from '@fo/schema';
import { isoToDay } from '@fo/schema/calendar';
import type { Actor } from '../../actor.js';
import { allQueries, type Db } from '../../db/transaction.js';
import { NotFoundError } from '../errors.js';
import { amortizationSchedule } from '../realEstate/amortization.js';
import { loadMortgages, loanTerms, type MortgageRow, recordedBalances } from '../realEstate/load.js';
import type { RawBook } from './engine/raw.js';
import { EventKind } from './engine/types.js';
import { loadFx, loadPrices } from './market-data.js';
import { type EffectiveSettings, effectiveSettings, type StoredSettings } from './settings.js';

export interface AnalyticsContext {
  userId: string;
  baseCurrency: string;
  settings: EffectiveSettings;
  /** Changes whenever anything the user's analytics read changes (see the data-versions migration). */
  version: string;
  /** Version of the shared market data (prices, FX). */
  marketVersion: string;
}

export async function loadContext(db: Db, actor: Actor): Promise<AnalyticsContext> {
  const { rows } = await db.raw<{
    rows: (StoredSettings & { base_currency: string; data_version: string; market_version: string })[];
  }>(
    `SELECT u.base_currency,
            s.benchmark_symbol, s.risk_free_rate, s.risk_free_symbol, s.max_price_gap_days,
            coalesce(v.version, 0)::text AS data_version,
            coalesce((SELECT m.version FROM analytics_market_version m), 0)::text AS market_version
       FROM users u
       LEFT JOIN analytics_settings s ON s.user_id = u.id
       LEFT JOIN analytics_data_versions v ON v.user_id = u.id
      WHERE u.id = ?`,
    [actor.userId],
  );
  const row = rows[0];
  if (!row) throw new NotFoundError('User');
  const settings = effectiveSettings(row);
  return {
    userId: actor.userId,
    baseCurrency: row.base_currency,
    settings,
    marketVersion: row.market_version,
    version: [
      row.data_version,
      row.market_version,
      row.base_currency,
      settings.benchmarkSymbol,
      settings.riskFreeRate,
      settings.riskFreeSymbol ?? '',
      settings.maxPriceGapDays,
    ].join(':'),
  };
}

export interface AccountMeta {
  id: string;
  index: number;
  name: string;
  type: string;
  currency: string;
  trackingMode: 'transactions' | 'holdings';
  /** Counts in the investment portfolio (not a cash-like or liability account). */
  investment: boolean;
}

export interface HoldingMeta {
  id: string;
  accountId: string;
  accountIndex: number;
  symbol: string;
  name: string | null;
  assetClass: string;
  currency: string;
}

export interface BookMeta {
  accounts: AccountMeta[];
  accountById: Map<string, AccountMeta>;
  holdings: HoldingMeta[];
  holdingById: Map<string, HoldingMeta>;
  /** `${accountIndex}|${symbol}` → holding. */
  holdingByPosition: Map<string, HoldingMeta>;
}

const CASH_LIKE: readonly string[] = CASH_LIKE_ACCOUNT_TYPES;
const LIABILITIES: readonly string[] = LIABILITY_ACCOUNT_TYPES;

export async function loadMeta(db: Db, userId: string): Promise<BookMeta> {
  const [accountRows, holdingRows] = await allQueries(db, [
    () =>
      db('accounts')
        .where('user_id', userId)
        .orderBy([{ column: 'created_at' }, { column: 'id' }])
        .select<
          {
            id: string;
            name: string;
            type: string;
            currency: string;
            tracking_mode: 'transactions' | 'holdings';
          }[]
        >('id', 'name', 'type', 'currency', 'tracking_mode'),
    () =>
      db('assets').where('user_id', userId).select<
        {
          id: string;
          account_id: string;
          symbol: string;
          name: string | null;
          asset_class: string;
          currency: string;
        }[]
      >('id', 'account_id', 'symbol', 'name', 'asset_class', 'currency'),
  ]);
  const accounts = accountRows.map((a, index) => ({
    id: a.id,
    index,
    name: a.name,
    type: a.type,
    currency: a.currency,
    trackingMode: a.tracking_mode,
    investment: !CASH_LIKE.includes(a.type),
  }));
  const accountById = new Map(accounts.map((a) => [a.id, a]));
  const holdings = holdingRows.map((h) => ({
    id: h.id,
    accountId: h.account_id,
    accountIndex: accountById.get(h.account_id)?.index ?? -1,
    symbol: h.symbol,
    name: h.name,
    assetClass: h.asset_class,
    currency: h.currency,
  }));
  return {
    accounts,
    accountById,
    holdings,
    holdingById: new Map(holdings.map((h) => [h.id, h])),
    holdingByPosition: new Map(holdings.map((h) => [`${h.accountIndex}|${h.symbol}`, h])),
  };
}

/**
 * Ledger transactions as engine events, plus synthetic events for accounts that keep positions
 * without history (holdings mode): their positions and cash enter as external transfers on the
 * day they were recorded. Columns: d (date), s/c/i (tie-breakers: the ledger's own order, seq,
 * for transactions), acct (index), sym, kind, qty, cash, flow.
 *
 * The events say what the ledger did, not a second reading of the rules:
 * - cash is each transaction's `cash_effect`, the column the ledger computes and sums into the
 *   account's cash (a reinvested dividend's is the dividend less the shares it bought);
 * - a position changes exactly where the ledger's replay opens or closes lots: buys and reinvested
 *   dividends add their `quantity`, sells remove it, security transfers move it, and a split
 *   scales it by its exact ratio `split_to / split_from` (the stored `quantity` is that factor
 *   rounded to 10 places, which would leave a residue after a later sale of every share);
 * - transactions recorded in holdings-mode accounts change neither the holdings nor the cash the
 *   ledger keeps there (the replay and the cash updates skip those accounts), so they are not
 *   events: those accounts enter only through their recorded positions and cash.
 */
const EVENT_SQL = `
  WITH acct AS (
    SELECT a.id, a.type, a.tracking_mode, a.cash_balance, a.created_at, (o.idx - 1)::int AS idx
      FROM unnest(?::uuid[]) WITH ORDINALITY AS o(id, idx)
      JOIN accounts a ON a.id = o.id
     WHERE a.user_id = ?
  ), ev AS (
    SELECT t.trade_date AS d, t.seq AS s, t.created_at AS c, t.id AS i, acct.idx AS acct,
           CASE WHEN t.symbol IS NOT NULL AND t.type <> 'deposit' AND t.type <> 'withdrawal' THEN t.symbol ELSE '' END AS sym,
           CASE
             WHEN t.type = 'split' THEN ${EventKind.Split}
             WHEN t.type IN ('transfer_in', 'transfer_out') AND t.symbol IS NOT NULL AND coalesce(t.quantity, 0) <> 0
               THEN ${EventKind.SecurityTransfer}
             ELSE ${EventKind.Trade}
           END AS kind,
           CASE
             WHEN t.symbol IS NULL THEN 0
             WHEN t.type IN ('buy', 'transfer_in') THEN coalesce(t.quantity, 0)
             WHEN t.type IN ('sell', 'transfer_out') THEN -coalesce(t.quantity, 0)
             WHEN t.type = 'dividend' AND t.reinvested THEN coalesce(t.quantity, 0)
             WHEN t.type = 'split' THEN coalesce(t.split_to / t.split_from, t.quantity, 1)
             ELSE 0
           END AS qty,
           t.cash_effect AS cash,
           CASE WHEN t.type IN ('deposit', 'withdrawal', 'transfer_in', 'transfer_out') THEN t.cash_effect ELSE 0 END AS flow
      FROM transactions t
      JOIN acct ON acct.id = t.account_id
     WHERE t.user_id = ? AND acct.tracking_mode = 'transactions'
    UNION ALL
    SELECT s.created_at::date, NULL, s.created_at, s.id, acct.idx, s.symbol, ${EventKind.SecurityTransfer}, s.quantity, 0, 0
      FROM assets s
      JOIN acct ON acct.id = s.account_id
     WHERE s.user_id = ? AND acct.tracking_mode = 'holdings' AND s.quantity <> 0
    UNION ALL
    SELECT acct.created_at::date, NULL, acct.created_at, acct.id, acct.idx, '', ${EventKind.Trade}, 0, acct.cash_balance, acct.cash_balance
      FROM acct
     WHERE acct.tracking_mode = 'holdings' AND acct.cash_balance <> 0 AND acct.type <> ALL (?::text[])
  )
  SELECT count(*)::int AS count,
         coalesce(string_agg(concat_ws(',', d - DATE '1970-01-01', acct, sym, kind,
                                       trim_scale(qty), trim_scale(cash), trim_scale(flow)),
                             E'\n' ORDER BY d, s, c, i), '') AS rows
    FROM ev`;

const BALANCES_SQL = `
  SELECT b.account_id, a.type, a.currency, a.name, (a.closed_at::date - DATE '1970-01-01') AS closed_day,
         max(b.date) - DATE '1970-01-01' AS last_day,
         string_agg((b.date - DATE '1970-01-01')::text || ':' || trim_scale(b.balance)::text, ',' ORDER BY b.date) AS points
    FROM account_balances b
    JOIN accounts a ON a.id = b.account_id
   WHERE b.user_id = ? AND a.type = ANY(?::text[]) AND b.date <= ?
   GROUP BY b.account_id, a.type, a.currency, a.name, a.closed_at`;

/** Properties' owned value (valuation × ownership share) over time. */
const PROPERTIES_SQL = `
  SELECT re.id, re.name, re.currency,
         coalesce(string_agg((v.date - DATE '1970-01-01')::text || ':' || trim_scale(v.value * re.ownership_share)::text, ','
                             ORDER BY v.date), '') AS points
    FROM real_estate re
    LEFT JOIN real_estate_valuations v ON v.property_id = re.id AND v.date <= ?
   WHERE re.user_id = ?
   GROUP BY re.id, re.name, re.currency`;

/** Cash-like accounts that never recorded a dated balance: their current balance since creation. */
const UNDATED_BALANCES_SQL = `
  SELECT a.id, a.type, a.currency, a.name, a.created_at::date AS since, a.cash_balance
    FROM accounts a
   WHERE a.user_id = ? AND a.type = ANY(?::text[]) AND a.cash_balance <> 0
     AND NOT EXISTS (SELECT 1 FROM account_balances b WHERE b.account_id = a.id)`;

/** Every symbol of the user's ledger (prices are fetched for them while the ledger loads). */
const LEDGER_SYMBOLS_SQL = `
  SELECT coalesce(array_agg(s.symbol), '{}') AS symbols
    FROM (SELECT DISTINCT t.symbol FROM transactions t WHERE t.user_id = ? AND t.symbol IS NOT NULL) s`;

/** A mortgage's outstanding balance as steps: the principal from its start, then after each payment. */
function mortgageSteps(m: MortgageRow, currency: string, endIso: string): string {
  const schedule = amortizationSchedule(loanTerms(m, currency), recordedBalances(m), endIso);
  const points = [`${isoToDay(m.start_date)}:${m.original_principal}`];
  for (const row of schedule.rows) {
    if (row.date > endIso) break;
    points.push(`${isoToDay(row.date)}:${row.balance.toFixed()}`);
  }
  return points.join(',');
}

/** The whole book of a user as the engine's raw input. */
export async function loadRawBook(
  db: Db,
  ctx: AnalyticsContext,
  meta: BookMeta,
  endIso: string,
): Promise<RawBook> {
  const { settings, userId, baseCurrency, marketVersion } = ctx;
  const accountIds = meta.accounts.map((a) => a.id);
  const marketSymbols = [
    settings.benchmarkSymbol,
    ...(settings.riskFreeSymbol ? [settings.riskFreeSymbol] : []),
  ];
  const symbolsThenPrices = async () => {
    const { rows } = await db.raw<{ rows: { symbols: string[] }[] }>(LEDGER_SYMBOLS_SQL, [userId]);
    const symbols = [...marketSymbols, ...meta.holdings.map((h) => h.symbol), ...(rows[0]?.symbols ?? [])];
    return loadPrices(db, marketVersion, endIso, symbols);
  };
  const [events, prices, balances, undated, properties, mortgages] = await allQueries(db, [
    () =>
      db.raw<{ rows: { count: number; rows: string }[] }>(EVENT_SQL, [
        accountIds,
        userId,
        userId,
        userId,
        [...CASH_LIKE],
      ]),
    () => symbolsThenPrices(),
    () =>
      db.raw<{
        rows: {
          account_id: string;
          type: string;
          currency: string;
          name: string;
          closed_day: number | null;
          last_day: number;
          points: string;
        }[];
      }>(BALANCES_SQL, [userId, [...CASH_LIKE], endIso]),
    () =>
      db.raw<{
        rows: {
          id: string;
          type: string;
          currency: string;
          name: string;
          since: string;
          cash_balance: string;
        }[];
      }>(UNDATED_BALANCES_SQL, [userId, [...CASH_LIKE]]),
    () =>
      db.raw<{ rows: { id: string; name: string; currency: string; points: string }[] }>(PROPERTIES_SQL, [
        endIso,
        userId,
      ]),
    () => loadMortgages(db, userId, null),
  ]);
  const ledger = events.rows[0] ?? { count: 0, rows: '' };
  const currencies = new Set<string>([
    ...meta.accounts.map((a) => a.currency),
    ...prices.map((p) => p.currency),
    ...balances.rows.map((b) => b.currency),
    ...undated.rows.map((b) => b.currency),
    ...properties.rows.map((p) => p.currency),
  ]);
  const fx = await loadFx(db, marketVersion, endIso, baseCurrency, currencies);

  const extras: RawBook['extras'] = balances.rows.map((b) => {
    // A closed account's balance ends on the day it was closed.
    const closes = b.closed_day !== null && b.closed_day > b.last_day;
    return {
      label: b.name,
      currency: b.currency,
      sign: LIABILITIES.includes(b.type) ? -1 : 1,
      points: closes ? `${b.points},${b.closed_day}:0` : b.points,
    };
  });
  for (const a of undated.rows) {
    extras.push({
      label: a.name,
      currency: a.currency,
      sign: LIABILITIES.includes(a.type) ? -1 : 1,
      points: `${isoToDay(a.since)}:${a.cash_balance}`,
    });
  }
  const propertyById = new Map(properties.rows.map((p) => [p.id, p]));
  for (const p of properties.rows) {
    if (p.points) extras.push({ label: p.name, currency: p.currency, sign: 1, points: p.points });
  }
  for (const m of mortgages) {
    const property = propertyById.get(m.property_id);
    if (!property || m.start_date > endIso) continue;
    extras.push({
      label: `${property.name} mortgage`,
      currency: property.currency,
      sign: -1,
      points: mortgageSteps(m, property.currency, endIso),
    });
  }
  return {
    marketKey: `${marketVersion}|${endIso}`,
    endDay: isoToDay(endIso),
    baseCurrency,
    accountCurrencies: meta.accounts.map((a) => a.currency),
    events: { count: ledger.count, rows: ledger.rows },
    prices,
    fx,
    extras,
    benchmarkSymbol: settings.benchmarkSymbol,
    riskFreeRate: settings.riskFreeRate,
    riskFreeSymbol: settings.riskFreeSymbol,
    maxGapDays: settings.maxPriceGapDays,
  };
}
