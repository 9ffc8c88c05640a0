/**
 * Table checksums for the isolation harness: the whole database (a rejected call must change
 * nothing anywhere) or only the owner's rows (a call on one's own data must not touch another's).
 */
import type { Knex } from '../../src/db/knex.js';
import { MIGRATIONS_LOCK_TABLE, MIGRATIONS_TABLE } from '../../src/db/migrations.js';

interface TableInfo {
  name: string;
  columns: Set<string>;
}

async function tables(db: Knex): Promise<TableInfo[]> {
  const { rows } = await db.raw<{ rows: { table_name: string; column_name: string }[] }>(
    `SELECT c.table_name, c.column_name
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' AND c.table_name NOT IN (?, ?)`,
    [MIGRATIONS_TABLE, MIGRATIONS_LOCK_TABLE],
  );
  const byTable = new Map<string, Set<string>>();
  for (const r of rows) {
    const set = byTable.get(r.table_name) ?? new Set<string>();
    set.add(r.column_name);
    byTable.set(r.table_name, set);
  }
  return [...byTable.entries()]
    .map(([name, columns]) => ({ name, columns }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

const CHECKSUM = `count(*) AS n, md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) AS sum`;

/** Row count and checksum of every table. */
export async function snapshotAll(db: Knex): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const { name } of await tables(db)) {
    const { rows } = await db.raw<{ rows: { n: number; sum: string }[] }>(`SELECT ${CHECKSUM} FROM ?? t`, [
      name,
    ]);
    out[name] = `${rows[0]!.n}:${rows[0]!.sum}`;
  }
  return out;
}

/** The owner's rows: their user row, rows with their user_id, rows of their accounts. */
function ownedFilter(table: TableInfo): string | null {
  if (table.name === 'users') return 't.id = :owner';
  if (table.columns.has('user_id')) return 't.user_id = :owner';
  if (table.columns.has('account_id'))
    return 't.account_id IN (SELECT id FROM accounts WHERE user_id = :owner)';
  return null;
}

export async function snapshotOwned(db: Knex, ownerId: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of await tables(db)) {
    const filter = ownedFilter(table);
    if (!filter) continue;
    const { rows } = await db.raw<{ rows: { n: number; sum: string }[] }>(
      `SELECT ${CHECKSUM} FROM ${db.raw('??', [table.name]).toQuery()} t WHERE ${filter}`,
      { owner: ownerId },
    );
    out[table.name] = `${rows[0]!.n}:${rows[0]!.sum}`;
  }
  return out;
}

/** Every id of the owner's rows (and the owner's email): none may appear in an intruder's answer. */
export async function ownedIdentifiers(db: Knex, ownerId: string): Promise<string[]> {
  const ids = new Set<string>([ownerId]);
  for (const table of await tables(db)) {
    const filter = ownedFilter(table);
    if (!filter || !table.columns.has('id')) continue;
    const { rows } = await db.raw<{ rows: { id: string }[] }>(
      `SELECT t.id::text AS id FROM ${db.raw('??', [table.name]).toQuery()} t WHERE ${filter}`,
      { owner: ownerId },
    );
    for (const r of rows) ids.add(r.id);
  }
  const email = await db('users').where('id', ownerId).first<{ email: string } | undefined>('email');
  if (email) ids.add(email.email);
  return [...ids];
}
