/**
 * The accounts/real-estate migrations on a scratch database: the old inline columns' data moves
 * into the new tables, every `down` restores the previous schema (and the data it can hold), and
 * the enum lists the migrations copy match @fo/schema.
 */
import { readFileSync } from 'node:fs';
import {
  BALANCE_SOURCES,
  EXPENSE_CATEGORIES,
  EXPENSE_FREQUENCIES,
  MORTGAGE_BALANCE_SOURCES,
  PAYMENT_FREQUENCIES,
  VALUATION_SOURCES,
} from '@fo/schema';
import { afterAll, describe, expect, it } from 'vitest';
import { createKnex, type Knex } from '../src/db/knex.js';
import { listMigrationFiles, migratorConfig } from '../src/db/migrations.js';
import { createEmptyDatabase, scratchDatabaseName } from './support/db.js';

const MINE = listMigrationFiles()
  .map((m) => m.name)
  .filter((name) => name >= '20261124110000' && name < '20261124120000');

const knexes: Knex[] = [];
afterAll(async () => {
  for (const k of knexes) await k.destroy();
});

async function columns(db: Knex, table: string): Promise<string[]> {
  return (
    await db('information_schema.columns')
      .where({ table_schema: 'public', table_name: table })
      .pluck('column_name')
  ).sort();
}

async function tableNames(db: Knex): Promise<string[]> {
  return (await db('information_schema.tables').where({ table_schema: 'public' }).pluck('table_name')).sort();
}

describe('accounts and real-estate migrations', () => {
  it('are the seven files of this area, in order', () => {
    expect(MINE).toEqual([
      '20261124110000_account_balances',
      '20261124110100_prices_fx',
      '20261124110200_holdings_valuation',
      '20261124110300_real_estate_details',
      '20261124110400_mortgages',
      '20261124110500_net_worth_snapshots',
      '20261124110600_price_latest',
    ]);
  });

  it('move the inline mortgage, income and expense columns into the new tables, and back down', async () => {
    const db = createKnex({
      connectionString: await createEmptyDatabase(scratchDatabaseName('acctmig')),
      poolMax: 2,
    });
    knexes.push(db);
    const config = migratorConfig();
    await db.migrate.up({ ...config, name: '20261124000000_core_schema' });
    const before = await tableNames(db);
    const realEstateBefore = await columns(db, 'real_estate');
    const accountsBefore = await columns(db, 'accounts');

    const [user] = await db('users').insert({ email: 'old@example.com', password_hash: 'x' }).returning('id');
    await db('real_estate').insert({
      user_id: user.id,
      name: 'Old rental',
      property_type: 'rental',
      purchase_price: '200000',
      purchase_date: '2015-06-01',
      current_value: '260000',
      valuation_date: '2023-01-01',
      monthly_rental_income: '1800',
      monthly_expenses: '450',
      mortgage_lender: 'Old Bank',
      mortgage_original_principal: '160000',
      mortgage_rate: '0.045',
      mortgage_term_months: 360,
      mortgage_start_date: '2015-06-01',
      mortgage_payment: '810.70',
      mortgage_balance: '130000',
    });

    for (const name of MINE) await db.migrate.up({ ...config, name });

    const property = await db('real_estate').first();
    expect(property).toMatchObject({
      current_value: '260000.00000000',
      valuation_date: '2023-01-01',
      ownership_share: '1.00000000',
    });
    expect(property).not.toHaveProperty('mortgage_rate');
    expect(property).not.toHaveProperty('monthly_rental_income');
    expect(await db('real_estate_valuations').orderBy('date').select('date', 'value', 'source')).toEqual([
      { date: '2015-06-01', value: '200000.00000000', source: 'purchase' },
      { date: '2023-01-01', value: '260000.00000000', source: 'manual' },
    ]);
    expect(await db('real_estate_rents').select('unit', 'monthly_rent')).toEqual([
      { unit: 'Whole property', monthly_rent: '1800.00000000' },
    ]);
    expect(await db('real_estate_expenses').select('category', 'amount', 'frequency')).toEqual([
      { category: 'other', amount: '450.00000000', frequency: 'monthly' },
    ]);
    expect(
      await db('mortgages').select(
        'lender',
        'original_principal',
        'annual_rate',
        'term_months',
        'payment_frequency',
      ),
    ).toEqual([
      {
        lender: 'Old Bank',
        original_principal: '160000.00000000',
        annual_rate: '0.04500000',
        term_months: 360,
        payment_frequency: 'monthly',
      },
    ]);
    expect((await db('mortgage_balances').first()).balance).toBe('130000.00000000');

    for (const name of [...MINE].reverse()) await db.migrate.down({ ...config, name });

    expect(await tableNames(db)).toEqual(before);
    expect(await columns(db, 'real_estate')).toEqual(realEstateBefore);
    expect(await columns(db, 'accounts')).toEqual(accountsBefore);
    const restored = await db('real_estate').first();
    expect(restored).toMatchObject({
      monthly_rental_income: '1800.00000000',
      monthly_expenses: '450.00000000',
      mortgage_lender: 'Old Bank',
      mortgage_original_principal: '160000.00000000',
      mortgage_rate: '0.04500000',
      mortgage_term_months: 360,
      mortgage_start_date: '2015-06-01',
      mortgage_payment: '810.70000000',
      mortgage_balance: '130000.00000000',
    });
  });

  it('refuse to drop an incomplete inline mortgage, naming the property', async () => {
    const db = createKnex({
      connectionString: await createEmptyDatabase(scratchDatabaseName('acctmig2')),
      poolMax: 2,
    });
    knexes.push(db);
    const config = migratorConfig();
    await db.migrate.up({ ...config, name: '20261124000000_core_schema' });
    const [user] = await db('users')
      .insert({ email: 'old2@example.com', password_hash: 'x' })
      .returning('id');
    const [p] = await db('real_estate')
      .insert({
        user_id: user.id,
        name: 'Half',
        property_type: 'rental',
        mortgage_original_principal: '1000',
      })
      .returning('id');
    for (const name of MINE.slice(0, 4)) await db.migrate.up({ ...config, name });
    await expect(db.migrate.up({ ...config, name: MINE[4]! })).rejects.toThrow(p.id);
    expect(await db('real_estate').where('id', p.id).first('mortgage_original_principal')).toEqual({
      mortgage_original_principal: '1000.00000000',
    });
  });

  it('copy the same enum lists as @fo/schema', () => {
    const source = (name: string) =>
      readFileSync(listMigrationFiles().find((m) => m.name === name)!.file, 'utf8');
    const list = (text: string, constant: string) => {
      const match = new RegExp(`const ${constant} = \\[([^\\]]*)\\]`).exec(text);
      return match ? [...match[1]!.matchAll(/'([^']+)'/g)].map((m) => m[1]) : null;
    };
    expect(list(source(MINE[0]!), 'BALANCE_SOURCES')).toEqual([...BALANCE_SOURCES]);
    expect(list(source(MINE[3]!), 'VALUATION_SOURCES')).toEqual([...VALUATION_SOURCES]);
    expect(list(source(MINE[3]!), 'EXPENSE_CATEGORIES')).toEqual([...EXPENSE_CATEGORIES]);
    expect(list(source(MINE[3]!), 'EXPENSE_FREQUENCIES')).toEqual([...EXPENSE_FREQUENCIES]);
    expect(list(source(MINE[4]!), 'PAYMENT_FREQUENCIES')).toEqual([...PAYMENT_FREQUENCIES]);
    expect(list(source(MINE[4]!), 'MORTGAGE_BALANCE_SOURCES')).toEqual([...MORTGAGE_BALANCE_SOURCES]);
  });
});
