/**
 * The amortization and property math against published worked examples. Each expected number
 * names its source.
 */

import { Decimal } from '@fo/schema';
import { addMonths } from '@fo/schema/calendar';
import { describe, expect, it } from 'vitest';
import {
  amortizationSchedule,
  balanceAsOf,
  fv,
  ipmt,
  type LoanTerms,
  levelPayment,
  minorUnits,
  numberOfPayments,
  paymentDate,
  pmt,
  ppmt,
} from '../src/services/realEstate/amortization.js';
import { propertyMetrics } from '../src/services/realEstate/metrics.js';

const d = (v: Decimal.Value) => new Decimal(v);
const cents = (v: Decimal) => v.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toFixed(2);

function monthly(principal: number, rate: string, termMonths: number, startDate = '2020-01-01'): LoanTerms {
  return {
    principal: d(principal),
    annualRate: d(rate),
    termMonths,
    startDate,
    frequency: 'monthly',
    currency: 'USD',
  };
}

describe('Excel-compatible PMT, IPMT, PPMT', () => {
  it("reproduces the examples of Microsoft's PMT documentation", () => {
    // support.microsoft.com, "PMT function", Example: 8 % annual, 10 months, $10,000 → ($1,037.03);
    // payments due at the beginning of the period → ($1,030.16).
    expect(cents(pmt(d('0.08').div(12), 10, 10000))).toBe('-1037.03');
    expect(cents(pmt(d('0.08').div(12), 10, 10000, 0, 1))).toBe('-1030.16');
    // Same page: saving $50,000 over 18 years at 6 % → ($129.08) a month.
    expect(cents(pmt(d('0.06').div(12), 18 * 12, 0, 50000))).toBe('-129.08');
  });

  it("reproduces the examples of Microsoft's PPMT and IPMT documentation", () => {
    // support.microsoft.com, "PPMT function": 10 %, 2 years, $2,000, first month's principal → ($75.62);
    // 8 %, 10 years, $200,000, principal in year 10 (annual payments) → ($27,598.05).
    expect(cents(ppmt(d('0.10').div(12), 1, 24, 2000))).toBe('-75.62');
    expect(cents(ppmt('0.08', 10, 10, 200000))).toBe('-27598.05');
    // support.microsoft.com, "IPMT function": 10 %, 3 years, $8,000: first month's interest → ($66.67);
    // last year's interest with annual payments → ($292.45).
    expect(cents(ipmt(d('0.10').div(12), 1, 36, 8000))).toBe('-66.67');
    expect(cents(ipmt('0.10', 3, 3, 8000))).toBe('-292.45');
  });

  it("matches the full-precision results of Adobe FormCalc's Pmt examples", () => {
    // help.adobe.com, LiveCycle Designer FormCalc reference, "Pmt": Pmt(150000, 0.0475 / 12, 25 * 12)
    // = 855.17604207164; Pmt(25000, 0.085, 12) = 3403.82145169876.
    // FormCalc prints binary floats to 14 significant digits, hence the 1e-10 tolerance.
    expect(pmt(d('0.0475').div(12), 300, 150000).neg().minus('855.17604207164').abs().lt('1e-10')).toBe(true);
    expect(pmt('0.085', 12, 25000).neg().minus('3403.82145169876').abs().lt('1e-10')).toBe(true);
  });

  it('pays a zero-rate loan in equal parts', () => {
    expect(pmt(0, 4, 1000).toFixed()).toBe('-250');
  });
});

describe('amortization schedules', () => {
  it('MathWorks amortize example: 12 % APR, 30 years, $100,000 → payment 1,028.61, over $270,000 of interest', () => {
    // mathworks.com, Financial Toolbox, amortize: "Payment = 1028.61"; "total interest paid over the
    // life of the mortgage exceeds $270,000".
    const s = amortizationSchedule(monthly(100000, '0.12', 360));
    expect(s.payment.toFixed(2)).toBe('1028.61');
    expect(s.totalInterest.gt(270000)).toBe(true);
    expect(s.rows).toHaveLength(360);
    expect(s.totalPrincipal.toFixed()).toBe('100000');
    expect(s.rows.at(-1)?.balance.toFixed()).toBe('0');
    expect(s.payoffDate).toBe('2050-01-01');
  });

  it('textbook tables: balance after five years of a $250,000 loan (Appendix A, Amortization Tables)', () => {
    // ebrary.net, "Appendix A. Amortization Tables" (first five years of $250,000 loans): after five
    // years you owe $235,328 on the 30-year 7 % loan and $191,792 on the 15-year 6.5 % loan, and
    // $2,693 more on the 7 % loan than on the 6 % one.
    const at7 = amortizationSchedule(monthly(250000, '0.07', 360)).rows[59]!.balance;
    const at65 = amortizationSchedule(monthly(250000, '0.065', 180)).rows[59]!.balance;
    const at6 = amortizationSchedule(monthly(250000, '0.06', 360)).rows[59]!.balance;
    expect(at7.floor().toFixed()).toBe('235328');
    expect(at65.floor().toFixed()).toBe('191792');
    expect(at7.minus(at6).floor().toFixed()).toBe('2693');
  });

  it("rounds each period to the cent like Excel's first rows, and clears the balance in the last", () => {
    // First rows equal Excel's IPMT/PPMT to the cent (Microsoft examples above): $2,000, 10 %, 24 months.
    const s = amortizationSchedule(monthly(2000, '0.10', 24));
    expect(s.rows[0]!.principal.toFixed(2)).toBe('75.62');
    // Annual payments, 8 %, $200,000: the 10th payment's principal is Excel's 27,598.05 up to the
    // cents the per-period rounding moves into the final payment.
    const annual = amortizationSchedule({ ...monthly(200000, '0.08', 120), frequency: 'annually' });
    expect(annual.rows).toHaveLength(10);
    expect(annual.rows[9]!.principal.minus('27598.05').abs().lte('0.05')).toBe(true);
    for (const row of annual.rows) {
      expect(row.payment.equals(row.interest.plus(row.principal))).toBe(true);
    }
  });

  it('CFPB amortize README: $180,000 at 4.25 % over 360 months, after 60 months', () => {
    // github.com/cfpb/amortize README: { interest: 36583.36, principal: 16546.15, balance: 163453.85,
    // payment: 885.49 } — computed without rounding each period.
    const terms = monthly(180000, '0.0425', 360);
    const rate = d('0.0425').div(12);
    const exactPayment = pmt(rate, 360, 180000);
    expect(cents(exactPayment.neg())).toBe('885.49');
    expect(cents(fv(rate, 60, exactPayment, 180000).neg())).toBe('163453.85');
    // The cent-rounded schedule pays 885.49 exactly: interest agrees to the cent, the balance lags by
    // the 60 × ~0.24 cents the rounded payment leaves unpaid.
    const rows = amortizationSchedule(terms).rows.slice(0, 60);
    expect(rows.reduce((a, r) => a.plus(r.interest), d(0)).toFixed(2)).toBe('36583.36');
    expect(rows[59]!.balance.minus('163453.85').abs().lt('0.25')).toBe(true);
  });

  it('applies recurring and one-off extra principal, shortening the loan', () => {
    const base = monthly(100000, '0.06', 360);
    const plain = amortizationSchedule(base);
    const extra = amortizationSchedule({
      ...base,
      extraPrincipalPerPayment: d(100),
      extraPayments: [{ date: '2020-06-15', amount: d(5000) }],
    });
    expect(extra.rows.length).toBeLessThan(plain.rows.length);
    // The lump sum rides with the first payment on or after its date (2020-07-01, period 6).
    expect(extra.rows[5]!.extraPrincipal.toFixed()).toBe('5100');
    expect(extra.totalPrincipal.toFixed()).toBe('100000');
    expect(extra.rows.at(-1)!.balance.isZero()).toBe(true);
    expect(extra.totalInterest.lt(plain.totalInterest)).toBe(true);
  });

  it('continues from a recorded actual balance', () => {
    const terms = monthly(100000, '0.06', 360);
    const scheduled = balanceAsOf(terms, '2021-01-01');
    expect(scheduled.paymentsMade).toBe(12);
    const recorded = [{ date: '2020-12-15', balance: d(95000) }];
    const after = balanceAsOf(terms, '2021-01-01', recorded);
    // One payment (2021-01-01) after the recorded 95,000: interest 475.00, principal 599.55 − 475.00.
    expect(after.balance.toFixed(2)).toBe(d(95000).minus(d('599.55').minus('475.00')).toFixed(2));
    // A balance recorded on the day itself is the balance.
    expect(balanceAsOf(terms, '2020-12-15', recorded).balance.toFixed()).toBe('95000');
    // Before the loan starts nothing is owed.
    expect(balanceAsOf(terms, '2019-12-31').balance.toFixed()).toBe('0');
  });

  it('supports biweekly, quarterly and yen loans', () => {
    expect(numberOfPayments(360, 'biweekly')).toBe(780);
    expect(numberOfPayments(13, 'quarterly')).toBeNull();
    expect(numberOfPayments(0, 'monthly')).toBeNull();
    const biweekly = amortizationSchedule({ ...monthly(100000, '0.06', 360), frequency: 'biweekly' });
    expect(biweekly.rows[0]!.date).toBe('2020-01-15');
    expect(biweekly.numberOfPayments).toBe(780);
    expect(minorUnits('JPY')).toBe(0);
    const yen = amortizationSchedule({ ...monthly(10_000_000, '0.015', 120), currency: 'JPY' });
    expect(yen.payment.isInteger()).toBe(true);
    expect(yen.rows.every((r) => r.interest.isInteger() && r.balance.isInteger())).toBe(true);
  });

  it('keeps the start day of month, clamped to short months', () => {
    expect(addMonths('2020-01-31', 1)).toBe('2020-02-29');
    expect(paymentDate('2020-01-31', 'monthly', 2)).toBe('2020-03-31');
    expect(paymentDate('2021-01-31', 'monthly', 1)).toBe('2021-02-28');
    expect(levelPayment(monthly(100000, '0.06', 360)).toFixed(2)).toBe('599.55');
  });
});

describe('property metrics', () => {
  const none = { mortgages: [], expenses: [], monthlyRents: [] };

  it('cap rate: $100,000 of net operating income on a $1,000,000 building is 10 %', () => {
    // en.wikipedia.org, "Capitalization rate", explanatory example.
    const m = propertyMetrics({
      ...none,
      value: d(1_000_000),
      valueDate: '2024-01-01',
      ownershipShare: d(1),
      vacancyRate: d(0),
      purchasePrice: d(1_000_000),
      closingCosts: d(0),
      monthlyRents: [d(100_000).div(12)],
    });
    expect(m.netOperatingIncome.toDecimalPlaces(2).toFixed()).toBe('100000');
    expect(m.capRate?.toDecimalPlaces(4).toFixed()).toBe('0.1');
  });

  it('cash-on-cash: $2,000 a month of rent, $10,000 of expenses, $100,000 invested is 14 %', () => {
    // "How to Calculate Cash-on-Cash Return" worked example: $24,000 gross, $14,000 net before
    // taxes, $100,000 initial cash outlay → 14 %.
    const m = propertyMetrics({
      value: d(400_000),
      valueDate: '2024-01-01',
      ownershipShare: d(1),
      vacancyRate: d(0),
      purchasePrice: d(400_000),
      closingCosts: d(0),
      monthlyRents: [d(2000)],
      expenses: [{ amount: d(10_000), frequency: 'annually' }],
      mortgages: [{ balance: d(300_000), originalPrincipal: d(300_000), annualDebtService: d(0) }],
    });
    expect(m.grossScheduledRent.toFixed()).toBe('24000');
    expect(m.annualCashFlow.toFixed()).toBe('14000');
    expect(m.cashInvested?.toFixed()).toBe('100000');
    expect(m.cashOnCashReturn?.toFixed()).toBe('0.14');
    expect(m.loanToValue?.toFixed()).toBe('0.75');
    expect(m.grossYield?.toFixed()).toBe('0.06');
  });

  it("equity counts the owner's share of the value and the whole mortgage; vacancy reduces income", () => {
    const m = propertyMetrics({
      value: d(500_000),
      valueDate: '2024-01-01',
      ownershipShare: d('0.5'),
      vacancyRate: d('0.05'),
      purchasePrice: null,
      closingCosts: d(0),
      monthlyRents: [d(1500), d(1500)],
      expenses: [
        { amount: d(300), frequency: 'monthly' },
        { amount: d(1200), frequency: 'quarterly' },
      ],
      mortgages: [{ balance: d(200_000), originalPrincipal: d(250_000), annualDebtService: d(18_000) }],
    });
    expect(m.equity?.toFixed()).toBe('50000');
    expect(m.vacancyLoss.toFixed()).toBe('1800');
    expect(m.effectiveGrossIncome.toFixed()).toBe('34200');
    expect(m.operatingExpenses.toFixed()).toBe('8400');
    expect(m.netOperatingIncome.toFixed()).toBe('25800');
    expect(m.annualCashFlow.toFixed()).toBe('7800');
    expect(m.cashInvested).toBeNull();
    expect(m.cashOnCashReturn).toBeNull();
  });
});
