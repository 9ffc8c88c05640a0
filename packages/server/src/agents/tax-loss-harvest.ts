/**
 * `tax_loss_harvest`: the open lots of taxable accounts whose unrealized loss passes the input's
 * thresholds, short- or long-term by the ledger's holding-period rule, the losses by term and the
 * tax they could save at the input's rates, and a wash-sale warning per symbol when shares of it
 * bought within 30 days before today (or recorded for a day within 30 days after) are still held
 * in any of the user's accounts, IRAs included — selling the loss lots today would not deduct the
 * loss (services/ledger/washRisk.ts, the engine's rules).
 */
import { Decimal, todayIso } from '@fo/schema';
import { replacementPurchases, washSaleWindow } from '../services/ledger/washRisk.js';
import { findHarvestableLots, harvestTotals } from '../services/portfolio/harvest.js';
import { loadBook, loadOpenLots } from '../services/portfolio/positions.js';
import { defineTask } from './queue/definition.js';

export const taxLossHarvestAgent = defineTask('tax_loss_harvest', {
  async handler({ input, actor, db, progress }) {
    const asOf = todayIso();
    const book = await loadBook(db, actor.userId, asOf);
    const base = book.baseCurrency;
    await progress(0.4, 'reading tax lots');
    const taxable = [...book.accounts.values()].filter((a) => !a.taxAdvantaged).map((a) => a.id);
    const lotsByPosition = await loadOpenLots(db, actor.userId, taxable);
    const { lots, skipped } = findHarvestableLots(book.positions, lotsByPosition, {
      asOf,
      baseCurrency: base,
      minLossAmount: input.minLossAmount,
      minLossPercent: input.minLossPercent,
    });

    await progress(0.7, 'checking recent purchases for wash sales');
    const symbols = [...new Set(lots.map((l) => l.symbol))].sort();
    const purchases = await replacementPurchases(
      db,
      actor.userId,
      asOf,
      symbols,
      new Set(lots.map((l) => l.lotId)),
    );
    const window = washSaleWindow(asOf);
    const washSaleWarnings = symbols.flatMap((symbol) => {
      const bought = purchases.filter((p) => p.symbol === symbol);
      if (bought.length === 0) return [];
      const shares = bought.reduce((s, p) => s.plus(p.quantity), new Decimal(0));
      const places = [...new Set(bought.map((p) => p.accountName))].join(', ');
      return [
        {
          symbol,
          message:
            `${shares.toFixed()} share(s) of ${symbol} bought between ${window.from} and ${window.to} are held in ${places}: ` +
            `a loss taken on ${symbol} today would be disallowed (wash sale) for up to that many shares. ` +
            `Do not buy ${symbol} again, in any account, before ${window.safeFrom}.`,
          windowFrom: window.from,
          windowTo: window.to,
          safeToRepurchaseFrom: window.safeFrom,
          purchases: bought.map((p) => ({
            lotId: p.lotId,
            accountId: p.accountId,
            accountName: p.accountName,
            taxAdvantaged: p.taxAdvantaged,
            acquiredDate: p.acquiredDate,
            quantity: p.quantity,
          })),
        },
      ];
    });
    const atRisk = new Set(washSaleWarnings.map((w) => w.symbol));

    const rates = { shortTerm: input.shortTermRate, longTerm: input.longTermRate };
    const bySymbol = symbols.map((symbol) => {
      const mine = lots.filter((l) => l.symbol === symbol);
      const sum = (term: 'short' | 'long') =>
        mine.filter((l) => l.term === term).reduce((s, l) => s.plus(l.lossInBase), new Decimal(0));
      return {
        symbol,
        lots: mine.length,
        quantity: mine.reduce((s, l) => s.plus(l.quantity), new Decimal(0)),
        shortTermLoss: sum('short'),
        longTermLoss: sum('long'),
        washSaleRisk: atRisk.has(symbol),
      };
    });

    return {
      asOf,
      baseCurrency: base,
      thresholds: { minLossAmount: input.minLossAmount, minLossPercent: input.minLossPercent },
      rates,
      lots,
      bySymbol,
      totals: harvestTotals(lots, rates, base),
      washSaleWarnings,
      skipped,
      assumptions: [
        `Lots are valued at the latest price on or before ${asOf} (as holdings.byId shows it); losses are converted to ${base} at the latest rates.`,
        'Term: a sale today is long-term when the lot was held more than one year, counting from the day after acquisition (IRS Publication 550); a wash sale’s carried-over holding period counts.',
        'Retirement and other tax-advantaged accounts are left out: their losses are not deductible.',
        `Estimated tax savings: short-term losses × ${rates.shortTerm.mul(100).toFixed()} %, long-term losses × ${rates.longTerm.mul(100).toFixed()} %. Losses first offset gains of the same term, then of the other; a net capital loss beyond $3,000 a year ($1,500 married filing separately) offsets no more ordinary income that year and carries forward (IRS Topic 409), so the savings assume gains to offset.`,
        'Wash sales: buying the same symbol within 30 days before or after the sale, in any account including IRAs, disallows the loss for as many shares (IRS Publication 550, the ledger’s rule).',
      ],
    };
  },
});
