/**
 * The enum lists the migrations wrote into CHECK constraints match the enums of @fo/schema, as
 * they stand in the fully migrated database (a later migration may widen a list; the live
 * constraint is what counts).
 */
import {
  ACCOUNT_SUBTYPES,
  ACCOUNT_TYPES,
  ASSET_CLASSES,
  COST_BASIS_METHODS,
  PROPERTY_TYPES,
  RISK_TOLERANCES,
  SYNC_STATUSES,
  TASK_STATUSES,
  TRACKING_MODES,
  TRANSACTION_TYPES,
} from '@fo/schema';
import { describe, expect, it } from 'vitest';
import type { Knex } from '../../src/db/knex.js';
import { getTestDb } from '../support/db.js';

/**
 * Values allowed by the CHECK constraints on exactly `table.column` of the form
 * `column = ANY (ARRAY['a'::text, ...])` (what `checkIn` and `IN (...)` become).
 */
async function allowedValues(db: Knex, table: string, column: string): Promise<string[][]> {
  const { rows } = await db.raw<{ rows: { def: string }[] }>(
    `SELECT pg_get_constraintdef(con.oid) AS def
     FROM pg_constraint con
     JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = ALL (con.conkey)
     WHERE con.contype = 'c' AND con.conrelid = ?::regclass AND a.attname = ? AND cardinality(con.conkey) = 1`,
    [table, column],
  );
  return rows
    .filter((r) => r.def.includes('ANY (ARRAY['))
    .map((r) => [...r.def.matchAll(/'((?:[^']|'')*)'::text/g)].map((m) => m[1]!.replaceAll("''", "'")));
}

const CASES: [table: string, column: string, values: readonly string[]][] = [
  ['accounts', 'type', ACCOUNT_TYPES],
  ['accounts', 'subtype', ACCOUNT_SUBTYPES],
  ['accounts', 'tracking_mode', TRACKING_MODES],
  ['accounts', 'cost_basis_method', COST_BASIS_METHODS],
  ['accounts', 'sync_status', SYNC_STATUSES],
  ['assets', 'asset_class', ASSET_CLASSES],
  ['target_allocations', 'asset_class', ASSET_CLASSES],
  ['real_estate', 'property_type', PROPERTY_TYPES],
  ['transactions', 'type', TRANSACTION_TYPES],
  ['users', 'risk_tolerance', RISK_TOLERANCES],
  ['agent_tasks', 'status', TASK_STATUSES],
];

describe('database enum constraints match @fo/schema', () => {
  it.each(CASES)('%s.%s', async (table, column, values) => {
    const db = await getTestDb();
    const lists = await allowedValues(db, table, column);
    expect(lists, `one enum CHECK constraint on ${table}.${column}`).toHaveLength(1);
    expect([...lists[0]!].sort()).toEqual([...values].sort());
  });
});
