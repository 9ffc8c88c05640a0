/**
 * How a holding is valued on a day, in one place for the per-holding views and the aggregates
 * (net worth, weights):
 *
 *   market  the latest close in `prices` on or before the day (in the price's currency);
 *   manual  a price entered by hand on or before the day, used when newer than the market price;
 *   par     a cash position without a price: one unit is worth 1 of the holding's currency;
 *   cost    no price at all: valued at cost basis and flagged.
 *
 * Prices are looked up once per distinct symbol (a LATERAL index probe on prices_pk), never per
 * holding, so a user's 5,000 holdings over a few hundred symbols cost a few hundred probes.
 */
import { Decimal, type PriceSource } from '@fo/schema';
import { addDays } from '@fo/schema/calendar';
import type { Db } from '../../db/transaction.js';
import { getEnv } from '../../env.js';

export interface StaleThresholds {
  /** Market prices dated before this day are stale. */
  market: string;
  /** Manual prices dated before this day are stale. */
  manual: string;
}

export function staleThresholds(asOf: string): StaleThresholds {
  const env = getEnv();
  return {
    market: addDays(asOf, -env.PRICE_MAX_AGE_DAYS),
    manual: addDays(asOf, -env.MANUAL_PRICE_MAX_AGE_DAYS),
  };
}

/** The columns a holding's valuation needs, as the per-holding queries return them. */
export interface PricedHoldingRow {
  asset_class: string;
  quantity: string;
  cost_basis: string;
  currency: string;
  manual_price: string | null;
  manual_price_as_of: string | null;
  market_close: string | null;
  market_currency: string | null;
  market_date: string | null;
}

export interface HoldingPrice {
  source: PriceSource;
  /** Price of one unit in `currency`; null for `cost`. */
  price: Decimal | null;
  currency: string;
  date: string | null;
  stale: boolean;
}

/** The same rules as the SQL in `holdingAggregates`, for one holding. */
export function priceHolding(row: PricedHoldingRow, asOf: string, stale: StaleThresholds): HoldingPrice {
  const manual =
    row.manual_price !== null && row.manual_price_as_of !== null && row.manual_price_as_of <= asOf
      ? { price: row.manual_price, date: row.manual_price_as_of }
      : null;
  if (row.market_close !== null && row.market_date !== null && (!manual || row.market_date >= manual.date)) {
    return {
      source: 'market',
      price: new Decimal(row.market_close),
      currency: row.market_currency ?? row.currency,
      date: row.market_date,
      stale: row.market_date < stale.market,
    };
  }
  if (manual) {
    return {
      source: 'manual',
      price: new Decimal(manual.price),
      currency: row.currency,
      date: manual.date,
      stale: manual.date < stale.manual,
    };
  }
  if (row.asset_class === 'cash') {
    return { source: 'par', price: new Decimal(1), currency: row.currency, date: null, stale: false };
  }
  return { source: 'cost', price: null, currency: row.currency, date: null, stale: true };
}

/**
 * Joins giving `p.close`, `p.currency`, `p.date`: the latest price of `symbolExpr` on or before
 * the bound day. `price_latest` answers when its newest close is on or before the day (valuing
 * today); otherwise (a day in the past) one backward probe of the symbol's history does — the
 * LATERAL's `pl.symbol IS NULL` makes it a one-time filter, so it never runs when `price_latest` answered.
 * Two bindings: the day, twice.
 */
export const LATEST_PRICE_JOIN = (symbolExpr: string) =>
  `LEFT JOIN price_latest pl ON pl.symbol = ${symbolExpr} AND pl.date <= ?::date
   LEFT JOIN LATERAL (
     SELECT prices.close, prices.currency, prices.date FROM prices
      WHERE pl.symbol IS NULL AND prices.symbol = ${symbolExpr} AND prices.date <= ?::date
      ORDER BY prices.date DESC LIMIT 1
   ) ph ON true
   LEFT JOIN LATERAL (
     SELECT coalesce(pl.close, ph.close) AS close, coalesce(pl.currency, ph.currency) AS currency,
            coalesce(pl.date, ph.date) AS date
   ) p ON true`;

export interface HoldingAggregate {
  account_id: string;
  /** Currency of `value`: the price's for market prices, else the holding's. */
  currency: string;
  is_cash: boolean;
  negative: boolean;
  value: string;
  holdings: number;
  unpriced: string[];
  stale: string[];
}

/** SQL: the holding `a` is valued at the market price `px` (see `priceHolding`). */
const MARKET = `(px.close IS NOT NULL AND (a.manual_price IS NULL OR a.manual_price_as_of > :asOf::date
                                          OR px.date >= a.manual_price_as_of))`;
/** SQL: the holding `a` has a manual price on or before the day. */
const MANUAL = `(a.manual_price IS NOT NULL AND a.manual_price_as_of <= :asOf::date)`;

/**
 * Holdings values of a user's accounts open on `asOf`, summed per (account, currency, cash or not,
 * sign). One query whatever the number of holdings.
 *
 * Written for speed (net worth waits on it): prices are looked up per distinct symbol of the
 * user's holdings (an index-only scan), each holding's value, currency and flags are computed in
 * one projection, and the symbol lists are gathered without DISTINCT (which would force a sort of
 * every holding) and de-duplicated here.
 */
export async function holdingAggregates(db: Db, userId: string, asOf: string): Promise<HoldingAggregate[]> {
  const stale = staleThresholds(asOf);
  const { rows } = await db.raw<{ rows: HoldingAggregate[] }>(
    `WITH px AS (
       SELECT s.symbol, p.close, p.currency, p.date
         FROM (SELECT DISTINCT symbol FROM assets WHERE user_id = :userId) s
         ${LATEST_PRICE_JOIN('s.symbol').replaceAll('?::date', ':asOf::date')}
        WHERE p.close IS NOT NULL
     ), v AS (
       SELECT a.account_id, a.symbol, a.asset_class = 'cash' AS is_cash,
              CASE WHEN ${MARKET} THEN px.currency ELSE a.currency END AS currency,
              CASE
                WHEN ${MARKET} THEN a.quantity * px.close
                WHEN ${MANUAL} THEN a.quantity * a.manual_price
                WHEN a.asset_class = 'cash' THEN a.quantity
                WHEN a.quantity < 0 THEN -a.cost_basis
                ELSE a.cost_basis
              END AS value,
              NOT coalesce(${MARKET}, false) AND NOT coalesce(${MANUAL}, false) AND a.asset_class <> 'cash' AS unpriced,
              CASE
                WHEN ${MARKET} THEN px.date < :marketStale::date
                WHEN ${MANUAL} THEN a.manual_price_as_of < :manualStale::date
                ELSE false
              END AS stale
         FROM assets a
         JOIN accounts acc ON acc.id = a.account_id
         LEFT JOIN px ON px.symbol = a.symbol
        WHERE a.user_id = :userId
          AND (acc.closed_at IS NULL OR (acc.closed_at AT TIME ZONE 'UTC')::date > :asOf::date)
     )
     SELECT account_id, currency, is_cash, value < 0 AS negative,
            sum(value)::text AS value, count(*)::int AS holdings,
            coalesce(array_agg(symbol) FILTER (WHERE unpriced), '{}') AS unpriced,
            coalesce(array_agg(symbol) FILTER (WHERE stale), '{}') AS stale
       FROM v
      GROUP BY 1, 2, 3, 4`,
    { userId, asOf, marketStale: stale.market, manualStale: stale.manual },
  );
  for (const row of rows) {
    if (row.unpriced.length > 1) row.unpriced = [...new Set(row.unpriced)];
    if (row.stale.length > 1) row.stale = [...new Set(row.stale)];
  }
  return rows;
}
