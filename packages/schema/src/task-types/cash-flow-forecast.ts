import { z } from 'zod';
import { zFraction, zLabel, zPositiveMoney } from '../amounts.js';
import { zCurrency } from '../common.js';
import { zDecimal } from '../decimal.js';

const zMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: "Expected a month 'YYYY-MM'" });

export const zRecurringItemInput = z.object({
  label: zLabel,
  /** Per occurrence, positive; `kind` gives the direction. */
  amount: zPositiveMoney,
  kind: z.enum(['expense', 'income']).default('expense'),
  currency: zCurrency.optional(),
  /** Quarterly and annual items are spread evenly over their months. */
  frequency: z.enum(['monthly', 'quarterly', 'annually']).default('monthly'),
});

/** `cash_flow_forecast`: the coming months' cash flows, month by month, in the base currency. */
export const zCashFlowForecastInput = z.object({
  /** First month forecast; next month by default. */
  startMonth: zMonth.optional(),
  months: z.number().int().min(1).max(60).default(12),
  /** Recurring items the platform does not record (living costs, salaries, school fees). */
  recurring: z.array(zRecurringItemInput).max(200).default([]),
  /** Share of rent lost to vacancy when a property does not set its own rate. */
  defaultVacancyRate: zFraction
    .refine((d) => d.gte(0) && d.lt(1), { message: 'Must be from 0 up to 1' })
    .optional(),
});

const zLine = {
  /** Rent of the rent roll × ownership share, less vacancy. */
  rentalIncome: zDecimal,
  /** Property operating expenses × ownership share. */
  propertyExpenses: zDecimal,
  /** Scheduled mortgage payments (principal, interest and extra principal). */
  mortgagePayments: zDecimal,
  mortgageInterest: zDecimal,
  mortgagePrincipal: zDecimal,
  /** Trailing-twelve-month dividends, spread evenly. */
  dividends: zDecimal,
  otherIncome: zDecimal,
  otherExpenses: zDecimal,
  /** Inflows − outflows. */
  net: zDecimal,
};

export const zCashFlowMonth = z.object({ month: zMonth, ...zLine });

export const zCashFlowForecastResult = z.object({
  baseCurrency: z.string(),
  from: zMonth,
  to: zMonth,
  months: z.array(zCashFlowMonth),
  totals: z.object(zLine),
  properties: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      currency: z.string(),
      ownershipShare: zDecimal,
      vacancyRate: zDecimal,
      /** Before vacancy, the owner's share, per month in the property's currency. */
      monthlyRent: zDecimal,
      monthlyExpenses: zDecimal,
      mortgages: z.number().int(),
      /** False when its currency could not be converted: left out of the months. */
      included: z.boolean(),
    }),
  ),
  dividendRunRate: z.object({
    /** Dividends received over the last twelve months, in the base currency. */
    trailingTwelveMonths: zDecimal,
    monthly: zDecimal,
    bySymbol: z.array(z.object({ symbol: z.string(), trailingTwelveMonths: zDecimal })),
  }),
  warnings: z.array(
    z.object({ code: z.enum(['MISSING_FX_RATE']), message: z.string(), pair: z.string().nullable() }),
  ),
  assumptions: z.array(z.string()),
});
