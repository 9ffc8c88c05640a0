/**
 * A user's positions valued for decisions (rebalancing, tax-loss harvesting): each holding of an
 * open account at the price holdings.byId shows (services/holdings: latest market close, a newer
 * manual price, par for cash), converted to the holding's currency and to the base currency, with
 * the account's tax treatment; and the open tax lots the ledger keeps for them. Positions whose
 * price or FX rate is missing carry a `problem` and no value: callers flag and skip them, never
 * value them at cost or at 1.0.
 */
import { type AssetClass, Decimal, isCashLikeType, type PriceSource } from '@fo/schema';
import type { Knex } from '../../db/knex.js';
import { allQueries, type Db } from '../../db/transaction.js';
import { loadRates, type RateTable } from '../fx/rates.js';
import { baseCurrencyOf, type HoldingRow, holdingRowsQuery, toHoldingViews } from '../holdings/views.js';
import { isTaxAdvantaged } from '../ledger/accounts.js';

export interface BookAccount {
  id: string;
  name: string;
  type: string;
  subtype: string | null;
  currency: string;
  trackingMode: 'transactions' | 'holdings';
  /** The account's cash, in its currency. */
  cash: Decimal;
  /** Retirement and similar accounts: gains and losses there are not taxed as they happen. */
  taxAdvantaged: boolean;
  /** Counts in the investment portfolio (not a checking, savings or liability account). */
  investment: boolean;
}

export type PositionProblem = { code: 'MISSING_PRICE' | 'MISSING_FX_RATE'; message: string };

export interface ValuedPosition {
  holdingId: string;
  account: BookAccount;
  symbol: string;
  name: string | null;
  assetClass: AssetClass;
  /** The holding's currency: price, market value and lot figures are in it. */
  currency: string;
  quantity: Decimal;
  costBasis: Decimal;
  price: Decimal | null;
  priceSource: PriceSource;
  priceAsOf: string | null;
  stale: boolean;
  marketValue: Decimal | null;
  /** One unit of `currency` in the base currency (1 when they are the same). */
  toBase: Decimal | null;
  valueInBase: Decimal | null;
  problem: PositionProblem | null;
}

export interface Book {
  baseCurrency: string;
  asOf: string;
  accounts: Map<string, BookAccount>;
  /** Holdings with a non-zero quantity in open accounts. */
  positions: ValuedPosition[];
  rates: RateTable;
}

interface AccountRow {
  id: string;
  name: string;
  type: string;
  subtype: string | null;
  currency: string;
  tracking_mode: 'transactions' | 'holdings';
  cash_balance: string;
}

/** Four queries whatever the number of holdings: accounts, holdings with prices, views, rates. */
export async function loadBook(db: Db, userId: string, asOf: string): Promise<Book> {
  const [baseCurrency, accountRows, holdingRows] = await allQueries(db, [
    () => baseCurrencyOf(db, userId),
    () =>
      (db as Knex)('accounts')
        .where('user_id', userId)
        .where((q) =>
          q.whereNull('closed_at').orWhereRaw(`(closed_at AT TIME ZONE 'UTC')::date > ?::date`, [asOf]),
        )
        .orderBy([{ column: 'created_at' }, { column: 'id' }])
        .select<AccountRow[]>('id', 'name', 'type', 'subtype', 'currency', 'tracking_mode', 'cash_balance'),
    () =>
      holdingRowsQuery(db, userId, asOf)
        .whereNot('a.quantity', 0)
        .orderBy([{ column: 'a.symbol' }, { column: 'a.id' }]) as Promise<HoldingRow[]>,
  ]);
  const accounts = new Map(
    accountRows.map((a): [string, BookAccount] => [
      a.id,
      {
        id: a.id,
        name: a.name,
        type: a.type,
        subtype: a.subtype,
        currency: a.currency,
        trackingMode: a.tracking_mode,
        cash: new Decimal(a.cash_balance),
        taxAdvantaged: isTaxAdvantaged(a),
        investment: !isCashLikeType(a.type),
      },
    ]),
  );
  const rows = holdingRows.filter((r) => accounts.has(r.account_id));
  const views = await toHoldingViews(db, userId, rows, asOf);
  const rates = await loadRates(
    db,
    [
      ...rows.map((r): [string, string] => [r.currency, baseCurrency]),
      ...accountRows.map((a): [string, string] => [a.currency, baseCurrency]),
    ],
    asOf,
  );

  const positions = views.map((view, i): ValuedPosition => {
    const row = rows[i] as HoldingRow;
    const rate = rates.rate(view.currency, baseCurrency);
    const toBase = view.currency === baseCurrency ? new Decimal(1) : (rate?.rate ?? null);
    let problem: PositionProblem | null = null;
    if (view.priceSource === 'cost') {
      problem = {
        code: 'MISSING_PRICE',
        message: `No price for ${view.symbol}: it is left out, not valued at cost`,
      };
    } else if (view.missingRate || view.marketValue === null) {
      problem = {
        code: 'MISSING_FX_RATE',
        message: `No ${view.missingRate ?? `${view.priceCurrency}/${view.currency}`} rate: ${view.symbol} is left out`,
      };
    } else if (toBase === null) {
      problem = {
        code: 'MISSING_FX_RATE',
        message: `No ${view.currency}/${baseCurrency} rate: ${view.symbol} is left out`,
      };
    }
    const priced = problem === null;
    return {
      holdingId: view.id,
      account: accounts.get(row.account_id) as BookAccount,
      symbol: view.symbol,
      name: view.name,
      assetClass: view.assetClass,
      currency: view.currency,
      quantity: view.quantity,
      costBasis: view.costBasis,
      price: priced ? view.currentPrice : null,
      priceSource: view.priceSource,
      priceAsOf: view.priceAsOf,
      stale: view.stale,
      marketValue: priced ? view.marketValue : null,
      toBase,
      valueInBase: priced && view.marketValue && toBase ? view.marketValue.mul(toBase) : null,
      problem,
    };
  });
  return { baseCurrency, asOf, accounts, positions, rates };
}

export interface OpenLot {
  id: string;
  accountId: string;
  symbol: string;
  acquiredDate: string;
  /** Start of the holding period (earlier than `acquiredDate` for a wash-sale replacement). */
  holdingStartDate: string;
  quantity: Decimal;
  /** Cost plus the wash-sale adjustment: the basis a sale is measured against. */
  basis: Decimal;
  orderSeq: number;
}

export const positionKey = (accountId: string, symbol: string) => `${accountId}|${symbol}`;

/** Open long lots of the given accounts, FIFO order, by `positionKey`. One query. */
export async function loadOpenLots(
  db: Db,
  userId: string,
  accountIds: readonly string[],
): Promise<Map<string, OpenLot[]>> {
  const byPosition = new Map<string, OpenLot[]>();
  if (accountIds.length === 0) return byPosition;
  const rows = (await (db as Knex)('tax_lots')
    .where('user_id', userId)
    .whereIn('account_id', accountIds)
    .whereNull('closed_date')
    .where('is_short', false)
    .orderBy([{ column: 'acquired_date' }, { column: 'order_seq' }, { column: 'id' }])
    .select(
      'id',
      'account_id',
      'symbol',
      'acquired_date',
      'holding_start_date',
      'quantity',
      'cost',
      'wash_adjustment',
      'order_seq',
    )) as {
    id: string;
    account_id: string;
    symbol: string;
    acquired_date: string;
    holding_start_date: string;
    quantity: string;
    cost: string;
    wash_adjustment: string;
    order_seq: string | number;
  }[];
  for (const r of rows) {
    const key = positionKey(r.account_id, r.symbol);
    let list = byPosition.get(key);
    if (!list) {
      list = [];
      byPosition.set(key, list);
    }
    list.push({
      id: r.id,
      accountId: r.account_id,
      symbol: r.symbol,
      acquiredDate: r.acquired_date,
      holdingStartDate: r.holding_start_date,
      quantity: new Decimal(r.quantity),
      basis: new Decimal(r.cost).plus(r.wash_adjustment),
      orderSeq: Number(r.order_seq),
    });
  }
  return byPosition;
}
