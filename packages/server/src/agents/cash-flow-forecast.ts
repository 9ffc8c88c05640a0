/**
 * `cash_flow_forecast`: the coming months, month by month, in the user's base currency:
 * mortgage payments from each loan's amortization schedule, rental income net of vacancy,
 * property operating expenses, the dividend run-rate (trailing twelve months, spread evenly) and
 * recurring items given in the input. Amounts in a currency without an FX rate are left out and
 * reported, never converted at 1.0.
 */

import { Decimal, todayIso } from '@fo/schema';
import { addDays, addMonths } from '@fo/schema/calendar';
import { User } from '../models/index.js';
import { NotFoundError } from '../services/errors.js';
import { loadRates, type RateTable } from '../services/fx/rates.js';
import { minorUnits } from '../services/realEstate/amortization.js';
import { mortgageSchedule } from '../services/realEstate/mortgages.js';
import { listProperties } from '../services/realEstate/properties.js';
import { defineTask } from './queue/definition.js';

const LINES = [
  'rentalIncome',
  'propertyExpenses',
  'mortgagePayments',
  'mortgageInterest',
  'mortgagePrincipal',
  'dividends',
  'otherIncome',
  'otherExpenses',
] as const;
type Line = (typeof LINES)[number];
type Lines = Record<Line, Decimal>;

const PER_YEAR = { monthly: 12, quarterly: 4, annually: 1 } as const;
const zero = () => new Decimal(0);
const emptyLines = (): Lines => Object.fromEntries(LINES.map((l) => [l, zero()])) as Lines;

function nextMonth(today: string): string {
  return addMonths(`${today.slice(0, 7)}-01`, 1).slice(0, 7);
}

function net(l: Lines): Decimal {
  return l.rentalIncome
    .plus(l.dividends)
    .plus(l.otherIncome)
    .minus(l.propertyExpenses)
    .minus(l.mortgagePayments)
    .minus(l.otherExpenses);
}

export const cashFlowForecastAgent = defineTask('cash_flow_forecast', {
  async handler({ input, actor, db, progress }) {
    const user = await User.query(db).modify('visibleTo', actor).findById(actor.userId);
    if (!user) throw new NotFoundError('User', actor.userId);
    const base = user.base_currency;
    const today = todayIso();
    const from = input.startMonth ?? nextMonth(today);
    const monthKeys = Array.from({ length: input.months }, (_, i) => addMonths(`${from}-01`, i).slice(0, 7));
    const firstDay = `${from}-01`;
    const lastDay = addDays(addMonths(`${monthKeys.at(-1)}-01`, 1), -1);

    // Properties, in pages of the largest size the service serves.
    const properties = [];
    for (let cursor: string | undefined; ; ) {
      const page = await listProperties(
        { db, actor },
        { limit: 500, sort: 'createdAt', direction: 'asc', ...(cursor ? { cursor } : {}) },
      );
      properties.push(...page.items);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    await progress(0.3, 'reading mortgage schedules');

    // Dividends received over the last twelve months, by symbol and currency.
    const dividends = (await db('transactions')
      .where({ user_id: actor.userId, type: 'dividend' })
      .where('trade_date', '>', addMonths(today, -12))
      .where('trade_date', '<=', today)
      .select('symbol', 'currency')
      .sum({ total: 'amount' })
      .groupBy('symbol', 'currency')) as { symbol: string | null; currency: string; total: string | null }[];

    const currencies = new Set<string>([
      ...properties.map((p) => p.currency),
      ...dividends.map((d) => d.currency),
      ...input.recurring.map((r) => r.currency ?? base),
    ]);
    const rates: RateTable = await loadRates(
      db,
      [...currencies].map((c): [string, string] => [c, base]),
      today,
    );
    const warnings: { code: 'MISSING_FX_RATE'; message: string; pair: string | null }[] = [];
    const warned = new Set<string>();
    const toBase = (amount: Decimal, currency: string): Decimal | null => {
      const c = rates.convert(amount, currency, base);
      if (c.ok) return c.value;
      if (!warned.has(c.pair)) {
        warned.add(c.pair);
        warnings.push({
          code: 'MISSING_FX_RATE',
          message: `No ${c.pair} rate: amounts in ${currency} are left out of the forecast`,
          pair: c.pair,
        });
      }
      return null;
    };

    const months = new Map(monthKeys.map((m) => [m, emptyLines()]));
    const addEach = (line: Line, monthly: Decimal) => {
      for (const l of months.values()) l[line] = l[line].plus(monthly);
    };

    const propertySummaries = [];
    for (const p of properties) {
      const share = p.ownershipShare;
      const vacancy =
        p.vacancyRate.isZero() && input.defaultVacancyRate ? input.defaultVacancyRate : p.vacancyRate;
      const rent = p.rentRoll
        .filter((r) => !r.leaseStart || r.leaseStart <= lastDay)
        .reduce((sum, r) => sum.plus(r.monthlyRent), zero())
        .mul(share);
      const expenses = p.expenses
        .reduce((sum, e) => sum.plus(e.annualAmount), zero())
        .div(12)
        .mul(share);
      const included = rates.convert(new Decimal(1), p.currency, base).ok;
      propertySummaries.push({
        id: p.id,
        name: p.name,
        currency: p.currency,
        ownershipShare: share,
        vacancyRate: vacancy,
        monthlyRent: rent,
        monthlyExpenses: expenses,
        mortgages: p.mortgages.length,
        included,
      });
      // Rent counts from the month its lease starts (leases without an end are assumed renewed).
      for (const [key, lines] of months) {
        const monthEnd = addDays(addMonths(`${key}-01`, 1), -1);
        const monthRent = p.rentRoll
          .filter((r) => !r.leaseStart || r.leaseStart <= monthEnd)
          .reduce((sum, r) => sum.plus(r.monthlyRent), zero())
          .mul(share)
          .mul(new Decimal(1).minus(vacancy));
        const rentBase = toBase(monthRent, p.currency);
        const expenseBase = toBase(expenses, p.currency);
        if (rentBase === null || expenseBase === null) continue;
        lines.rentalIncome = lines.rentalIncome.plus(rentBase);
        lines.propertyExpenses = lines.propertyExpenses.plus(expenseBase);
      }
      for (const m of p.mortgages) {
        const schedule = await mortgageSchedule(
          { db, actor },
          { mortgageId: m.id, from: firstDay, to: lastDay },
        );
        for (const row of schedule.rows) {
          const lines = months.get(row.date.slice(0, 7));
          if (!lines) continue;
          const paid = toBase(row.payment.plus(row.extraPrincipal), schedule.currency);
          const interest = toBase(row.interest, schedule.currency);
          const principal = toBase(row.principal.plus(row.extraPrincipal), schedule.currency);
          if (paid === null || interest === null || principal === null) continue;
          lines.mortgagePayments = lines.mortgagePayments.plus(paid);
          lines.mortgageInterest = lines.mortgageInterest.plus(interest);
          lines.mortgagePrincipal = lines.mortgagePrincipal.plus(principal);
        }
      }
    }
    await progress(0.8, 'dividends and recurring items');

    const bySymbol = new Map<string, Decimal>();
    let trailing = zero();
    for (const d of dividends) {
      const value = toBase(new Decimal(d.total ?? 0), d.currency);
      if (value === null) continue;
      trailing = trailing.plus(value);
      const symbol = d.symbol ?? '(unspecified)';
      bySymbol.set(symbol, (bySymbol.get(symbol) ?? zero()).plus(value));
    }
    const monthlyDividends = trailing.div(12);
    addEach('dividends', monthlyDividends);

    for (const item of input.recurring) {
      const monthly = toBase(item.amount.mul(PER_YEAR[item.frequency]).div(12), item.currency ?? base);
      if (monthly === null) continue;
      addEach(item.kind === 'income' ? 'otherIncome' : 'otherExpenses', monthly);
    }

    const places = minorUnits(base);
    const round = (d: Decimal) => d.toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
    const rounded = (l: Lines) => {
      const out = Object.fromEntries(LINES.map((k) => [k, round(l[k])])) as Lines;
      return { ...out, net: net(out) };
    };
    const monthRows = [...months].map(([month, lines]) => ({ month, ...rounded(lines) }));
    const totals = emptyLines();
    for (const row of monthRows) for (const k of LINES) totals[k] = totals[k].plus(row[k]);

    return {
      baseCurrency: base,
      from,
      to: monthKeys.at(-1)!,
      months: monthRows,
      totals: { ...totals, net: net(totals) },
      properties: propertySummaries,
      dividendRunRate: {
        trailingTwelveMonths: round(trailing),
        monthly: round(monthlyDividends),
        bySymbol: [...bySymbol]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([symbol, total]) => ({ symbol, trailingTwelveMonths: round(total) })),
      },
      warnings,
      assumptions: [
        'Rent: the rent roll times the ownership share, less the vacancy rate; leases are assumed renewed at the same rent.',
        'Property expenses: annualized, times the ownership share, spread evenly over the months.',
        'Mortgages: each loan’s amortization schedule (level payment plus extra principal), in the month it falls.',
        'Dividends: those received over the last twelve months, spread evenly.',
        `Amounts converted to ${base} at the latest rates on or before ${today}.`,
      ],
    };
  },
});
