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
