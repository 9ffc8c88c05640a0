/**
 * Keyset pagination. A cursor is opaque to clients: base64url of the sort it belongs to, the last
 * row's sort value (exactly as PostgreSQL rendered it, so timestamps keep their microseconds) and
 * its id. A cursor from another sort, or a mangled one, is a BAD_REQUEST on `cursor`.
 */
import type { Knex } from '../db/knex.js';
import { ValidationError } from './errors.js';

export interface KeysetCursor {
  sort: string;
  value: string;
  id: string;
}

export function encodeCursor(cursor: KeysetCursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.value, cursor.id]), 'utf8').toString('base64url');
}

export function decodeCursor(raw: string, sort: string): KeysetCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new ValidationError(['cursor'], 'Invalid cursor');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    !parsed.every((p) => typeof p === 'string') ||
    !/^[0-9a-f-]{36}$/i.test(parsed[2] as string)
  ) {
    throw new ValidationError(['cursor'], 'Invalid cursor');
  }
  const [cursorSort, value, id] = parsed as [string, string, string];
  if (cursorSort !== sort) {
    throw new ValidationError(['cursor'], `This cursor belongs to a listing sorted by ${cursorSort}`);
  }
  return { sort, value, id };
}

export interface KeysetSpec {
  /** Name recorded in the cursor (sort key plus direction). */
  sort: string;
  /** Qualified column to order by, e.g. `accounts.created_at`. */
  column: string;
  /** Qualified id column, the tie-breaker. */
  idColumn: string;
  /** SQL type the cursor value is cast to, e.g. `timestamptz`, `text`, `date`. */
  cast: string;
  direction: 'asc' | 'desc';
}

/** Applies order, limit + 1 and the keyset condition; also selects the sort value as `_cursor`. */
export function applyKeyset<QB extends Knex.QueryBuilder>(
  query: QB,
  spec: KeysetSpec,
  limit: number,
  cursor: string | undefined,
): QB {
  const op = spec.direction === 'asc' ? '>' : '<';
  query.select(query.client.raw(`??::text AS _cursor`, [spec.column]));
  if (cursor) {
    const c = decodeCursor(cursor, spec.sort);
    query.whereRaw(`(??, ??) ${op} (?::${spec.cast}, ?::uuid)`, [spec.column, spec.idColumn, c.value, c.id]);
  }
  query.orderBy([
    { column: spec.column, order: spec.direction },
    { column: spec.idColumn, order: spec.direction },
  ]);
  query.limit(limit + 1);
  return query;
}

/** Splits the limit + 1 rows into a page and the next cursor. */
export function toPage<Row extends { _cursor: string; id: string }, Item>(
  rows: Row[],
  spec: KeysetSpec,
  limit: number,
  map: (row: Row) => Item,
): { items: Item[]; nextCursor: string | null } {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  return {
    items: pageRows.map(map),
    nextCursor: hasMore && last ? encodeCursor({ sort: spec.sort, value: last._cursor, id: last.id }) : null,
  };
}
