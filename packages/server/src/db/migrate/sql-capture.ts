/**
 * Recording the SQL a piece of work sends, for `--sql` previews: Knex emits a `query` event for every
 * statement, with PostgreSQL's `$n` placeholders; the bindings are inlined with Knex's own escaping.
 */
import type { Knex } from '../knex.js';

interface QueryEvent {
  sql: string;
  bindings?: readonly unknown[];
}

/** `sql` with `$n` placeholders outside string literals replaced by the escaped binding values. */
export function inlineBindings(knex: Knex, sql: string, bindings: readonly unknown[] | undefined): string {
  if (!bindings?.length) return sql;
  // Split into quoted literals/identifiers (kept as they are) and code (where placeholders live).
  return sql.replace(
    /('(?:[^']|'')*'|"(?:[^"]|"")*")|\$(\d+)/g,
    (match, quoted: string | undefined, n?: string) => {
      if (quoted !== undefined || n === undefined) return match;
      const index = Number(n) - 1;
      if (index < 0 || index >= bindings.length) return match;
      return knex.raw('?', [bindings[index] as Knex.Value]).toString();
    },
  );
}

export function asStatement(sql: string): string {
  const trimmed = sql.trim();
  return trimmed.endsWith(';') ? trimmed : `${trimmed};`;
}

/** Runs `work`, calling `onStatement` with each statement it sends through `db`. */
export async function captureSql<T>(
  knex: Knex,
  db: Knex | Knex.Transaction,
  onStatement: (statement: string) => void,
  work: () => Promise<T>,
): Promise<T> {
  const listener = (event: QueryEvent) =>
    onStatement(asStatement(inlineBindings(knex, event.sql, event.bindings)));
  db.on('query', listener);
  try {
    return await work();
  } finally {
    db.removeListener('query', listener);
  }
}
