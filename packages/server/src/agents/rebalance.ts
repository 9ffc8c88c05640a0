/**
 * `rebalance`: the investment portfolio's allocation by asset class (priced positions and cash of
 * the investment accounts, in the base currency) against the user's target allocation or the
 * default model of their risk tolerance; drift per class, and — when a class is outside its band —
 * the trades that bring every class back within its band, choosing the lots to sell so as to
 * realize the least taxable gain (services/portfolio/rebalancePlan.ts, rebalanceTrades.ts).
 */
import { type AssetClass, DEFAULT_REBALANCE_BAND, Decimal, todayIso } from '@fo/schema';
import type { Db } from '../db/transaction.js';
import { openLossSales, replacementPurchases, washSaleWindow } from '../services/ledger/washRisk.js';
import { roundMoney } from '../services/portfolio/harvest.js';
import { loadBook, loadOpenLots, type ValuedPosition } from '../services/portfolio/positions.js';
import { planClasses } from '../services/portfolio/rebalancePlan.js';
import { planBuys, planSells, type Trade } from '../services/portfolio/rebalanceTrades.js';
import { resolveTargets } from '../services/portfolio/targetAllocation.js';
import { defineTask } from './queue/definition.js';

const ZERO = new Decimal(0);
type Warning = { code: 'STALE_PRICE' | 'WASH_SALE' | 'UNFILLED'; message: string; subject: string | null };
const weight = (d: Decimal) => d.toDecimalPlaces(8, Decimal.ROUND_HALF_UP);

export const rebalanceAgent = defineTask('rebalance', {
  async handler({ input, actor, db, progress }) {
    const asOf = todayIso();
    const [book, target] = await Promise.all([
      loadBook(db, actor.userId, asOf),
      resolveTargets(db, actor.userId),
    ]);
    const base = book.baseCurrency;
    const money = (d: Decimal) => roundMoney(d, base);
    const investment = [...book.accounts.values()].filter((a) => a.investment);

    // Values by class: priced positions, and each investment account's cash.
    const values = new Map<AssetClass, Decimal>();
    const add = (assetClass: AssetClass, v: Decimal) =>
      values.set(assetClass, (values.get(assetClass) ?? ZERO).plus(v));
    const skipped = [];
    const warnings: Warning[] = [];
    const priced: ValuedPosition[] = [];
    for (const p of book.positions) {
      if (!p.account.investment) continue;
      if (p.problem || !p.valueInBase) {
        skipped.push({
          accountId: p.account.id,
          accountName: p.account.name,
          holdingId: p.holdingId,
          symbol: p.symbol,
          assetClass: p.assetClass,
          reason: p.problem?.code ?? ('MISSING_PRICE' as const),
          message: `${p.problem?.message ?? `No price for ${p.symbol}`}; it is not traded`,
        });
        continue;
      }
      if (p.stale) {
        warnings.push({
          code: 'STALE_PRICE',
          message: `The price of ${p.symbol} dates from ${p.priceAsOf}: its value and trades may be off`,
          subject: p.symbol,
        });
      }
      priced.push(p);
      add(p.assetClass, p.valueInBase);
    }
    for (const a of investment) {
      if (a.cash.isZero()) continue;
      const converted = book.rates.convert(a.cash, a.currency, base);
      if (!converted.ok) {
        skipped.push({
          accountId: a.id,
          accountName: a.name,
          holdingId: null,
          symbol: null,
          assetClass: 'cash' as const,
          reason: 'MISSING_FX_RATE' as const,
          message: `No ${converted.pair} rate: the cash of ${a.name} is left out`,
        });
        continue;
      }
      add('cash', converted.value);
    }

    const plan = planClasses(values, target.targets, new Decimal(DEFAULT_REBALANCE_BAND));
    await progress(0.4, 'choosing trades');

    const opts = { asOf, baseCurrency: base, wholeShares: input.wholeShares };
    const sells: Trade[] = [];
    const buys: Trade[] = [];
    if (plan.status === 'rebalance') {
      const lotsByPosition = await loadOpenLots(
        db,
        actor.userId,
        investment.map((a) => a.id),
      );
      for (const c of plan.classes) {
        if (!c.targeted || c.assetClass === 'cash' || c.plannedChange.isZero()) continue;
        const inClass = priced.filter((p) => p.assetClass === c.assetClass);
        if (c.plannedChange.lt(0)) {
          const { trades, unfilled } = planSells(c.plannedChange.neg(), inClass, lotsByPosition, opts);
          sells.push(...trades);
          if (unfilled.gt(0)) {
            warnings.push({
              code: 'UNFILLED',
              message: `The ${c.assetClass} lots cover all but ${money(unfilled).toFixed()} ${base} of the sale planned`,
              subject: c.assetClass,
            });
          }
        } else {
          buys.push(...planBuys(c.plannedChange, c.assetClass, inClass, opts));
        }
      }
      await flagWashSales(db, actor.userId, asOf, sells, buys, warnings);
    }
    await progress(0.8, 'summing up');

    // Class figures after the rounded trades; the cash class takes the net of them all.
    const traded = new Map<string, Decimal>();
    const bump = (assetClass: string, v: Decimal) =>
      traded.set(assetClass, (traded.get(assetClass) ?? ZERO).plus(v));
    for (const t of sells) bump(t.assetClass, t.amountInBase.neg());
    for (const t of buys) bump(t.assetClass, t.amountInBase);
    const sold = sells.reduce((s, t) => s.plus(t.amountInBase), ZERO);
    const bought = buys.reduce((s, t) => s.plus(t.amountInBase), ZERO);
    bump('cash', sold.minus(bought));
    const total = plan.rebalancedValue;
    const classes = plan.classes.map((c) => {
      const tradedChange = traded.get(c.assetClass) ?? ZERO;
      const valueAfter = c.value.plus(tradedChange);
      const weightAfter = c.targeted && total.gt(0) ? valueAfter.div(total) : null;
      const driftAfter = weightAfter && c.targetWeight ? weightAfter.minus(c.targetWeight) : null;
      return {
        assetClass: c.assetClass,
        targeted: c.targeted,
        value: money(c.value),
        currentWeight: c.currentWeight && weight(c.currentWeight),
        targetWeight: c.targetWeight,
        band: c.band,
        drift: c.drift && weight(c.drift),
        outsideBand: c.outsideBand,
        plannedChange: money(c.plannedChange),
        tradedChange: money(tradedChange),
        valueAfter: money(valueAfter),
        weightAfter: weightAfter && weight(weightAfter),
        driftAfter: driftAfter && weight(driftAfter),
        withinBandAfter: driftAfter && c.band ? driftAfter.abs().lte(c.band) : null,
      };
    });

    const taxable = sells.filter((t) => !t.taxAdvantaged);
    const gainOf = (k: 'short' | 'long' | 'unknownTerm') =>
      taxable.reduce((s, t) => s.plus(t.estimatedGain[k]), ZERO);
    return {
      asOf,
      baseCurrency: base,
      riskTolerance: target.riskTolerance,
      targetSource: target.source,
      targets: target.targets,
      status: plan.status,
      wholeShares: input.wholeShares,
      totalValue: money([...values.values()].reduce((s, v) => s.plus(v), ZERO)),
      rebalancedValue: money(total),
      classes,
      trades: [...sells, ...buys],
      totals: {
        sells: sold,
        buys: bought,
        netCash: sold.minus(bought),
        estimatedGain: { short: gainOf('short'), long: gainOf('long'), unknownTerm: gainOf('unknownTerm') },
        taxAdvantagedGain: sells
          .filter((t) => t.taxAdvantaged)
          .reduce(
            (s, t) =>
              s.plus(t.estimatedGain.short).plus(t.estimatedGain.long).plus(t.estimatedGain.unknownTerm),
            ZERO,
          ),
      },
      skipped,
      warnings,
      assumptions: [
        `Positions and cash of the investment accounts (not checking, savings or liability accounts), valued at the latest price on or before ${asOf} and converted to ${base}; positions without a price or FX rate are left out and never traded.`,
        'Classes named in the targets are rebalanced, and cash (target 0 unless named): trades settle in it. Other classes are left as they are, outside the weights.',
        'When a class drifts beyond its band, every class outside its band goes back to target; what that frees or needs is spread over the classes inside their bands, towards their targets.',
        'Sales take lots at a loss first, then lots in tax-advantaged accounts, then long-term gains, then short-term gains, then positions without lots; the highest cost per share first within each.',
        input.wholeShares
          ? 'Whole shares: sales round to the nearest share (a lot sold entirely keeps its fraction), purchases round down; cash takes the difference.'
          : 'Fractional shares: quantities with six decimals.',
        'The portfolio is traded as one: a sale in one account paying for a purchase in another needs a transfer (none out of a retirement account). Fees and taxes due are not deducted.',
      ],
    };
  },
});

/**
 * Marks sales that realize a loss while shares of the symbol bought in the last 30 days (or
 * recorded for the next 30) are held, and purchases of a symbol sold at a loss in the last 30
 * days: either way the loss would be a wash sale.
 */
async function flagWashSales(
  db: Db,
  userId: string,
  asOf: string,
  sells: Trade[],
  buys: Trade[],
  warnings: Warning[],
): Promise<void> {
  const lossSells = sells.filter((t) => !t.taxAdvantaged && t.lots.some((l) => l.gain.lt(0)) && t.symbol);
  const soldLots = new Set(
    sells.flatMap((t) => t.lots.map((l) => l.lotId).filter((id): id is string => !!id)),
  );
  const replacements = await replacementPurchases(
    db,
    userId,
    asOf,
    [...new Set(lossSells.map((t) => t.symbol as string))],
    soldLots,
  );
  const window = washSaleWindow(asOf);
  for (const t of lossSells) {
    if (!replacements.some((r) => r.symbol === t.symbol)) continue;
    t.washSaleRisk = true;
    warnings.push({
      code: 'WASH_SALE',
      message: `${t.symbol} was bought between ${window.from} and ${window.to} and is still held: the loss this sale realizes would be disallowed`,
      subject: t.symbol,
    });
  }
  const bought = [...new Set(buys.map((t) => t.symbol).filter((s): s is string => !!s))];
  const losses = await openLossSales(db, userId, asOf, bought);
  for (const t of buys) {
    const sale = losses.find((l) => l.symbol === t.symbol);
    if (!sale) continue;
    t.washSaleRisk = true;
    warnings.push({
      code: 'WASH_SALE',
      message: `${t.symbol} was sold at a loss on ${sale.saleDate}: buying it before ${washSaleWindow(sale.saleDate).safeFrom} would disallow that loss`,
      subject: t.symbol,
    });
  }
}
