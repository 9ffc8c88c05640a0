/**
 * Plaid flows for tests: a user who links a fake institution through the procedures (as the front
 * end would after Plaid Link), a worker that runs the syncs, and readers of what the sync wrote.
 */
import { Products } from 'plaid';
import { plaidSyncAgent } from '../../src/agents/plaid-sync.js';
import type { TaskRow } from '../../src/agents/queue/store.js';
import type { Knex } from '../../src/db/knex.js';
import type { Caller } from '../harness/types.js';
import type { CreateItemOptions, FakeItem, FakePlaid } from './fake-plaid/server.js';
import { startTestWorker, type TestWorker, waitForStatus } from './tasks-factories.js';

export interface LinkedItem {
  fake: FakeItem;
  /** plaid_items.id */
  id: string;
  taskId: string;
}

/** Creates an item at the fake Plaid and exchanges its public token through plaid.exchangePublicToken. */
export async function linkItem(
  caller: Caller,
  fake: FakePlaid,
  options: CreateItemOptions = {},
): Promise<LinkedItem> {
  const item = fake.createItem({ products: [Products.Transactions], ...options });
  const { item: view, taskId } = await caller.plaid.exchangePublicToken({
    publicToken: fake.publicTokenFor(item.itemId),
  });
  return { fake: item, id: view.id, taskId };
}

/**
 * A worker running only plaid_sync, with the test queue's short retry delays but a lease long
 * enough that a loaded machine does not lose it mid-sync (tests count attempts).
 */
export function startPlaidWorker(
  db: Knex,
  overrides: Parameters<typeof startTestWorker>[1] = {},
): Promise<TestWorker> {
  return startTestWorker(db, { agents: [plaidSyncAgent], leaseMs: 20_000, heartbeatMs: 1_000, ...overrides });
}

/** Waits for the task to finish (succeeded or failed) and returns its row. */
export function finished(db: Knex, taskId: string): Promise<TaskRow> {
  return waitForStatus(db, taskId, ['succeeded', 'failed'], 30_000);
}

export interface StoredTxn {
  provider_transaction_id: string;
  type: string;
  amount: string;
  trade_date: string;
  pending: boolean;
  description: string | null;
}

/** The account's transactions, by trade date. */
export async function transactionsOf(db: Knex, accountId: string): Promise<StoredTxn[]> {
  return db('transactions')
    .select('provider_transaction_id', 'type', 'amount', 'trade_date', 'pending', 'description')
    .where({ account_id: accountId })
    .orderBy([{ column: 'trade_date' }, { column: 'created_at' }]);
}

/** Our account linked to the fake account `name` of the item. */
export async function accountFor(
  db: Knex,
  fake: FakePlaid,
  item: FakeItem,
  name: string,
): Promise<{ id: string }> {
  const plaidAccountId = fake.account(item.itemId, name).account_id;
  const row = await db('accounts').select('id').where({ plaid_account_id: plaidAccountId }).first();
  if (!row) throw new Error(`no account linked to ${name}`);
  return row as { id: string };
}
