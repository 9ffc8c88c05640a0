/**
 * Accounts as the ledger sees them: locks (an account's row, then one advisory lock per symbol
 * partition, always in a fixed order so concurrent writers never deadlock) and the per-account
 * policies the replay applies.
 */
import { type CostBasisMethod, TAX_ADVANTAGED_SUBTYPES } from '@fo/schema';
import type { Actor } from '../../actor.js';
import type { Knex } from '../../db/knex.js';
import type { AccountPolicy } from './engine/index.js';

export interface LedgerAccount {
  id: string;
  user_id: string;
  type: string;
  subtype: string | null;
  currency: string;
  tracking_mode: 'transactions' | 'holdings';
  cost_basis_method: CostBasisMethod;
  allow_short: boolean;
  closed_at: Date | null;
}

const COLUMNS =
  'id, user_id, type, subtype, currency, tracking_mode, cost_basis_method, allow_short, closed_at';

const TAX_ADVANTAGED = new Set<string>(TAX_ADVANTAGED_SUBTYPES);

export function isTaxAdvantaged(account: Pick<LedgerAccount, 'type' | 'subtype'>): boolean {
  return account.type === 'retirement' || (account.subtype !== null && TAX_ADVANTAGED.has(account.subtype));
}

export function policyOf(account: LedgerAccount): AccountPolicy {
  return {
    method: account.cost_basis_method,
    allowShort: account.allow_short,
    taxAdvantaged: isTaxAdvantaged(account),
  };
}

/**
 * Serializes writers of one user's symbol partitions (transaction-scoped advisory locks, in
 * sorted order). Replays of a partition read and rewrite rows of several accounts (transfers,
 * wash sales), so the account row lock alone is not enough.
 */
export async function lockPartitions(
  trx: Knex.Transaction,
  userId: string,
  symbols: Iterable<string>,
): Promise<void> {
  const keys = [...new Set(symbols)].sort().map((s) => `${userId}/${s}`);
  if (keys.length === 0) return;
  await trx.raw(
    'SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(?::text[]) WITH ORDINALITY AS u(k, i) ORDER BY i',
    [keys],
  );
}

/**
 * Locks the actor's accounts among `ids` (SELECT ... FOR UPDATE, in id order) and returns them; ids
 * that are not the actor's are simply absent (callers answer NOT_FOUND, naming their field).
 */
export async function lockOwnAccounts(
  trx: Knex.Transaction,
  actor: Actor,
  ids: readonly string[],
): Promise<Map<string, LedgerAccount>> {
  const unique = [...new Set(ids)].sort();
  const { rows } = await trx.raw<{ rows: LedgerAccount[] }>(
    `SELECT ${COLUMNS} FROM accounts WHERE user_id = ? AND id = ANY(?::uuid[]) ORDER BY id FOR UPDATE`,
    [actor.userId, unique],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/** Policies of the user's transaction-tracked accounts. */
export async function loadPolicies(
  db: Knex | Knex.Transaction,
  userId: string,
): Promise<Map<string, AccountPolicy>> {
  const { rows } = await db.raw<{ rows: LedgerAccount[] }>(
    `SELECT ${COLUMNS} FROM accounts WHERE user_id = ? AND tracking_mode = 'transactions'`,
    [userId],
  );
  return new Map(rows.map((r) => [r.id, policyOf(r)]));
}
