/**
 * Would a trade made today be a wash sale? The ledger's engine applies the rule to recorded
 * trades (engine/partition.ts); this asks the same question of trades not yet made, with the same
 * definitions: IRS Publication 550, "Wash Sales" — a loss is disallowed when substantially
 * identical securities (here, as in the engine, the same symbol) are acquired within
 * WASH_SALE_WINDOW_DAYS (30) days before or after the sale, a 61-day window, in any of the
 * taxpayer's accounts, IRAs included (Rev. Rul. 2008-5). Losses inside tax-advantaged accounts
 * are not deductible at all, so they are never at risk.
 */
import { Decimal } from '@fo/schema';
import { addDays } from '@fo/schema/calendar';
import type { Knex } from '../../db/knex.js';
import type { Db } from '../../db/transaction.js';
import { isTaxAdvantaged } from './accounts.js';
import { WASH_SALE_WINDOW_DAYS } from './engine/index.js';

export { WASH_SALE_WINDOW_DAYS };

/** The 61 days around a sale on `saleDate`; buying again is safe from `safeFrom`. */
export function washSaleWindow(saleDate: string): { from: string; to: string; safeFrom: string } {
  return {
    from: addDays(saleDate, -WASH_SALE_WINDOW_DAYS),
    to: addDays(saleDate, WASH_SALE_WINDOW_DAYS),
    safeFrom: addDays(saleDate, WASH_SALE_WINDOW_DAYS + 1),
  };
}

/** Shares bought in the window and still held: each would replace sold shares of a loss sale. */
export interface ReplacementPurchase {
  lotId: string;
  accountId: string;
  accountName: string;
  taxAdvantaged: boolean;
  symbol: string;
  /** The purchase date; after `saleDate` for a buy already recorded for a later day. */
  acquiredDate: string;
  quantity: Decimal;
}

/**
 * Open lots of `symbols`, in any of the user's accounts, acquired within 30 days before or after
 * `saleDate` (purchases already recorded for a later day included), as the engine matches them: purchases only (a lot
 * received by transfer keeps its original purchase date), never a lot that already served as a
 * replacement, and never one of `excludedLotIds` (shares sold in the same sale never replace
 * each other).
 */
export async function replacementPurchases(
  db: Db,
  userId: string,
  saleDate: string,
  symbols: readonly string[],
  excludedLotIds: ReadonlySet<string> = new Set(),
): Promise<ReplacementPurchase[]> {
  if (symbols.length === 0) return [];
  const window = washSaleWindow(saleDate);
  const rows = (await (db as Knex)('tax_lots as l')
    .join('accounts as a', 'a.id', 'l.account_id')
    .where('l.user_id', userId)
    .whereIn('l.symbol', [...symbols])
    .whereNull('l.closed_date')
    .where('l.is_short', false)
    .where('l.wash_replacement', false)
    .whereBetween('l.acquired_date', [window.from, window.to])
    .orderBy([
      { column: 'l.symbol' },
      { column: 'l.acquired_date' },
      { column: 'l.order_seq' },
      { column: 'l.id' },
    ])
    .select(
      'l.id',
      'l.account_id',
      'a.name',
      'a.type',
      'a.subtype',
      'l.symbol',
      'l.acquired_date',
      'l.quantity',
    )) as {
    id: string;
    account_id: string;
    name: string;
    type: string;
    subtype: string | null;
    symbol: string;
    acquired_date: string;
    quantity: string;
  }[];
  return rows
    .filter((r) => !excludedLotIds.has(r.id))
    .map((r) => ({
      lotId: r.id,
      accountId: r.account_id,
      accountName: r.name,
      taxAdvantaged: isTaxAdvantaged(r),
      symbol: r.symbol,
      acquiredDate: r.acquired_date,
      quantity: new Decimal(r.quantity),
    }));
}

/** A loss sale in the 30 days before `buyDate` with sold shares not yet matched by a replacement. */
export interface OpenLossSale {
  symbol: string;
  accountId: string;
  saleDate: string;
  /** Sold shares not yet replaced: a purchase of up to this many would wash their loss. */
  unmatchedQuantity: Decimal;
}

/** Loss sales of `symbols` in taxable accounts that a purchase on `buyDate` would wash. */
export async function openLossSales(
  db: Db,
  userId: string,
  buyDate: string,
  symbols: readonly string[],
): Promise<OpenLossSale[]> {
  if (symbols.length === 0) return [];
  const rows = (await (db as Knex)('lot_allocations as s')
    .join('accounts as a', 'a.id', 's.account_id')
    .where('s.user_id', userId)
    .whereIn('s.symbol', [...symbols])
    .where('s.kind', 'sale')
    .where('s.gain', '<', 0)
    .whereBetween('s.event_date', [washSaleWindow(buyDate).from, buyDate])
    .orderBy([{ column: 's.event_date' }, { column: 's.event_seq' }, { column: 's.ordinal' }])
    .select(
      's.symbol',
      's.account_id',
      's.event_date',
      's.quantity',
      's.wash_matched_quantity',
      'a.type',
      'a.subtype',
    )) as {
    symbol: string;
    account_id: string;
    event_date: string;
    quantity: string;
    wash_matched_quantity: string;
    type: string;
    subtype: string | null;
  }[];
  return rows
    .filter((r) => !isTaxAdvantaged(r))
    .map((r) => ({
      symbol: r.symbol,
      accountId: r.account_id,
      saleDate: r.event_date,
      unmatchedQuantity: new Decimal(r.quantity).abs().minus(r.wash_matched_quantity),
    }))
    .filter((s) => s.unmatchedQuantity.gt(0));
}
