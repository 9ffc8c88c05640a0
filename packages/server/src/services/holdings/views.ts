/**
 * Turns holding rows into their API view: valuation, unrealized gain, weights in the account and
 * the portfolio. A page of any size costs the same four queries (rows, user, aggregates, rates).
 */
import { Decimal, type HoldingView, todayIso } from '@fo/schema';
import type { Knex } from '../../db/knex.js';
import { allQueries, type Db } from '../../db/transaction.js';
import { NotFoundError } from '../errors.js';
import { type Conversion, loadRates } from '../fx/rates.js';
import {
  holdingAggregates,
  LATEST_PRICE_JOIN,
  type PricedHoldingRow,
  priceHolding,
  staleThresholds,
} from './valuation.js';

export interface HoldingRow extends PricedHoldingRow {
  id: string;
  account_id: string;
  user_id: string;
  symbol: string;
  name: string | null;
  tracking_mode: 'transactions' | 'holdings';
  return_1y: string | null;
  return_total: string | null;
  volatility: string | null;
  beta: string | null;
  alpha: string | null;
  metrics_as_of: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** Holdings joined with their account's mode and the latest market price on or before `asOf`. */
export function holdingRowsQuery(db: Db, userId: string, asOf: string): Knex.QueryBuilder {
  return (db as Knex)('assets as a')
    .join('accounts as acc', 'acc.id', 'a.account_id')
    .joinRaw(LATEST_PRICE_JOIN('a.symbol'), [asOf, asOf])
    .select(
      'a.id',
      'a.account_id',
      'a.user_id',
      'a.symbol',
      'a.name',
      'a.asset_class',
      'a.quantity',
      'a.cost_basis',
      'a.currency',
      'a.manual_price',
      'a.manual_price_as_of',
      'a.return_1y',
      'a.return_total',
      'a.volatility',
      'a.beta',
      'a.alpha',
      'a.metrics_as_of',
      'a.created_at',
      'a.updated_at',
      'acc.tracking_mode',
      'p.close as market_close',
      'p.currency as market_currency',
      'p.date as market_date',
    )
    .where('a.user_id', userId);
}

const dec = (v: string | null) => (v === null ? null : new Decimal(v));

export async function baseCurrencyOf(db: Db, userId: string): Promise<string> {
  const row = await (db as Knex)('users').where('id', userId).first('base_currency');
  if (!row) throw new NotFoundError('User');
  return row.base_currency as string;
}

export async function toHoldingViews(
  db: Db,
  userId: string,
  rows: HoldingRow[],
  asOf = todayIso(),
): Promise<HoldingView[]> {
  if (rows.length === 0) return [];
  const stale = staleThresholds(asOf);
  const [base, aggregates] = await allQueries(db, [
    () => baseCurrencyOf(db, userId),
    () => holdingAggregates(db, userId, asOf),
  ]);
  const prices = rows.map((row) => priceHolding(row, asOf, stale));

  const pairs: [string, string][] = [];
  rows.forEach((row, i) => {
    pairs.push([prices[i]!.currency, row.currency], [row.currency, base]);
  });
  for (const agg of aggregates) pairs.push([agg.currency, base]);
  const rates = await loadRates(db, pairs, asOf);

  // Holdings totals in the base currency, per account and overall; null where a rate is missing.
  const accountTotals = new Map<string, Decimal | null>();
  let portfolioTotal: Decimal | null = new Decimal(0);
  for (const agg of aggregates) {
    const conv = rates.convert(new Decimal(agg.value), agg.currency, base);
    const prev = accountTotals.has(agg.account_id) ? accountTotals.get(agg.account_id)! : new Decimal(0);
    accountTotals.set(agg.account_id, conv.ok && prev ? prev.plus(conv.value) : null);
    portfolioTotal = conv.ok && portfolioTotal ? portfolioTotal.plus(conv.value) : null;
  }
  const weight = (value: Decimal | null, total: Decimal | null | undefined) =>
    value && total && !total.isZero() ? value.div(total).toDecimalPlaces(10) : null;

  return rows.map((row, i) => {
    const price = prices[i]!;
    const quantity = new Decimal(row.quantity);
    const costBasis = new Decimal(row.cost_basis);
    let missingRate: string | null = null;
    const missing = (c: Conversion) => {
      if (!c.ok) missingRate ??= c.pair;
      return c.ok ? c.value : null;
    };

    let currentPrice: Decimal | null = null;
    let marketValue: Decimal | null;
    if (price.price) {
      currentPrice = missing(rates.convert(price.price, price.currency, row.currency));
      marketValue = currentPrice ? quantity.mul(currentPrice).toDecimalPlaces(8) : null;
    } else {
      marketValue = quantity.isNegative() ? costBasis.neg() : costBasis;
    }
    const signedCost = quantity.isNegative() ? costBasis.neg() : costBasis;
    const unrealizedGain = marketValue && price.source !== 'cost' ? marketValue.minus(signedCost) : null;
    const valueInBase = marketValue ? missing(rates.convert(marketValue, row.currency, base)) : null;

    return {
      id: row.id,
      accountId: row.account_id,
      symbol: row.symbol,
      name: row.name,
      assetClass: row.asset_class as HoldingView['assetClass'],
      currency: row.currency,
      quantity,
      costBasis,
      costPerUnit: quantity.isZero() ? null : costBasis.div(quantity.abs()).toDecimalPlaces(8),
      currentPrice,
      priceSource: price.source,
      priceAsOf: price.date,
      priceCurrency: price.currency,
      stale: price.stale,
      marketValue,
      unrealizedGain,
      unrealizedReturn:
        unrealizedGain && !costBasis.isZero() ? unrealizedGain.div(costBasis).toDecimalPlaces(10) : null,
      weightInAccount: weight(valueInBase, accountTotals.get(row.account_id)),
      weightInPortfolio: weight(valueInBase, portfolioTotal),
      missingRate,
      manualPrice: dec(row.manual_price),
      manualPriceAsOf: row.manual_price_as_of,
      performance: {
        return1y: dec(row.return_1y),
        returnTotal: dec(row.return_total),
        volatility: dec(row.volatility),
        beta: dec(row.beta),
        alpha: dec(row.alpha),
        asOf: row.metrics_as_of,
      },
      readOnly: row.tracking_mode !== 'holdings',
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  });
}
