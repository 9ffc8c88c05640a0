/**
 * Per-property metrics, pure (no database). Annual figures in the property's currency; ratios as
 * fractions rounded to 10 places; a ratio whose denominator is missing or zero is null.
 *
 *   gross scheduled rent   12 × Σ monthly rents of the rent roll
 *   effective gross income gross scheduled rent × (1 − vacancy rate)
 *   net operating income   effective gross income − annual operating expenses (no debt service)
 *   gross yield            gross scheduled rent ÷ value
 *   cap rate               net operating income ÷ value
 *   annual cash flow       net operating income − annual debt service
 *   cash invested          purchase price + closing costs − original principal of the mortgages
 *   cash-on-cash return    annual cash flow ÷ cash invested
 *   equity                 value × ownership share − mortgage balances
 *   loan-to-value          mortgage balances ÷ value
 *
 * Income, expenses and cash flow describe the whole property; equity is the owner's share.
 */
import { Decimal, type ExpenseFrequency, type PropertyMetrics } from '@fo/schema';

const PER_YEAR: Record<ExpenseFrequency, number> = { monthly: 12, quarterly: 4, annually: 1 };

export function annualize(amount: Decimal, frequency: ExpenseFrequency): Decimal {
  return amount.mul(PER_YEAR[frequency]);
}

export interface PropertyFigures {
  /** Latest valuation (or null when the property has none). */
  value: Decimal | null;
  valueDate: string | null;
  ownershipShare: Decimal;
  vacancyRate: Decimal;
  purchasePrice: Decimal | null;
  closingCosts: Decimal;
  monthlyRents: readonly Decimal[];
  expenses: readonly { amount: Decimal; frequency: ExpenseFrequency }[];
  mortgages: readonly {
    balance: Decimal;
    originalPrincipal: Decimal;
    /** Scheduled payments over a year; zero once the loan is paid off. */
    annualDebtService: Decimal;
  }[];
}

const sum = (values: readonly Decimal[]) => values.reduce((a, b) => a.plus(b), new Decimal(0));
const ratio = (num: Decimal, den: Decimal | null) =>
  den && !den.isZero() ? num.div(den).toDecimalPlaces(10) : null;

export function propertyMetrics(p: PropertyFigures): PropertyMetrics {
  const grossScheduledRent = sum(p.monthlyRents).mul(12);
  const vacancyLoss = grossScheduledRent.mul(p.vacancyRate).toDecimalPlaces(8);
  const effectiveGrossIncome = grossScheduledRent.minus(vacancyLoss);
  const operatingExpenses = sum(p.expenses.map((e) => annualize(e.amount, e.frequency)));
  const netOperatingIncome = effectiveGrossIncome.minus(operatingExpenses);
  const mortgageBalance = sum(p.mortgages.map((m) => m.balance));
  const annualDebtService = sum(p.mortgages.map((m) => m.annualDebtService));
  const annualCashFlow = netOperatingIncome.minus(annualDebtService);
  const cashInvested =
    p.purchasePrice === null
      ? null
      : p.purchasePrice.plus(p.closingCosts).minus(sum(p.mortgages.map((m) => m.originalPrincipal)));
  return {
    value: p.value,
    valueDate: p.valueDate,
    mortgageBalance,
    equity: p.value === null ? null : p.value.mul(p.ownershipShare).toDecimalPlaces(8).minus(mortgageBalance),
    loanToValue: ratio(mortgageBalance, p.value),
    grossScheduledRent,
    vacancyLoss,
    effectiveGrossIncome,
    operatingExpenses,
    netOperatingIncome,
    grossYield: ratio(grossScheduledRent, p.value),
    capRate: ratio(netOperatingIncome, p.value),
    annualDebtService,
    annualCashFlow,
    cashInvested,
    cashOnCashReturn: cashInvested?.gt(0) ? ratio(annualCashFlow, cashInvested) : null,
  };
}
