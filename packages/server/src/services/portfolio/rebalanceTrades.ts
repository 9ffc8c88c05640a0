/**
 * Rebalancing, step two (pure): the trades that carry out a class's planned change.
 *
 * Sells draw on the class's lots across every account, in the order that realizes the least
 * taxable gain: lots at a loss in taxable accounts first (they realize losses), then lots in
 * tax-advantaged accounts (no tax either way), then long-term gains, then short-term gains, then
 * positions whose lots are unknown (holdings-mode accounts: term unknown); within each group the
 * highest cost per unit first (the smallest gain per share sold). Buys add to the class's existing
 * positions in proportion to their value; a class with none gets one buy without a security.
 *
 * Quantities are whole shares unless asked otherwise: a sale rounds to the nearest share (a lot
 * sold entirely keeps its fractional quantity), a purchase rounds down, so the cash class absorbs
 * the remainder. With fractional shares, quantities have six decimals.
 */
import { type AssetClass, Decimal } from '@fo/schema';
import { roundMoney, termOn } from './harvest.js';
import { type OpenLot, positionKey, type ValuedPosition } from './positions.js';

export interface TradeOptions {
  asOf: string;
  baseCurrency: string;
  wholeShares: boolean;
}

export interface TradeLot {
  lotId: string | null;
  acquiredDate: string | null;
  holdingStartDate: string | null;
  term: 'short' | 'long' | null;
  quantity: Decimal;
  basis: Decimal;
  proceeds: Decimal;
  gain: Decimal;
}

export interface Trade {
  action: 'buy' | 'sell';
  assetClass: AssetClass;
  accountId: string | null;
  accountName: string | null;
  holdingId: string | null;
  symbol: string | null;
  taxAdvantaged: boolean;
  currency: string;
  price: Decimal | null;
  priceAsOf: string | null;
  quantity: Decimal | null;
  amount: Decimal;
  amountInBase: Decimal;
  lots: TradeLot[];
  estimatedGain: { short: Decimal; long: Decimal; unknownTerm: Decimal };
  washSaleRisk: boolean;
  note: string | null;
}

const ZERO = new Decimal(0);
const FRACTION_PLACES = 6;

interface Candidate {
  position: ValuedPosition;
  lot: OpenLot | null;
  quantity: Decimal;
  basis: Decimal;
  term: 'short' | 'long' | null;
  group: number;
  /** Cost per unit in the base currency. */
  unitCost: Decimal;
}

/** 0 taxable loss, 1 tax-advantaged, 2 long-term gain, 3 short-term gain, 4 unknown term. */
function groupOf(position: ValuedPosition, gainPerUnit: Decimal, term: Candidate['term']): number {
  if (position.account.taxAdvantaged) return 1;
  if (gainPerUnit.lt(0)) return 0;
  return term === 'long' ? 2 : term === 'short' ? 3 : 4;
}

function candidatesOf(
  positions: readonly ValuedPosition[],
  lotsByPosition: ReadonlyMap<string, readonly OpenLot[]>,
  asOf: string,
): Candidate[] {
  const out: Candidate[] = [];
  for (const p of positions) {
    if (!p.price || !p.toBase || p.quantity.lte(0)) continue;
    const lots = lotsByPosition.get(positionKey(p.account.id, p.symbol)) ?? [];
    const pieces = lots.length
      ? lots.map((lot) => ({
          lot,
          quantity: lot.quantity,
          basis: lot.basis,
          term: termOn(lot.holdingStartDate, asOf).term,
        }))
      : [{ lot: null, quantity: p.quantity, basis: p.costBasis, term: null }];
    for (const piece of pieces) {
      if (piece.quantity.lte(0)) continue;
      const unitCost = piece.basis.div(piece.quantity);
      out.push({
        position: p,
        ...piece,
        group: groupOf(p, p.price.minus(unitCost), piece.term),
        unitCost: unitCost.mul(p.toBase),
      });
    }
  }
  return out.sort(
    (a, b) =>
      a.group - b.group ||
      b.unitCost.cmp(a.unitCost) ||
      (a.lot?.acquiredDate ?? '9999').localeCompare(b.lot?.acquiredDate ?? '9999') ||
      (a.lot?.id ?? a.position.holdingId).localeCompare(b.lot?.id ?? b.position.holdingId),
  );
}

function emptyTrade(action: Trade['action'], p: ValuedPosition): Trade {
  return {
    action,
    assetClass: p.assetClass,
    accountId: p.account.id,
    accountName: p.account.name,
    holdingId: p.holdingId,
    symbol: p.symbol,
    taxAdvantaged: p.account.taxAdvantaged,
    currency: p.currency,
    price: p.price,
    priceAsOf: p.priceAsOf,
    quantity: ZERO,
    amount: ZERO,
    amountInBase: ZERO,
    lots: [],
    estimatedGain: { short: ZERO, long: ZERO, unknownTerm: ZERO },
    washSaleRisk: false,
    note: null,
  };
}

/** Sells `amount` (base currency) of the class; `unfilled` is what its lots could not cover. */
export function planSells(
  amount: Decimal,
  positions: readonly ValuedPosition[],
  lotsByPosition: ReadonlyMap<string, readonly OpenLot[]>,
  opts: TradeOptions,
): { trades: Trade[]; unfilled: Decimal } {
  const places = opts.wholeShares ? 0 : FRACTION_PLACES;
  const trades = new Map<string, Trade>();
  let remaining = amount;
  let exhausted = true;
  for (const c of candidatesOf(positions, lotsByPosition, opts.asOf)) {
    if (remaining.lte(0)) {
      exhausted = false;
      break;
    }
    const p = c.position;
    const price = p.price as Decimal;
    const priceInBase = price.mul(p.toBase as Decimal);
    const wanted = remaining.div(priceInBase).toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
    const quantity = Decimal.min(wanted, c.quantity);
    if (quantity.lt(c.quantity)) exhausted = false;
    if (quantity.lte(0)) continue;
    remaining = remaining.minus(quantity.mul(priceInBase));

    const proceeds = quantity.mul(price);
    const basis = c.basis.mul(quantity).div(c.quantity);
    const gain = proceeds.minus(basis);
    let trade = trades.get(p.holdingId);
    if (!trade) {
      trade = emptyTrade('sell', p);
      trades.set(p.holdingId, trade);
    }
    trade.quantity = (trade.quantity as Decimal).plus(quantity);
    trade.amount = trade.amount.plus(proceeds);
    trade.amountInBase = trade.amountInBase.plus(quantity.mul(priceInBase));
    const key = c.term === 'short' ? 'short' : c.term === 'long' ? 'long' : 'unknownTerm';
    trade.estimatedGain[key] = trade.estimatedGain[key].plus(gain.mul(p.toBase as Decimal));
    trade.lots.push({
      lotId: c.lot?.id ?? null,
      acquiredDate: c.lot?.acquiredDate ?? null,
      holdingStartDate: c.lot?.holdingStartDate ?? null,
      term: c.term,
      quantity,
      basis: roundMoney(basis, p.currency),
      proceeds: roundMoney(proceeds, p.currency),
      gain: roundMoney(proceeds, p.currency).minus(roundMoney(basis, p.currency)),
    });
  }
  const out = [...trades.values()].map((t) => finish(t, opts));
  return { trades: out, unfilled: exhausted && remaining.gt(0) ? remaining : ZERO };
}

function finish(t: Trade, opts: TradeOptions): Trade {
  return {
    ...t,
    amount: roundMoney(t.amount, t.currency),
    amountInBase: roundMoney(t.amountInBase, opts.baseCurrency),
    estimatedGain: {
      short: roundMoney(t.estimatedGain.short, opts.baseCurrency),
      long: roundMoney(t.estimatedGain.long, opts.baseCurrency),
      unknownTerm: roundMoney(t.estimatedGain.unknownTerm, opts.baseCurrency),
    },
  };
}

/** Buys `amount` (base currency) of the class, spread over its positions by value. */
export function planBuys(
  amount: Decimal,
  assetClass: AssetClass,
  positions: readonly ValuedPosition[],
  opts: TradeOptions,
): Trade[] {
  const places = opts.wholeShares ? 0 : FRACTION_PLACES;
  const held = positions.filter((p) => p.price && p.toBase && p.valueInBase?.gt(0));
  const total = held.reduce((s, p) => s.plus(p.valueInBase as Decimal), ZERO);
  if (held.length === 0 || total.lte(0)) {
    const rounded = roundMoney(amount, opts.baseCurrency);
    return [
      {
        action: 'buy',
        assetClass,
        accountId: null,
        accountName: null,
        holdingId: null,
        symbol: null,
        taxAdvantaged: false,
        currency: opts.baseCurrency,
        price: null,
        priceAsOf: null,
        quantity: null,
        amount: rounded,
        amountInBase: rounded,
        lots: [],
        estimatedGain: { short: ZERO, long: ZERO, unknownTerm: ZERO },
        washSaleRisk: false,
        note: `No priced ${assetClass} position to add to: choose a security for this amount`,
      },
    ];
  }
  const trades: Trade[] = [];
  for (const p of held) {
    const share = amount.mul(p.valueInBase as Decimal).div(total);
    const priceInBase = (p.price as Decimal).mul(p.toBase as Decimal);
    const quantity = share.div(priceInBase).toDecimalPlaces(places, Decimal.ROUND_DOWN);
    if (quantity.lte(0)) continue;
    const value = quantity.mul(p.price as Decimal);
    trades.push({
      ...emptyTrade('buy', p),
      quantity,
      amount: roundMoney(value, p.currency),
      amountInBase: roundMoney(value.mul(p.toBase as Decimal), opts.baseCurrency),
    });
  }
  return trades;
}
