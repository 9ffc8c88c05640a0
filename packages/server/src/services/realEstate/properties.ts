/**
 * Properties: CRUD, the rent roll and expenses (replaced as a set), and the valuation history
 * (the latest valuation is the current value, cached on the property row).
 */
import {
  Decimal,
  type PropertyView,
  todayIso,
  type zPropertyCreateInput,
  type zPropertyListInput,
  type zPropertyUpdateInput,
  type zRecordValuationInput,
  type zValuationListInput,
} from '@fo/schema';
import type { z } from 'zod';
import type { Actor } from '../../actor.js';
import type { Knex } from '../../db/knex.js';
import { type Db, withTransaction } from '../../db/transaction.js';
import { newId, RealEstate } from '../../models/index.js';
import type { ServiceContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import { applyKeyset, type KeysetSpec, toPage } from '../pagination.js';
import { refreshNetWorth } from '../portfolio/refresh.js';
import { type PropertyRow, propertyRowsQuery, toPropertyViews } from './load.js';
import { insertMortgage } from './mortgages.js';

type CreateInput = z.output<typeof zPropertyCreateInput>;
type UpdateInput = z.output<typeof zPropertyUpdateInput>;
type ListInput = z.output<typeof zPropertyListInput>;
type RecordValuationInput = z.output<typeof zRecordValuationInput>;
type ValuationListInput = z.output<typeof zValuationListInput>;
type RentInput = CreateInput['rentRoll'][number];
type ExpenseInput = CreateInput['expenses'][number];

/** The actor's property row, or NOT_FOUND. */
export async function loadProperty(
  db: Db,
  actor: Actor,
  id: string,
  opts: { forUpdate?: boolean; field?: string } = {},
) {
  const query = RealEstate.query(db).modify('visibleTo', actor).findById(id);
  if (opts.forUpdate) query.forUpdate();
  const property = await query;
  if (!property) throw new NotFoundError('Property', id, opts.field ?? 'id');
  return property;
}

async function propertyView(db: Db, actor: Actor, id: string): Promise<PropertyView> {
  const asOf = todayIso();
  const rows = (await propertyRowsQuery(db, actor.userId, asOf).where('re.id', id)) as PropertyRow[];
  if (rows.length === 0) throw new NotFoundError('Property', id, 'id');
  const [view] = await toPropertyViews(db, actor.userId, rows, asOf);
  return view!;
}

export function getProperty({ db, actor }: ServiceContext, id: string): Promise<PropertyView> {
  return propertyView(db, actor, id);
}

export async function listProperties({ db, actor }: ServiceContext, input: ListInput) {
  const asOf = todayIso();
  const spec: KeysetSpec = {
    sort: `${input.sort}.${input.direction}`,
    column: input.sort === 'name' ? 're.name' : 're.created_at',
    idColumn: 're.id',
    cast: input.sort === 'name' ? 'text' : 'timestamptz',
    direction: input.direction,
  };
  const query = propertyRowsQuery(db, actor.userId, asOf);
  if (input.propertyType) {
    query.whereIn(
      're.property_type',
      Array.isArray(input.propertyType) ? input.propertyType : [input.propertyType],
    );
  }
  const rows = (await applyKeyset(query, spec, input.limit, input.cursor)) as (PropertyRow & {
    _cursor: string;
  })[];
  const page = toPage(rows, spec, input.limit, (row) => row);
  return { items: await toPropertyViews(db, actor.userId, page.items, asOf), nextCursor: page.nextCursor };
}

async function replaceRents(trx: Knex.Transaction, userId: string, propertyId: string, rents: RentInput[]) {
  await trx('real_estate_rents').where({ property_id: propertyId, user_id: userId }).delete();
  if (rents.length === 0) return;
  await trx('real_estate_rents').insert(
    rents.map((r) => ({
      id: newId(),
      property_id: propertyId,
      user_id: userId,
      unit: r.unit,
      tenant: r.tenant ?? null,
      monthly_rent: r.monthlyRent.toFixed(),
      lease_start: r.leaseStart ?? null,
      lease_end: r.leaseEnd ?? null,
    })),
  );
}

async function replaceExpenses(
  trx: Knex.Transaction,
  userId: string,
  propertyId: string,
  expenses: ExpenseInput[],
) {
  await trx('real_estate_expenses').where({ property_id: propertyId, user_id: userId }).delete();
  if (expenses.length === 0) return;
  await trx('real_estate_expenses').insert(
    expenses.map((e) => ({
      id: newId(),
      property_id: propertyId,
      user_id: userId,
      category: e.category,
      amount: e.amount.toFixed(),
      frequency: e.frequency,
      description: e.description ?? null,
    })),
  );
}

async function upsertValuation(
  trx: Knex.Transaction,
  userId: string,
  propertyId: string,
  v: { date: string; value: Decimal; source: string; note?: string | null | undefined },
) {
  const [row] = await trx('real_estate_valuations')
    .insert({
      id: newId(),
      property_id: propertyId,
      user_id: userId,
      date: v.date,
      value: v.value.toFixed(),
      source: v.source,
      note: v.note ?? null,
    })
    .onConflict(['property_id', 'date'])
    .merge(['value', 'source', 'note'])
    .returning(['id', 'property_id', 'date', 'value', 'source', 'note', 'created_at']);
  return row as ValuationRow;
}

/** The property row caches its latest valuation (list sorting and quick reads use it). */
async function refreshValuationCache(trx: Knex.Transaction, propertyId: string) {
  await trx.raw(
    `UPDATE real_estate SET (current_value, valuation_date) = (
       SELECT v.value, v.date FROM real_estate_valuations v
        WHERE v.property_id = real_estate.id ORDER BY v.date DESC LIMIT 1)
      WHERE id = ?`,
    [propertyId],
  );
}

async function syncPurchaseValuation(
  trx: Knex.Transaction,
  userId: string,
  propertyId: string,
  price: Decimal | null,
  date: string | null,
) {
  await trx('real_estate_valuations').where({ property_id: propertyId, source: 'purchase' }).delete();
  if (price && date)
    await upsertValuation(trx, userId, propertyId, { date, value: price, source: 'purchase' });
}

function addressColumns(address: CreateInput['address']) {
  if (!address) return {};
  const out: Record<string, string | null> = {};
  if (address.line1 !== undefined) out.address_line1 = address.line1;
  if (address.line2 !== undefined) out.address_line2 = address.line2;
  if (address.city !== undefined) out.city = address.city;
  if (address.region !== undefined) out.region = address.region;
  if (address.postalCode !== undefined) out.postal_code = address.postalCode;
  if (address.country !== undefined) out.country = address.country;
  return out;
}

export async function createProperty(
  { db, actor }: ServiceContext,
  input: CreateInput,
): Promise<PropertyView> {
  return withTransaction(db, async (trx) => {
    let currency = input.currency;
    if (!currency) {
      const user = await trx('users').where('id', actor.userId).first('base_currency');
      if (!user) throw new NotFoundError('User');
      currency = user.base_currency as string;
    }
    const id = newId();
    await trx('real_estate').insert({
      id,
      user_id: actor.userId,
      name: input.name,
      property_type: input.propertyType,
      ...addressColumns(input.address),
      size_sqft: input.sizeSqft?.toFixed() ?? null,
      units: input.units ?? null,
      year_built: input.yearBuilt ?? null,
      purchase_price: input.purchasePrice?.toFixed() ?? null,
      purchase_date: input.purchaseDate ?? null,
      currency,
      ownership_share: input.ownershipShare.toFixed(),
      vacancy_rate: input.vacancyRate.toFixed(),
      closing_costs: input.closingCosts.toFixed(),
    });
    await syncPurchaseValuation(
      trx,
      actor.userId,
      id,
      input.purchasePrice ?? null,
      input.purchaseDate ?? null,
    );
    if (input.valuation) await upsertValuation(trx, actor.userId, id, input.valuation);
    await refreshValuationCache(trx, id);
    await replaceRents(trx, actor.userId, id, input.rentRoll);
    await replaceExpenses(trx, actor.userId, id, input.expenses);
    for (const mortgage of input.mortgages) {
      await insertMortgage(trx, actor.userId, id, mortgage);
    }
    await refreshNetWorth(trx, actor.userId);
    return propertyView(trx, actor, id);
  });
}

export async function updateProperty(
  { db, actor }: ServiceContext,
  input: UpdateInput,
): Promise<PropertyView> {
  return withTransaction(db, async (trx) => {
    const property = await loadProperty(trx, actor, input.id, { forUpdate: true });
    const patch: Record<string, string | number | null> = { ...addressColumns(input.address) };
    if (input.name !== undefined) patch.name = input.name;
    if (input.propertyType !== undefined) patch.property_type = input.propertyType;
    if (input.sizeSqft !== undefined) patch.size_sqft = input.sizeSqft?.toFixed() ?? null;
    if (input.units !== undefined) patch.units = input.units;
    if (input.yearBuilt !== undefined) patch.year_built = input.yearBuilt;
    if (input.purchasePrice !== undefined) patch.purchase_price = input.purchasePrice?.toFixed() ?? null;
    if (input.purchaseDate !== undefined) patch.purchase_date = input.purchaseDate;
    if (input.currency !== undefined) patch.currency = input.currency;
    if (input.ownershipShare !== undefined) patch.ownership_share = input.ownershipShare.toFixed();
    if (input.vacancyRate !== undefined) patch.vacancy_rate = input.vacancyRate.toFixed();
    if (input.closingCosts !== undefined) patch.closing_costs = input.closingCosts.toFixed();
    if (Object.keys(patch).length > 0) await trx('real_estate').where('id', property.id).update(patch);

    if (input.purchasePrice !== undefined || input.purchaseDate !== undefined) {
      const price =
        input.purchasePrice !== undefined
          ? input.purchasePrice
          : property.purchase_price
            ? new Decimal(property.purchase_price)
            : null;
      const date = input.purchaseDate !== undefined ? input.purchaseDate : property.purchase_date;
      await syncPurchaseValuation(trx, actor.userId, property.id, price ?? null, date ?? null);
      await refreshValuationCache(trx, property.id);
    }
    if (input.rentRoll) await replaceRents(trx, actor.userId, property.id, input.rentRoll);
    if (input.expenses) await replaceExpenses(trx, actor.userId, property.id, input.expenses);
    await refreshNetWorth(trx, actor.userId);
    return propertyView(trx, actor, property.id);
  });
}

export async function deleteProperty({ db, actor }: ServiceContext, id: string): Promise<{ id: string }> {
  return withTransaction(db, async (trx) => {
    const property = await loadProperty(trx, actor, id, { forUpdate: true });
    await RealEstate.query(trx).deleteById(property.id);
    await refreshNetWorth(trx, actor.userId);
    return { id: property.id };
  });
}

interface ValuationRow {
  id: string;
  property_id: string;
  date: string;
  value: string;
  source: 'purchase' | 'appraisal' | 'estimate' | 'manual';
  note: string | null;
  created_at: Date;
}

function toValuationView(row: ValuationRow) {
  return {
    id: row.id,
    propertyId: row.property_id,
    date: row.date,
    value: new Decimal(row.value),
    source: row.source,
    note: row.note,
    createdAt: row.created_at,
  };
}

export async function recordValuation({ db, actor }: ServiceContext, input: RecordValuationInput) {
  return withTransaction(db, async (trx) => {
    const property = await loadProperty(trx, actor, input.propertyId, {
      forUpdate: true,
      field: 'propertyId',
    });
    const row = await upsertValuation(trx, actor.userId, property.id, input);
    await refreshValuationCache(trx, property.id);
    await refreshNetWorth(trx, actor.userId);
    return { valuation: toValuationView(row), property: await propertyView(trx, actor, property.id) };
  });
}

export async function listValuations({ db, actor }: ServiceContext, input: ValuationListInput) {
  const property = await loadProperty(db, actor, input.propertyId, { field: 'propertyId' });
  const spec: KeysetSpec = {
    sort: 'date.desc',
    column: 'real_estate_valuations.date',
    idColumn: 'real_estate_valuations.id',
    cast: 'date',
    direction: 'desc',
  };
  const query = (db as Knex)('real_estate_valuations')
    .select('id', 'property_id', 'date', 'value', 'source', 'note', 'created_at')
    .where({ user_id: actor.userId, property_id: property.id });
  const rows = (await applyKeyset(query, spec, input.limit, input.cursor)) as (ValuationRow & {
    _cursor: string;
  })[];
  return toPage(rows, spec, input.limit, toValuationView);
}
