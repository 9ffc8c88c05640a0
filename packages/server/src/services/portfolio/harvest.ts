/**
 * Tax-loss harvesting candidates, pure: the open lots of taxable accounts whose unrealized loss
 * passes the thresholds, with the holding period a sale on `asOf` would have (the ledger's own
 * rule, engine/days.ts), and the totals by term with the tax they could save.
 */
import { Decimal } from '@fo/schema';
import { dayToIso, isoToDay } from '@fo/schema/calendar';
import { anniversary, isLongTerm } from '../ledger/engine/index.js';
import { minorUnits } from '../realEstate/amortization.js';
import { type OpenLot, positionKey, type ValuedPosition } from './positions.js';

export interface HarvestOptions {
  asOf: string;
  baseCurrency: string;
  minLossAmount: Decimal;
  minLossPercent: Decimal;
}

export interface HarvestLot {
  lotId: string;
  accountId: string;
  accountName: string;
  holdingId: string;
  symbol: string;
  currency: string;
  acquiredDate: string;
  holdingStartDate: string;
  term: 'short' | 'long';
  longTermFrom: string | null;
  quantity: Decimal;
  basis: Decimal;
  price: Decimal;
  priceAsOf: string | null;
  marketValue: Decimal;
  loss: Decimal;
  lossPercent: Decimal;
  lossInBase: Decimal;
}

export interface HarvestSkip {
  accountId: string;
  accountName: string;
  symbol: string;
  reason: 'MISSING_PRICE' | 'MISSING_FX_RATE' | 'NO_LOTS';
  message: string;
}

export function roundMoney(value: Decimal, currency: string): Decimal {
  return value.toDecimalPlaces(minorUnits(currency), Decimal.ROUND_HALF_UP);
}

/** The term of a sale on `saleDate` and, while short, the first day it would be long. */
export function termOn(
  holdingStartDate: string,
  saleDate: string,
): { term: 'short' | 'long'; longTermFrom: string | null } {
  const start = isoToDay(holdingStartDate);
  if (isLongTerm(start, isoToDay(saleDate))) return { term: 'long', longTermFrom: null };
  return { term: 'short', longTermFrom: dayToIso(anniversary(start) + 1) };
}

export function findHarvestableLots(
  positions: readonly ValuedPosition[],
  lotsByPosition: ReadonlyMap<string, readonly OpenLot[]>,
  opts: HarvestOptions,
): { lots: HarvestLot[]; skipped: HarvestSkip[] } {
  const lots: HarvestLot[] = [];
  const skipped: HarvestSkip[] = [];
  for (const p of positions) {
    // Losses inside retirement accounts are not deductible; short positions are not lots to sell.
    if (p.account.taxAdvantaged || p.quantity.lte(0)) continue;
    const where = { accountId: p.account.id, accountName: p.account.name, symbol: p.symbol };
    if (p.problem || !p.price || !p.toBase || !p.valueInBase) {
      skipped.push({
        ...where,
        reason: p.problem?.code ?? 'MISSING_PRICE',
        message: p.problem?.message ?? '',
      });
      continue;
    }
    const open = lotsByPosition.get(positionKey(p.account.id, p.symbol)) ?? [];
    if (open.length === 0) {
      const loss = p.costBasis.minus(p.marketValue ?? 0);
      if (loss.gt(0)) {
        skipped.push({
          ...where,
          reason: 'NO_LOTS',
          message: `${p.symbol} shows a loss of ${roundMoney(loss, p.currency).toFixed()} ${p.currency} but has no tax lots (its account keeps positions, not transactions): acquisition dates and terms are unknown`,
        });
      }
      continue;
    }
    for (const lot of open) {
      const marketValue = roundMoney(lot.quantity.mul(p.price), p.currency);
      const basis = roundMoney(lot.basis, p.currency);
      const loss = basis.minus(marketValue);
      if (loss.lte(0)) continue;
      const lossPercent = loss.div(basis).toDecimalPlaces(8, Decimal.ROUND_HALF_UP);
      const lossInBase = roundMoney(loss.mul(p.toBase), opts.baseCurrency);
      if (lossInBase.lt(opts.minLossAmount) || lossPercent.lt(opts.minLossPercent)) continue;
      lots.push({
        lotId: lot.id,
        accountId: p.account.id,
        accountName: p.account.name,
        holdingId: p.holdingId,
        symbol: p.symbol,
        currency: p.currency,
        acquiredDate: lot.acquiredDate,
        holdingStartDate: lot.holdingStartDate,
        ...termOn(lot.holdingStartDate, opts.asOf),
        quantity: lot.quantity,
        basis,
        price: p.price,
        priceAsOf: p.priceAsOf,
        marketValue,
        loss,
        lossPercent,
        lossInBase,
      });
    }
  }
  lots.sort(
    (a, b) =>
      b.lossInBase.cmp(a.lossInBase) ||
      a.symbol.localeCompare(b.symbol) ||
      a.acquiredDate.localeCompare(b.acquiredDate) ||
      a.lotId.localeCompare(b.lotId),
  );
  return { lots, skipped };
}

export interface HarvestTotals {
  shortTermLoss: Decimal;
  longTermLoss: Decimal;
  totalLoss: Decimal;
  estimatedTaxSavings: { shortTerm: Decimal; longTerm: Decimal; total: Decimal };
}

export function harvestTotals(
  lots: readonly HarvestLot[],
  rates: { shortTerm: Decimal; longTerm: Decimal },
  baseCurrency: string,
): HarvestTotals {
  let shortTermLoss = new Decimal(0);
  let longTermLoss = new Decimal(0);
  for (const lot of lots) {
    if (lot.term === 'short') shortTermLoss = shortTermLoss.plus(lot.lossInBase);
    else longTermLoss = longTermLoss.plus(lot.lossInBase);
  }
  const shortTerm = roundMoney(shortTermLoss.mul(rates.shortTerm), baseCurrency);
  const longTerm = roundMoney(longTermLoss.mul(rates.longTerm), baseCurrency);
  return {
    shortTermLoss,
    longTermLoss,
    totalLoss: shortTermLoss.plus(longTermLoss),
    estimatedTaxSavings: { shortTerm, longTerm, total: shortTerm.plus(longTerm) },
  };
}
