/**
 * Real estate: properties with a valuation history, mortgages (amortized), a rent roll and
 * recurring expenses, and per-property metrics. Rates and shares are fractions: 0.065 is 6.5 %.
 */
import { z } from 'zod';
import { zFraction, zLabel, zNonNegativeMoney, zPositiveMoney } from './amounts.js';
import { zCurrency, zPage, zPageInput, zUuid } from './common.js';
import { todayIso, zIsoDate } from './dates.js';
import { Decimal, zDecimal } from './decimal.js';
import { PROPERTY_TYPES } from './enums.js';

export const VALUATION_SOURCES = ['purchase', 'appraisal', 'estimate', 'manual'] as const;
export const EXPENSE_CATEGORIES = [
  'property_tax',
  'insurance',
  'hoa',
  'maintenance',
  'management',
  'utilities',
  'other',
] as const;
export const EXPENSE_FREQUENCIES = ['monthly', 'quarterly', 'annually'] as const;
export type ExpenseFrequency = (typeof EXPENSE_FREQUENCIES)[number];
export const MORTGAGE_BALANCE_SOURCES = ['statement', 'manual'] as const;

/** Payments per year of each payment frequency. */
export const PAYMENT_FREQUENCY_PERIODS = {
  weekly: 52,
  biweekly: 26,
  monthly: 12,
  quarterly: 4,
  semiannually: 2,
  annually: 1,
} as const;
export type PaymentFrequency = keyof typeof PAYMENT_FREQUENCY_PERIODS;
export const PAYMENT_FREQUENCIES = Object.keys(PAYMENT_FREQUENCY_PERIODS) as [
  PaymentFrequency,
  ...PaymentFrequency[],
];

/**
 * Number of payments of a loan of `termMonths` paid at `frequency`, or null when the term cannot be
 * paid at that frequency (a 13-month quarterly loan). Weekly and biweekly round to whole payments
 * (360 months biweekly is exactly 780).
 */
export function numberOfPayments(termMonths: number, frequency: PaymentFrequency): number | null {
  const perYear = PAYMENT_FREQUENCY_PERIODS[frequency];
  if (!Number.isInteger(termMonths) || termMonths < 1) return null;
  if (frequency === 'weekly' || frequency === 'biweekly') {
    const n = Math.round((termMonths * perYear) / 12);
    return n >= 1 ? n : null;
  }
  const monthsPerPayment = 12 / perYear;
  return termMonths % monthsPerPayment === 0 ? termMonths / monthsPerPayment : null;
}

const zPastDate = zIsoDate.refine((d) => d <= todayIso(), { message: 'must not be in the future' });
const zShare = zFraction.refine((d) => d.gt(0) && d.lte(1), {
  message: 'Must be a fraction above 0 and at most 1 (0.5 is 50 %)',
});
const zVacancy = zFraction.refine((d) => d.gte(0) && d.lt(1), {
  message: 'Must be a fraction from 0 up to (not including) 1 (0.05 is 5 %)',
});
const zAnnualRate = zFraction.refine((d) => d.gte(0) && d.lt(1), {
  message: 'Must be an annual rate as a fraction from 0 up to 1 (0.065 is 6.5 %)',
});
const zTermMonths = z
  .number()
  .int({ message: 'Must be a whole number of months' })
  .min(1, { message: 'Must be at least 1 month' })
  .max(600, { message: 'Must be at most 600 months (50 years)' });

export const zAddress = z.object({
  line1: zLabel.nullish(),
  line2: zLabel.nullish(),
  city: zLabel.nullish(),
  region: zLabel.nullish(),
  postalCode: z.string().trim().min(1).max(20).nullish(),
  /** ISO 3166-1 alpha-2 country code. */
  country: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, { message: 'Expected a two-letter ISO 3166 country code' })
    .nullish(),
});

export const zRentInput = z
  .object({
    unit: z.string().trim().min(1).max(100),
    tenant: zLabel.nullish(),
    monthlyRent: zNonNegativeMoney,
    leaseStart: zIsoDate.nullish(),
    leaseEnd: zIsoDate.nullish(),
  })
  .refine((r) => !r.leaseStart || !r.leaseEnd || r.leaseEnd >= r.leaseStart, {
    path: ['leaseEnd'],
    message: 'must not be before leaseStart',
  });

export const zExpenseInput = z.object({
  category: z.enum(EXPENSE_CATEGORIES),
  amount: zNonNegativeMoney,
  frequency: z.enum(EXPENSE_FREQUENCIES).default('monthly'),
  description: z.string().trim().max(500).nullish(),
});

export const zExtraPaymentInput = z.object({ date: zIsoDate, amount: zPositiveMoney });

const mortgageFields = {
  lender: zLabel.nullish(),
  originalPrincipal: zPositiveMoney,
  annualRate: zAnnualRate,
  termMonths: zTermMonths,
  /** Funding date; the first payment falls one period later. */
  startDate: zIsoDate,
  paymentFrequency: z.enum(PAYMENT_FREQUENCIES).default('monthly'),
  /** Added to every payment, all to principal. */
  extraPrincipalPerPayment: zNonNegativeMoney.default(() => new Decimal(0)),
  /** One-off prepayments, applied with the first payment on or after their date. */
  extraPayments: z.array(zExtraPaymentInput).max(600).default([]),
};

function payableTerm(
  value: { termMonths?: number | undefined; paymentFrequency?: PaymentFrequency | undefined },
  ctx: z.RefinementCtx,
): void {
  if (value.termMonths === undefined || value.paymentFrequency === undefined) return;
  // A term that is not a whole positive number of months is already reported on its own.
  if (!Number.isInteger(value.termMonths) || value.termMonths < 1) return;
  if (numberOfPayments(value.termMonths, value.paymentFrequency) === null) {
    ctx.addIssue({
      code: 'custom',
      path: ['termMonths'],
      message: `A term of ${value.termMonths} months cannot be paid ${value.paymentFrequency}`,
    });
  }
}

export const zMortgageFields = z.object(mortgageFields).superRefine(payableTerm);

export const zMortgageCreateInput = z
  .object({ propertyId: zUuid, ...mortgageFields })
  .superRefine(payableTerm);
export type MortgageCreateInput = z.input<typeof zMortgageCreateInput>;

export const zMortgageUpdateInput = z
  .object({
    id: zUuid,
    lender: zLabel.nullish(),
    originalPrincipal: zPositiveMoney.optional(),
    annualRate: zAnnualRate.optional(),
    termMonths: zTermMonths.optional(),
    startDate: zIsoDate.optional(),
    paymentFrequency: z.enum(PAYMENT_FREQUENCIES).optional(),
    extraPrincipalPerPayment: zNonNegativeMoney.optional(),
    /** Replaces the one-off prepayments. */
    extraPayments: z.array(zExtraPaymentInput).max(600).optional(),
  })
  .superRefine(payableTerm);

export const zMortgageIdInput = z.object({ id: zUuid });

export const zRecordMortgageBalanceInput = z.object({
  mortgageId: zUuid,
  date: zPastDate,
  balance: zNonNegativeMoney,
  source: z.enum(MORTGAGE_BALANCE_SOURCES).default('statement'),
});

export const zAmortizationInput = z.object({
  mortgageId: zUuid,
  /** Only rows dated within [from, to]; the totals still cover the whole schedule. */
  from: zIsoDate.optional(),
  to: zIsoDate.optional(),
});

const propertyFields = {
  name: zLabel,
  propertyType: z.enum(PROPERTY_TYPES),
  address: zAddress.optional(),
  sizeSqft: zPositiveMoney.nullish(),
  units: z.number().int().min(1).max(100_000).nullish(),
  yearBuilt: z.number().int().min(1000).max(2200).nullish(),
  purchasePrice: zNonNegativeMoney.nullish(),
  purchaseDate: zPastDate.nullish(),
  /** Fraction owned, 1 for wholly owned property. */
  ownershipShare: zShare.default(() => new Decimal(1)),
  /** Expected vacancy and credit loss as a fraction of gross scheduled rent. */
  vacancyRate: zVacancy.default(() => new Decimal(0)),
  closingCosts: zNonNegativeMoney.default(() => new Decimal(0)),
};

export const zPropertyCreateInput = z.object({
  ...propertyFields,
  /** Defaults to the user's base currency. */
  currency: zCurrency.optional(),
  /** A current valuation besides the purchase (recorded in the valuation history). */
  valuation: z
    .object({
      date: zPastDate,
      value: zNonNegativeMoney,
      source: z.enum(VALUATION_SOURCES).default('estimate'),
    })
    .optional(),
  rentRoll: z.array(zRentInput).max(1000).default([]),
  expenses: z.array(zExpenseInput).max(200).default([]),
  mortgages: z.array(zMortgageFields).max(20).default([]),
});
export type PropertyCreateInput = z.input<typeof zPropertyCreateInput>;

export const zPropertyUpdateInput = z.object({
  id: zUuid,
  name: propertyFields.name.optional(),
  propertyType: propertyFields.propertyType.optional(),
  address: zAddress.optional(),
  sizeSqft: propertyFields.sizeSqft,
  units: propertyFields.units,
  yearBuilt: propertyFields.yearBuilt,
  purchasePrice: propertyFields.purchasePrice,
  purchaseDate: propertyFields.purchaseDate,
  currency: zCurrency.optional(),
  ownershipShare: zShare.optional(),
  vacancyRate: zVacancy.optional(),
  closingCosts: zNonNegativeMoney.optional(),
  /** Replaces the rent roll. */
  rentRoll: z.array(zRentInput).max(1000).optional(),
  /** Replaces the recurring expenses. */
  expenses: z.array(zExpenseInput).max(200).optional(),
});
export type PropertyUpdateInput = z.input<typeof zPropertyUpdateInput>;

export const zPropertyIdInput = z.object({ id: zUuid });

export const zPropertyListInput = zPageInput.extend({
  propertyType: z
    .union([z.enum(PROPERTY_TYPES), z.array(z.enum(PROPERTY_TYPES)).min(1).max(PROPERTY_TYPES.length)])
    .optional(),
  sort: z.enum(['createdAt', 'name']).default('createdAt'),
  direction: z.enum(['asc', 'desc']).default('asc'),
});

export const zRecordValuationInput = z.object({
  propertyId: zUuid,
  /** Not in the future; recording a day again replaces that day's valuation. */
  date: zPastDate,
  value: zNonNegativeMoney,
  source: z.enum(VALUATION_SOURCES).default('manual'),
  note: z.string().trim().max(500).nullish(),
});

export const zValuationListInput = zPageInput.extend({ propertyId: zUuid });

// ---------------------------------------------------------------------------------------------
// Outputs

export const zValuation = z.object({
  id: z.string(),
  propertyId: z.string(),
  date: z.string(),
  value: zDecimal,
  source: z.enum(VALUATION_SOURCES),
  note: z.string().nullable(),
  createdAt: z.date(),
});
export const zValuationPage = zPage(zValuation);

export const zRent = z.object({
  id: z.string(),
  unit: z.string(),
  tenant: z.string().nullable(),
  monthlyRent: zDecimal,
  leaseStart: z.string().nullable(),
  leaseEnd: z.string().nullable(),
});

export const zExpense = z.object({
  id: z.string(),
  category: z.enum(EXPENSE_CATEGORIES),
  amount: zDecimal,
  frequency: z.enum(EXPENSE_FREQUENCIES),
  /** The amount over a year. */
  annualAmount: zDecimal,
  description: z.string().nullable(),
});

export const zMortgage = z.object({
  id: z.string(),
  propertyId: z.string(),
  lender: z.string().nullable(),
  /** The property's currency. */
  currency: z.string(),
  originalPrincipal: zDecimal,
  annualRate: zDecimal,
  termMonths: z.number().int(),
  startDate: z.string(),
  paymentFrequency: z.enum(PAYMENT_FREQUENCIES),
  extraPrincipalPerPayment: zDecimal,
  extraPayments: z.array(z.object({ date: z.string(), amount: zDecimal })),
  /** Level payment (principal and interest) per period. */
  payment: zDecimal,
  numberOfPayments: z.number().int(),
  maturityDate: z.string(),
  /** Balance owed today: the schedule, continued from the latest recorded balance. */
  currentBalance: zDecimal,
  paymentsMade: z.number().int(),
  nextPaymentDate: z.string().nullable(),
  lastRecordedBalance: z.object({ date: z.string(), balance: zDecimal }).nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type MortgageView = z.infer<typeof zMortgage>;

/** Annual figures in the property's currency; ratios are fractions. Null where undefined (no value, no cash invested). */
export const zPropertyMetrics = z.object({
  value: zDecimal.nullable(),
  valueDate: z.string().nullable(),
  mortgageBalance: zDecimal,
  /** value × ownership share − mortgage balances. */
  equity: zDecimal.nullable(),
  /** Mortgage balances ÷ value. */
  loanToValue: zDecimal.nullable(),
  grossScheduledRent: zDecimal,
  vacancyLoss: zDecimal,
  effectiveGrossIncome: zDecimal,
  operatingExpenses: zDecimal,
  netOperatingIncome: zDecimal,
  /** Gross scheduled rent ÷ value. */
  grossYield: zDecimal.nullable(),
  /** Net operating income ÷ value. */
  capRate: zDecimal.nullable(),
  annualDebtService: zDecimal,
  /** Net operating income − debt service. */
  annualCashFlow: zDecimal,
  /** Purchase price + closing costs − original mortgage principal (the down payment and costs). */
  cashInvested: zDecimal.nullable(),
  /** Annual cash flow ÷ cash invested. */
  cashOnCashReturn: zDecimal.nullable(),
});
export type PropertyMetrics = z.infer<typeof zPropertyMetrics>;

export const zProperty = z.object({
  id: z.string(),
  name: z.string(),
  propertyType: z.enum(PROPERTY_TYPES),
  address: z.object({
    line1: z.string().nullable(),
    line2: z.string().nullable(),
    city: z.string().nullable(),
    region: z.string().nullable(),
    postalCode: z.string().nullable(),
    country: z.string().nullable(),
  }),
  sizeSqft: zDecimal.nullable(),
  units: z.number().int().nullable(),
  yearBuilt: z.number().int().nullable(),
  purchasePrice: zDecimal.nullable(),
  purchaseDate: z.string().nullable(),
  currency: z.string(),
  ownershipShare: zDecimal,
  vacancyRate: zDecimal,
  closingCosts: zDecimal,
  currentValue: zDecimal.nullable(),
  valuationDate: z.string().nullable(),
  rentRoll: z.array(zRent),
  expenses: z.array(zExpense),
  mortgages: z.array(zMortgage),
  metrics: zPropertyMetrics,
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type PropertyView = z.infer<typeof zProperty>;

export const zPropertyPage = zPage(zProperty);

export const zAmortizationRow = z.object({
  period: z.number().int(),
  date: z.string(),
  payment: zDecimal,
  interest: zDecimal,
  principal: zDecimal,
  extraPrincipal: zDecimal,
  balance: zDecimal,
});

export const zAmortizationSchedule = z.object({
  mortgageId: z.string(),
  currency: z.string(),
  payment: zDecimal,
  numberOfPayments: z.number().int(),
  maturityDate: z.string(),
  payoffDate: z.string().nullable(),
  totalInterest: zDecimal,
  totalPrincipal: zDecimal,
  currentBalance: zDecimal,
  recordedBalances: z.array(z.object({ date: z.string(), balance: zDecimal })),
  rows: z.array(zAmortizationRow),
});
