/**
 * `portfolio_analysis`: the analytics service's returns, risk and allocation for the whole
 * portfolio, plus the flags an adviser would raise: a holding above the concentration threshold,
 * volatility above the user's risk tolerance band, stale prices and missing FX rates.
 */
import { type PortfolioFlag, RISK_TOLERANCE_VOLATILITY, type RiskTolerance, todayIso } from '@fo/schema';
import { User } from '../models/index.js';
import { runPortfolioAnalytics } from '../services/analytics/service.js';
import { NotFoundError } from '../services/errors.js';
import { computeNetWorth } from '../services/portfolio/netWorth.js';
import { defineTask } from './queue/definition.js';

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

export const portfolioAnalysisAgent = defineTask('portfolio_analysis', {
  async handler({ input, actor, db, progress }) {
    const user = await User.query(db).modify('visibleTo', actor).findById(actor.userId);
    if (!user) throw new NotFoundError('User', actor.userId);
    const asOf = input.asOf ?? todayIso();
    await progress(0.1, 'computing returns, risk and allocation');
    const { performance, risk, allocation } = await runPortfolioAnalytics(
      { db, actor },
      { asOf, ranges: ['1M', '3M', 'YTD', '1Y', '3Y', 'ITD'] },
    );
    await progress(0.7, 'checking prices and FX rates');
    const netWorth = await computeNetWorth(db, actor.userId, asOf);

    const tolerance = user.risk_tolerance as RiskTolerance;
    const band = RISK_TOLERANCE_VOLATILITY[tolerance];
    const flags: PortfolioFlag[] = [];

    for (const slice of allocation.concentration.largest) {
      if (slice.weight > input.concentrationThreshold) {
        flags.push({
          code: 'CONCENTRATION',
          severity: slice.weight > Math.min(1, 2 * input.concentrationThreshold) ? 'critical' : 'warning',
          message: `${slice.label} is ${pct(slice.weight)} of the portfolio, above the ${pct(input.concentrationThreshold)} limit`,
          subject: slice.key,
          value: slice.weight,
          threshold: input.concentrationThreshold,
        });
      }
    }

    const volatility = risk.ranges.find((r) => r.range.key === input.volatilityRange)?.volatility ?? null;
    if (volatility !== null && volatility > band.max) {
      flags.push({
        code: 'VOLATILITY_ABOVE_TOLERANCE',
        severity: volatility > band.max * 1.5 ? 'critical' : 'warning',
        message: `${input.volatilityRange} volatility ${pct(volatility)} is above the ${tolerance} band (${pct(band.min)}–${pct(band.max)})`,
        subject: null,
        value: volatility,
        threshold: band.max,
      });
    }

    // Stale and missing data, from the valuation of the day and the analytics' own gap reports.
    const stale = new Set<string>();
    const missingFx = new Set<string>();
    for (const w of netWorth.warnings) {
      if (w.code === 'STALE_PRICES' || w.code === 'UNPRICED_HOLDINGS')
        for (const s of w.symbols) stale.add(s);
      if (w.code === 'MISSING_FX_RATE' && w.pair) missingFx.add(w.pair);
    }
    for (const m of [...allocation.missing, ...performance.missing]) {
      if (m.kind === 'fx') missingFx.add(m.subject);
    }
    for (const symbol of [...stale].sort()) {
      flags.push({
        code: 'STALE_PRICES',
        severity: 'warning',
        message: `No recent price for ${symbol}: its value is out of date or missing`,
        subject: symbol,
        value: null,
        threshold: null,
      });
    }
    for (const pair of [...missingFx].sort()) {
      flags.push({
        code: 'MISSING_FX',
        severity: 'critical',
        message: `No ${pair} rate: amounts in that currency are left out of the totals`,
        subject: pair,
        value: null,
        threshold: null,
      });
    }

    return {
      asOf,
      baseCurrency: user.base_currency,
      riskTolerance: tolerance,
      volatilityBand: band,
      performance,
      risk,
      allocation,
      flags,
    };
  },
});
