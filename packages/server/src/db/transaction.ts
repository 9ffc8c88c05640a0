import type { Knex } from './knex.js';

/** A Knex handle or an open transaction: services accept either so they compose. */
export type Db = Knex | Knex.Transaction;

/**
 * Runs `work` in a transaction: a new one, or a savepoint inside the caller's when `db` is already
 * a transaction. Everything `work` writes commits or rolls back together.
 */
export function withTransaction<T>(db: Db, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return db.transaction(work);
}

type Results<T extends readonly (() => PromiseLike<unknown>)[]> = {
  -readonly [K in keyof T]: Awaited<ReturnType<T[K]>>;
};

/**
 * Runs independent reads: side by side on a pool (each takes its own connection), one after
 * another on a transaction, whose single connection serves one query at a time anyway (pg queues
 * the rest, a practice it deprecates). Each query is a function, so none starts before its turn.
 */
export async function allQueries<const T extends readonly (() => PromiseLike<unknown>)[]>(
  db: Db,
  queries: T,
): Promise<Results<T>> {
  if (!db.isTransaction) return (await Promise.all(queries.map((q) => q()))) as Results<T>;
  const results: unknown[] = [];
  for (const query of queries) results.push(await query());
  return results as Results<T>;
}
