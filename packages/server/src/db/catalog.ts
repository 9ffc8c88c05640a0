/**
 * A comparable picture of a database's schema, read from the PostgreSQL catalogs: schemas,
 * extensions, tables and views, columns (type, nullability, default, identity), constraints,
 * indexes, triggers, functions, sequences and user-defined types. Definitions come from the
 * server's own `pg_get_*def` functions, so two databases built the same way compare equal no
 * matter their OIDs or the order things were created in.
 *
 * Used by `pnpm migrate check` (live schema vs. what the migrations produce) and by the migration
 * tests (down reverses up).
 */
import type { Db } from './transaction.js';

export interface CatalogSnapshot {
  schemas: Record<string, string>;
  extensions: Record<string, string>;
  tables: Record<string, string>;
  columns: Record<string, string>;
  constraints: Record<string, string>;
  indexes: Record<string, string>;
  triggers: Record<string, string>;
  functions: Record<string, string>;
  sequences: Record<string, string>;
  types: Record<string, string>;
}

export type CatalogSection = keyof CatalogSnapshot;

export interface SnapshotOptions {
  /** Tables of the `public` schema left out, with everything attached to them (default: the migration bookkeeping). */
  excludeTables?: readonly string[];
}

const DEFAULT_EXCLUDED = ['knex_migrations', 'knex_migrations_lock'];

// Namespaces that belong to the user; objects that are members of an extension are left out.
const USER_NAMESPACE = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;
const notExtensionMember = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${catalog}'::regclass AND e.objid = ${oid} AND e.deptype = 'e')`;

// Tables, views and the like that the snapshot covers; `excluded` is bound to the excluded table names.
const RELATIONS = `
  SELECT c.oid, n.nspname, c.relname, c.relkind, c.relrowsecurity
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE ${USER_NAMESPACE} AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
    AND NOT (n.nspname = 'public' AND c.relname = ANY(:excluded))
    AND ${notExtensionMember('pg_class', 'c.oid')}`;

const QUERIES: Record<CatalogSection, string> = {
  schemas: `SELECT n.nspname AS key, '' AS value FROM pg_namespace n WHERE ${USER_NAMESPACE}`,
  extensions: `SELECT extname AS key, '' AS value FROM pg_extension`,
  tables: `
    WITH rels AS (${RELATIONS})
    SELECT nspname || '.' || relname AS key,
      CASE relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'f' THEN 'foreign table'
        WHEN 'v' THEN 'view: ' || pg_get_viewdef(oid) WHEN 'm' THEN 'materialized view: ' || pg_get_viewdef(oid) END
      || CASE WHEN relrowsecurity THEN ' (row security)' ELSE '' END AS value
    FROM rels`,
  columns: `
    WITH rels AS (${RELATIONS})
    SELECT r.nspname || '.' || r.relname || '.' || a.attname AS key,
      format_type(a.atttypid, a.atttypmod)
      || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
      || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
      || CASE WHEN a.attgenerated <> '' THEN ' generated as ' || pg_get_expr(d.adbin, d.adrelid)
              WHEN d.adbin IS NOT NULL THEN ' default ' || pg_get_expr(d.adbin, d.adrelid) ELSE '' END
      || CASE WHEN a.attcollation <> t.typcollation THEN ' collate ' || co.collname ELSE '' END AS value
    FROM rels r
    JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
    JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    LEFT JOIN pg_collation co ON co.oid = a.attcollation`,
  constraints: `
    WITH rels AS (${RELATIONS})
    SELECT r.nspname || '.' || r.relname || '.' || con.conname AS key, pg_get_constraintdef(con.oid) AS value
    FROM rels r JOIN pg_constraint con ON con.conrelid = r.oid`,
  indexes: `
    WITH rels AS (${RELATIONS})
    SELECT r.nspname || '.' || r.relname || '.' || ic.relname AS key, pg_get_indexdef(i.indexrelid) AS value
    FROM rels r JOIN pg_index i ON i.indrelid = r.oid JOIN pg_class ic ON ic.oid = i.indexrelid`,
  triggers: `
    WITH rels AS (${RELATIONS})
    SELECT r.nspname || '.' || r.relname || '.' || tg.tgname AS key, pg_get_triggerdef(tg.oid) AS value
    FROM rels r JOIN pg_trigger tg ON tg.tgrelid = r.oid AND NOT tg.tgisinternal`,
  functions: `
    SELECT n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS key,
      CASE WHEN p.prokind = 'a' THEN 'aggregate' ELSE pg_get_functiondef(p.oid) END AS value
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE ${USER_NAMESPACE} AND ${notExtensionMember('pg_proc', 'p.oid')}`,
  sequences: `
    SELECT n.nspname || '.' || c.relname AS key,
      format_type(s.seqtypid, NULL) || ' start ' || s.seqstart || ' increment ' || s.seqincrement
      || ' min ' || s.seqmin || ' max ' || s.seqmax || CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END AS value
    FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${USER_NAMESPACE} AND ${notExtensionMember('pg_class', 'c.oid')}
      AND NOT EXISTS (
        SELECT 1 FROM pg_depend d JOIN pg_class owner ON owner.oid = d.refobjid
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass
          AND owner.relnamespace = 'public'::regnamespace AND owner.relname = ANY(:excluded))`,
  types: `
    SELECT n.nspname || '.' || t.typname AS key,
      CASE t.typtype
        WHEN 'e' THEN 'enum (' || (SELECT string_agg(quote_literal(enumlabel), ', ' ORDER BY enumsortorder)
                                   FROM pg_enum WHERE enumtypid = t.oid) || ')'
        WHEN 'd' THEN 'domain ' || format_type(t.typbasetype, t.typtypmod)
                      || CASE WHEN t.typnotnull THEN ' not null' ELSE '' END
                      || coalesce(' default ' || t.typdefault, '')
                      || coalesce((SELECT ' ' || string_agg(pg_get_constraintdef(oid), ' ' ORDER BY conname)
                                   FROM pg_constraint WHERE contypid = t.oid), '')
        WHEN 'c' THEN 'composite (' || (SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
                                        FROM pg_attribute WHERE attrelid = t.typrelid AND attnum > 0 AND NOT attisdropped) || ')'
        ELSE 'type ' || t.typtype::text END AS value
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE ${USER_NAMESPACE} AND ${notExtensionMember('pg_type', 't.oid')}
      AND (t.typtype IN ('e', 'd', 'r', 'm') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))`,
};

export const CATALOG_SECTIONS = Object.keys(QUERIES) as CatalogSection[];

function sortedRecord(rows: { key: string; value: string | null }[]): Record<string, string> {
  const entries = rows.map((r) => [r.key, r.value ?? ''] as const);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
}

export async function snapshotCatalog(db: Db, options: SnapshotOptions = {}): Promise<CatalogSnapshot> {
  const excluded = [...(options.excludeTables ?? DEFAULT_EXCLUDED)];
  const snapshot = {} as CatalogSnapshot;
  for (const section of CATALOG_SECTIONS) {
    const sql = QUERIES[section];
    const { rows } = sql.includes(':excluded')
      ? await db.raw<{ rows: { key: string; value: string | null }[] }>(sql, { excluded })
      : await db.raw<{ rows: { key: string; value: string | null }[] }>(sql);
    snapshot[section] = sortedRecord(rows);
  }
  return snapshot;
}

const LABELS: Record<CatalogSection, string> = {
  schemas: 'schema',
  extensions: 'extension',
  tables: 'table',
  columns: 'column',
  constraints: 'constraint',
  indexes: 'index',
  triggers: 'trigger',
  functions: 'function',
  sequences: 'sequence',
  types: 'type',
};

function oneLine(value: string, max = 240): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

/**
 * Human-readable differences, `expected` being the reference (what the migrations produce) and
 * `actual` the database under inspection. Empty when they match. The columns, constraints,
 * indexes and triggers of a missing or unexpected table are summed up by that table's line.
 */
export function diffCatalogs(expected: CatalogSnapshot, actual: CatalogSnapshot): string[] {
  const lines: string[] = [];
  const wholeTables = new Set<string>();
  for (const section of CATALOG_SECTIONS) {
    const label = LABELS[section];
    const want = expected[section];
    const have = actual[section];
    const keys = [...new Set([...Object.keys(want), ...Object.keys(have)])].sort();
    for (const key of keys) {
      if ([...wholeTables].some((table) => key.startsWith(`${table}.`))) continue;
      const a = want[key];
      const b = have[key];
      if (a === b) continue;
      if (b === undefined) lines.push(`missing ${label} ${key}${a ? `: ${oneLine(a)}` : ''}`);
      else if (a === undefined) lines.push(`unexpected ${label} ${key}${b ? `: ${oneLine(b)}` : ''}`);
      else lines.push(`${label} ${key} differs:\n    expected: ${oneLine(a)}\n    found:    ${oneLine(b)}`);
      if (section === 'tables' && (a === undefined || b === undefined)) wholeTables.add(key);
    }
  }
  return lines;
}
