import type { Actor } from '../actor.js';
import type { Db } from '../db/transaction.js';

/** What every user-facing service function receives: the database (or an open transaction) and who acts. */
export interface ServiceContext {
  db: Db;
  actor: Actor;
}
