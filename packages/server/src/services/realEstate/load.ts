/**
 * Loading properties with everything their views and net worth need, in a fixed number of
 * queries whatever the number of properties: the properties (with their value on the day), their
 * rent rolls, expenses, and mortgages (with one-off prepayments and recorded balances folded in).
 */
import {
  Decimal,
  type ExpenseFrequency,
  type MortgageView,
  type PaymentFrequency,
  type PropertyView,
  todayIso,
} from '@fo/schema';
import type { Knex } from '../../db/knex.js';
import { allQueries, type Db } from '../../db/transaction.js';
import {
  annualDebtService,
  balanceAsOf,
  type LoanTerms,
  levelPayment,
  numberOfPayments,
  paymentDate,
} from './amortization.js';
import { annualize, propertyMetrics } from './metrics.js';

export interface PropertyRow {
  id: string;
  user_id: string;
  name: string;
  property_type: string;
  address_line1: string | null;
  address_line2: string | null;
  city: string | null;
  region: string | null;
  postal_code: string | null;
  country: string | null;
  size_sqft: string | null;
  units: number | null;
  year_built: number | null;
  purchase_price: string | null;
  purchase_date: string | null;
  currency: string;
  ownership_share: string;
  vacancy_rate: string;
  closing_costs: string;
  current_value: string | null;
  valuation_date: string | null;
  created_at: Date;
  updated_at: Date;
  /** Latest valuation on or before the day asked for. */
  value_on_day: string | null;
  value_date_on_day: string | null;
}

/** Properties with their latest valuation on or before `asOf` (a LATERAL probe on the valuations' unique index). */
export function propertyRowsQuery(db: Db, userId: string, asOf: string): Knex.QueryBuilder {
  return (db as Knex)('real_estate as re')
    .joinRaw(
      `LEFT JOIN LATERAL (
         SELECT v.value, v.date FROM real_estate_valuations v
          WHERE v.property_id = re.id AND v.date <= ?::date
          ORDER BY v.date DESC LIMIT 1
       ) val ON true`,
      [asOf],
    )
    .select('re.*', 'val.value as value_on_day', 'val.date as value_date_on_day')
    .where('re.user_id', userId);
}

export interface MortgageRow {
  id: string;
  property_id: string;
  user_id: string;
  lender: string | null;
  original_principal: string;
  annual_rate: string;
  term_months: number;
  start_date: string;
  payment_frequency: PaymentFrequency;
  extra_principal_per_payment: string;
  created_at: Date;
  updated_at: Date;
  extra_payments: { date: string; amount: string }[];
  recorded_balances: { date: string; balance: string }[];
}

/** Mortgages of the given properties (all the user's when `propertyIds` is null), one query. */
export async function loadMortgages(
  db: Db,
  userId: string,
  propertyIds: string[] | null,
): Promise<MortgageRow[]> {
  const query = (db as Knex)('mortgages as m')
    .select(
      'm.*',
      (db as Knex).raw(
        `COALESCE((SELECT json_agg(json_build_object('date', e.date, 'amount', e.amount::text) ORDER BY e.date)
                     FROM mortgage_extra_payments e WHERE e.mortgage_id = m.id), '[]') AS extra_payments`,
      ),
      (db as Knex).raw(
        `COALESCE((SELECT json_agg(json_build_object('date', b.date, 'balance', b.balance::text) ORDER BY b.date)
                     FROM mortgage_balances b WHERE b.mortgage_id = m.id), '[]') AS recorded_balances`,
      ),
    )
    .where('m.user_id', userId)
    .orderBy([{ column: 'm.created_at' }, { column: 'm.id' }]);
  if (propertyIds) query.whereIn('m.property_id', propertyIds);
  return (await query) as MortgageRow[];
}

export function loanTerms(row: MortgageRow, currency: string): LoanTerms {
  return {
    principal: new Decimal(row.original_principal),
    annualRate: new Decimal(row.annual_rate),
    termMonths: row.term_months,
    startDate: row.start_date,
    frequency: row.payment_frequency,
    currency,
    extraPrincipalPerPayment: new Decimal(row.extra_principal_per_payment),
    extraPayments: row.extra_payments.map((e) => ({ date: e.date, amount: new Decimal(e.amount) })),
  };
}

export function recordedBalances(row: MortgageRow) {
  return row.recorded_balances.map((b) => ({ date: b.date, balance: new Decimal(b.balance) }));
}

export function toMortgageView(row: MortgageRow, currency: string, asOf = todayIso()): MortgageView {
  const terms = loanTerms(row, currency);
  const recorded = recordedBalances(row);
  const current = balanceAsOf(terms, asOf, recorded);
  const lastRecorded = [...recorded].reverse().find((b) => b.date <= asOf) ?? null;
  const n = numberOfPayments(row.term_months, row.payment_frequency) ?? 0;
  return {
    id: row.id,
    propertyId: row.property_id,
    lender: row.lender,
    currency,
    originalPrincipal: terms.principal,
    annualRate: terms.annualRate,
    termMonths: row.term_months,
    startDate: row.start_date,
    paymentFrequency: row.payment_frequency,
    extraPrincipalPerPayment: terms.extraPrincipalPerPayment ?? new Decimal(0),
    extraPayments: (terms.extraPayments ?? []).map((e) => ({ date: e.date, amount: e.amount })),
    payment: levelPayment(terms),
    numberOfPayments: n,
    maturityDate: paymentDate(row.start_date, row.payment_frequency, n),
    currentBalance: current.balance,
    paymentsMade: current.paymentsMade,
    nextPaymentDate: current.nextPaymentDate,
    lastRecordedBalance: lastRecorded,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

interface RentRow {
  id: string;
  property_id: string;
  unit: string;
  tenant: string | null;
  monthly_rent: string;
  lease_start: string | null;
  lease_end: string | null;
}

interface ExpenseRow {
  id: string;
  property_id: string;
  category: string;
  amount: string;
  frequency: ExpenseFrequency;
  description: string | null;
}

function groupBy<T extends { property_id: string }>(rows: T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const list = map.get(row.property_id);
    if (list) list.push(row);
    else map.set(row.property_id, [row]);
  }
  return map;
}

const dec = (v: string | null) => (v === null ? null : new Decimal(v));

/** Full views of property rows: three more queries for any number of rows. */
export async function toPropertyViews(
  db: Db,
  userId: string,
  rows: PropertyRow[],
  asOf = todayIso(),
): Promise<PropertyView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [rents, expenses, mortgages] = await allQueries(db, [
    () =>
      (db as Knex)('real_estate_rents')
        .where('user_id', userId)
        .whereIn('property_id', ids)
        .orderBy([{ column: 'unit' }, { column: 'id' }]) as Promise<RentRow[]>,
    () =>
      (db as Knex)('real_estate_expenses')
        .where('user_id', userId)
        .whereIn('property_id', ids)
        .orderBy([{ column: 'category' }, { column: 'id' }]) as Promise<ExpenseRow[]>,
    () => loadMortgages(db, userId, ids),
  ]);
  const rentsBy = groupBy(rents);
  const expensesBy = groupBy(expenses);
  const mortgagesBy = groupBy(mortgages);

  return rows.map((row) => {
    const mortgageViews = (mortgagesBy.get(row.id) ?? []).map((m) => toMortgageView(m, row.currency, asOf));
    const rentViews = (rentsBy.get(row.id) ?? []).map((r) => ({
      id: r.id,
      unit: r.unit,
      tenant: r.tenant,
      monthlyRent: new Decimal(r.monthly_rent),
      leaseStart: r.lease_start,
      leaseEnd: r.lease_end,
    }));
    const expenseViews = (expensesBy.get(row.id) ?? []).map((e) => ({
      id: e.id,
      category: e.category as PropertyView['expenses'][number]['category'],
      amount: new Decimal(e.amount),
      frequency: e.frequency,
      annualAmount: annualize(new Decimal(e.amount), e.frequency),
      description: e.description,
    }));
    const value = dec(row.value_on_day);
    const metrics = propertyMetrics({
      value,
      valueDate: row.value_date_on_day,
      ownershipShare: new Decimal(row.ownership_share),
      vacancyRate: new Decimal(row.vacancy_rate),
      purchasePrice: dec(row.purchase_price),
      closingCosts: new Decimal(row.closing_costs),
      monthlyRents: rentViews.map((r) => r.monthlyRent),
      expenses: expenseViews,
      mortgages: mortgageViews.map((m, i) => ({
        balance: m.currentBalance,
        originalPrincipal: m.originalPrincipal,
        annualDebtService: m.currentBalance.isZero()
          ? new Decimal(0)
          : annualDebtService(loanTerms((mortgagesBy.get(row.id) ?? [])[i]!, row.currency)),
      })),
    });
    return {
      id: row.id,
      name: row.name,
      propertyType: row.property_type as PropertyView['propertyType'],
      address: {
        line1: row.address_line1,
        line2: row.address_line2,
        city: row.city,
        region: row.region,
        postalCode: row.postal_code,
        country: row.country,
      },
      sizeSqft: dec(row.size_sqft),
      units: row.units,
      yearBuilt: row.year_built,
      purchasePrice: dec(row.purchase_price),
      purchaseDate: row.purchase_date,
      currency: row.currency,
      ownershipShare: new Decimal(row.ownership_share),
      vacancyRate: new Decimal(row.vacancy_rate),
      closingCosts: new Decimal(row.closing_costs),
      currentValue: dec(row.current_value),
      valuationDate: row.valuation_date,
      rentRoll: rentViews,
      expenses: expenseViews,
      mortgages: mortgageViews,
      metrics,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  });
}
