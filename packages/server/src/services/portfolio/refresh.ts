/**
 * The cached net worth (`users.net_worth`, `net_worth_as_of`) and the daily snapshots behind
 * `portfolio.netWorthHistory`. Every write to a record net worth depends on calls
 * `refreshNetWorth` in its own transaction; the daily `refresh_net_worth` job calls
 * `refreshNetWorthSnapshot` for each user.
 */
import { type NetWorthView, todayIso } from '@fo/schema';
import type { Knex } from '../../db/knex.js';
import type { Db } from '../../db/transaction.js';
import { type HoldingRow, holdingRowsQuery, toHoldingViews } from '../holdings/views.js';
import { computeNetWorth } from './netWorth.js';

async function storeSnapshot(db: Db, userId: string, view: NetWorthView): Promise<void> {
  const byCategory = Object.fromEntries(Object.entries(view.categories).map(([k, v]) => [k, v.toFixed()]));
  await (db as Knex)('net_worth_snapshots')
    .insert({
      user_id: userId,
      date: view.asOf,
      base_currency: view.baseCurrency,
      total_assets: view.totalAssets.toFixed(),
      total_liabilities: view.totalLiabilities.toFixed(),
      net_worth: view.netWorth.toFixed(),
      complete: view.complete,
      by_category: JSON.stringify(byCategory),
    })
    .onConflict(['user_id', 'date'])
    .merge([
      'base_currency',
      'total_assets',
      'total_liabilities',
      'net_worth',
      'complete',
      'by_category',
      'updated_at',
    ]);
}

async function storeCachedNetWorth(db: Db, userId: string, view: NetWorthView): Promise<void> {
  await (db as Knex)('users')
    .where('id', userId)
    .update({ net_worth: view.netWorth.toFixed(), net_worth_as_of: new Date() });
}

/** Recomputes today's net worth: the user's cached figure and today's snapshot. */
export async function refreshNetWorth(db: Db, userId: string): Promise<NetWorthView> {
  const view = await computeNetWorth(db, userId, todayIso());
  await storeCachedNetWorth(db, userId, view);
  await storeSnapshot(db, userId, view);
  return view;
}

export interface RefreshOptions {
  /** Also store each holding's computed price and value (current_price/current_value/price_as_of). Default true. */
  holdingValuations?: boolean;
}

/**
 * Writes the snapshot of `date` for one user (the daily job's unit of work). For today it also
 * refreshes the cached net worth and, by default, every holding's stored valuation.
 */
export async function refreshNetWorthSnapshot(
  db: Db,
  userId: string,
  date: string,
  options: RefreshOptions = {},
): Promise<NetWorthView> {
  const view = await computeNetWorth(db, userId, date);
  await storeSnapshot(db, userId, view);
  if (date === todayIso()) {
    await storeCachedNetWorth(db, userId, view);
    if (options.holdingValuations ?? true) await storeHoldingValuations(db, userId, date);
  }
  return view;
}

/** Stores every holding's valuation of the day in one statement. */
async function storeHoldingValuations(db: Db, userId: string, date: string): Promise<void> {
  const rows = (await holdingRowsQuery(db, userId, date)) as HoldingRow[];
  if (rows.length === 0) return;
  const views = await toHoldingViews(db, userId, rows, date);
  const values = views.map((v) => ({
    id: v.id,
    price: v.currentPrice?.toFixed() ?? null,
    value: v.marketValue?.toFixed() ?? null,
    as_of: v.priceAsOf ? `${v.priceAsOf}T00:00:00Z` : null,
  }));
  await db.raw(
    `UPDATE assets a SET current_price = v.price, current_value = v.value, price_as_of = v.as_of
       FROM jsonb_to_recordset(?::jsonb) AS v(id uuid, price numeric, value numeric, as_of timestamptz)
      WHERE a.id = v.id AND a.user_id = ?`,
    [JSON.stringify(values), userId],
  );
}
