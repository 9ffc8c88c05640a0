/**
 * Mortgages on a property: add, update, remove, record an actual balance, and the amortization
 * schedule. The payment and balances come from the pure amortization module.
 */
import {
  Decimal,
  type MortgageView,
  numberOfPayments,
  todayIso,
  type zAmortizationInput,
  type zMortgageCreateInput,
  type zMortgageFields,
  type zMortgageUpdateInput,
  type zRecordMortgageBalanceInput,
} from '@fo/schema';
import type { z } from 'zod';
import type { Actor } from '../../actor.js';
import type { Knex } from '../../db/knex.js';
import { type Db, withTransaction } from '../../db/transaction.js';
import { newId } from '../../models/index.js';
import type { ServiceContext } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { refreshNetWorth } from '../portfolio/refresh.js';
import { amortizationSchedule, balanceAsOf } from './amortization.js';
import { loadMortgages, loanTerms, type MortgageRow, recordedBalances, toMortgageView } from './load.js';

type Fields = z.output<typeof zMortgageFields>;
type CreateInput = z.output<typeof zMortgageCreateInput>;
type UpdateInput = z.output<typeof zMortgageUpdateInput>;
type RecordBalanceInput = z.output<typeof zRecordMortgageBalanceInput>;
type ScheduleInput = z.output<typeof zAmortizationInput>;

async function replaceExtraPayments(
  trx: Knex.Transaction,
  userId: string,
  mortgageId: string,
  extras: Fields['extraPayments'],
) {
  await trx('mortgage_extra_payments').where({ mortgage_id: mortgageId, user_id: userId }).delete();
  if (extras.length === 0) return;
  await trx('mortgage_extra_payments').insert(
    extras.map((e) => ({
      id: newId(),
      mortgage_id: mortgageId,
      user_id: userId,
      date: e.date,
      amount: e.amount.toFixed(),
    })),
  );
}

/** Inserts a mortgage of a property the caller has already loaded (and so owns). */
export async function insertMortgage(
  trx: Knex.Transaction,
  userId: string,
  propertyId: string,
  fields: Fields,
): Promise<string> {
  const id = newId();
  await trx('mortgages').insert({
    id,
    property_id: propertyId,
    user_id: userId,
    lender: fields.lender ?? null,
    original_principal: fields.originalPrincipal.toFixed(),
    annual_rate: fields.annualRate.toFixed(),
    term_months: fields.termMonths,
    start_date: fields.startDate,
    payment_frequency: fields.paymentFrequency,
    extra_principal_per_payment: fields.extraPrincipalPerPayment.toFixed(),
  });
  await replaceExtraPayments(trx, userId, id, fields.extraPayments);
  return id;
}

/** The actor's mortgage with its property's currency, or NOT_FOUND. */
async function loadMortgage(
  db: Db,
  actor: Actor,
  id: string,
  opts: { forUpdate?: boolean; field?: string } = {},
) {
  const query = (db as Knex)('mortgages as m')
    .join('real_estate as re', 're.id', 'm.property_id')
    .where({ 'm.id': id, 'm.user_id': actor.userId })
    .first('m.*', 're.currency');
  if (opts.forUpdate) query.forUpdate('m');
  const row = (await query) as (MortgageRow & { currency: string }) | undefined;
  if (!row) throw new NotFoundError('Mortgage', id, opts.field ?? 'id');
  return row;
}

async function mortgageView(db: Db, actor: Actor, id: string): Promise<MortgageView> {
  const { property_id, currency } = await loadMortgage(db, actor, id);
  const row = (await loadMortgages(db, actor.userId, [property_id])).find((m) => m.id === id);
  if (!row) throw new NotFoundError('Mortgage', id, 'id');
  return toMortgageView(row, currency);
}

export async function addMortgage({ db, actor }: ServiceContext, input: CreateInput): Promise<MortgageView> {
  return withTransaction(db, async (trx) => {
    const property = await trx('real_estate')
      .where({ id: input.propertyId, user_id: actor.userId })
      .forUpdate()
      .first('id');
    if (!property) throw new NotFoundError('Property', input.propertyId, 'propertyId');
    const id = await insertMortgage(trx, actor.userId, property.id as string, input);
    await refreshNetWorth(trx, actor.userId);
    return mortgageView(trx, actor, id);
  });
}

export async function updateMortgage(
  { db, actor }: ServiceContext,
  input: UpdateInput,
): Promise<MortgageView> {
  return withTransaction(db, async (trx) => {
    const current = await loadMortgage(trx, actor, input.id, { forUpdate: true });
    const termMonths = input.termMonths ?? current.term_months;
    const frequency = input.paymentFrequency ?? current.payment_frequency;
    if (numberOfPayments(termMonths, frequency) === null) {
      throw new ValidationError(
        [input.termMonths !== undefined ? 'termMonths' : 'paymentFrequency'],
        `A term of ${termMonths} months cannot be paid ${frequency}`,
      );
    }
    const patch: Record<string, string | number | null> = {};
    if (input.lender !== undefined) patch.lender = input.lender;
    if (input.originalPrincipal !== undefined) patch.original_principal = input.originalPrincipal.toFixed();
    if (input.annualRate !== undefined) patch.annual_rate = input.annualRate.toFixed();
    if (input.termMonths !== undefined) patch.term_months = input.termMonths;
    if (input.startDate !== undefined) patch.start_date = input.startDate;
    if (input.paymentFrequency !== undefined) patch.payment_frequency = input.paymentFrequency;
    if (input.extraPrincipalPerPayment !== undefined) {
      patch.extra_principal_per_payment = input.extraPrincipalPerPayment.toFixed();
    }
    if (Object.keys(patch).length > 0) await trx('mortgages').where('id', current.id).update(patch);
    if (input.extraPayments) await replaceExtraPayments(trx, actor.userId, current.id, input.extraPayments);
    await refreshNetWorth(trx, actor.userId);
    return mortgageView(trx, actor, current.id);
  });
}

export async function removeMortgage({ db, actor }: ServiceContext, id: string): Promise<{ id: string }> {
  return withTransaction(db, async (trx) => {
    const current = await loadMortgage(trx, actor, id, { forUpdate: true });
    await trx('mortgages').where('id', current.id).delete();
    await refreshNetWorth(trx, actor.userId);
    return { id: current.id };
  });
}

export async function recordMortgageBalance(
  { db, actor }: ServiceContext,
  input: RecordBalanceInput,
): Promise<MortgageView> {
  return withTransaction(db, async (trx) => {
    const current = await loadMortgage(trx, actor, input.mortgageId, {
      forUpdate: true,
      field: 'mortgageId',
    });
    if (input.date < current.start_date) {
      throw new ValidationError(
        ['date'],
        `must not be before the mortgage's start date ${current.start_date}`,
      );
    }
    await trx('mortgage_balances')
      .insert({
        id: newId(),
        mortgage_id: current.id,
        user_id: actor.userId,
        date: input.date,
        balance: input.balance.toFixed(),
        source: input.source,
      })
      .onConflict(['mortgage_id', 'date'])
      .merge(['balance', 'source']);
    await refreshNetWorth(trx, actor.userId);
    return mortgageView(trx, actor, current.id);
  });
}

export async function mortgageSchedule({ db, actor }: ServiceContext, input: ScheduleInput) {
  const { property_id, currency } = await loadMortgage(db, actor, input.mortgageId, { field: 'mortgageId' });
  const row = (await loadMortgages(db, actor.userId, [property_id])).find((m) => m.id === input.mortgageId);
  if (!row) throw new NotFoundError('Mortgage', input.mortgageId, 'mortgageId');
  const terms = loanTerms(row, currency);
  const recorded = recordedBalances(row);
  const schedule = amortizationSchedule(terms, recorded);
  const rows = schedule.rows.filter(
    (r) => (!input.from || r.date >= input.from) && (!input.to || r.date <= input.to),
  );
  return {
    mortgageId: row.id,
    currency,
    payment: schedule.payment,
    numberOfPayments: schedule.numberOfPayments,
    maturityDate: schedule.maturityDate,
    payoffDate: schedule.payoffDate,
    totalInterest: schedule.totalInterest,
    totalPrincipal: schedule.totalPrincipal,
    currentBalance: balanceAsOf(terms, todayIso(), recorded).balance,
    recordedBalances: recorded.map((b) => ({ date: b.date, balance: new Decimal(b.balance) })),
    rows,
  };
}
