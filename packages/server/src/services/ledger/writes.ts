/**
 * Writing the ledger: create (one row or many), import, update, delete. Each write runs in one
 * database transaction (the caller's, when it passes one) and, in that transaction:
 *   1. locks the accounts involved (FOR UPDATE) and the symbol partitions (advisory locks);
 *   2. reads each affected partition's state as of the earliest affected trade date;
 *   3. changes the transactions and moves the accounts' cash by the difference in cash effect;
 *   4. replays the partitions from that date and stores lots, allocations, gains and holdings;
 *   5. refreshes the user's cached net worth.
 * Creates replay before step 3, over the stored rows and the new ones, so each new row is inserted
 * once with its realized gain and basis rather than inserted and then updated.
 * Anything refused (bad fields, an oversell, a lot that is not open) changes nothing.
 */

import type { zTransactionImportInput, zTransactionUpdateInput } from '@fo/schema';
import { Decimal } from '@fo/schema';
import type { z } from 'zod';
import type { Actor } from '../../actor.js';
import type { Knex } from '../../db/knex.js';
import { type Db, withTransaction } from '../../db/transaction.js';
import { newId } from '../../models/index.js';
import { recordAuditEvent } from '../audit.js';
import type { ServiceContext } from '../context.js';
import { ConflictError, DomainError, NotFoundError, ValidationError } from '../errors.js';
import { refreshNetWorth } from '../portfolio/refresh.js';
import { type LedgerAccount, lockOwnAccounts, lockPartitions } from './accounts.js';
import type { EventRow } from './codec.js';
import {
  cashEffectOf,
  type FieldIssue,
  type NormalTx,
  normalize,
  storedAmount,
  storedQuantity,
  type TransactionFieldsInput,
  validate,
  wireField,
} from './fields.js';
import {
  type Cell,
  type ComputedReplay,
  columns,
  computeReplay,
  type PartitionStart,
  prepareReplay,
  type RowOutcome,
  runReplay,
} from './replay.js';
import {
  TRANSACTION_COLUMNS,
  type TransactionRow,
  type TransactionView,
  toTransactionView,
} from './views.js';

/** A row for createTransactions: the wire fields, plus what sync jobs add. */
export interface LedgerRowInput extends TransactionFieldsInput {
  /** The data provider's id (Plaid), unique per account: a second write of it is a duplicate. */
  providerTransactionId?: string | undefined;
  pending?: boolean | undefined;
}

export interface RowIssue {
  /** 0-based index in the rows written. */
  index: number;
  field: string | null;
  message: string;
}

export interface CreateOptions {
  /** Rows whose externalId (or providerTransactionId) the account already has are skipped, not refused. Default true. */
  skipDuplicates?: boolean;
}

export interface CreateResult {
  /** Ids of the rows written, by input index (null for skipped duplicates). */
  ids: (string | null)[];
  /** For transfers, the id of the other account's side, by input index. */
  counterpartIds: (string | null)[];
  created: number;
  skippedDuplicates: number;
}

/** Thrown inside a batch to roll its savepoint back with the issues it found. */
class BatchIssues extends Error {
  constructor(readonly issues: RowIssue[]) {
    super('batch refused');
  }
}

/** Rows whose replay touches lots; cash-only rows never need one. */
function affectsLots(tx: Pick<NormalTx, 'type' | 'symbol' | 'reinvested'>): boolean {
  if (!tx.symbol) return false;
  switch (tx.type) {
    case 'buy':
    case 'sell':
    case 'split':
    case 'return_of_capital':
    case 'transfer_in':
    case 'transfer_out':
      return true;
    case 'dividend':
      return tx.reinvested;
    default:
      return false;
  }
}

const SIDE: Record<string, 'transfer_in' | 'transfer_out'> = {
  transfer_in: 'transfer_out',
  transfer_out: 'transfer_in',
};

interface PlannedRow {
  index: number;
  id: string;
  accountId: string;
  tx: NormalTx;
  transferId: string | null;
  counterpartAccountId: string | null;
  providerTransactionId: string | null;
  pending: boolean;
}

/** The other account's side of a transfer: mirrored type, cash negated, no broker ids. */
function mirror(row: PlannedRow, account: LedgerAccount): PlannedRow {
  const tx = row.tx;
  return {
    index: row.index,
    id: newId(),
    accountId: row.counterpartAccountId as string,
    transferId: row.transferId,
    counterpartAccountId: row.accountId,
    providerTransactionId: null,
    pending: row.pending,
    tx: {
      ...tx,
      type: SIDE[tx.type] as NormalTx['type'],
      amount: tx.amount ? tx.amount.negated() : null,
      currency: tx.currency ?? account.currency,
      lots: null,
      externalId: null,
    },
  };
}

/** The row as the replay reads it from the table, with the seq it will be inserted with. */
function eventRowOf(row: PlannedRow, seq: number): EventRow {
  const tx = row.tx;
  return {
    id: row.id,
    account_id: row.accountId,
    symbol: tx.symbol as string,
    type: tx.type,
    trade_date: tx.tradeDate,
    seq,
    quantity: storedQuantity(tx)?.toFixed() ?? null,
    price: tx.price?.toFixed() ?? null,
    fees: tx.fees.toFixed(),
    amount: storedAmount(tx)?.toFixed() ?? null,
    split_to: tx.splitTo?.toFixed() ?? null,
    split_from: tx.splitFrom?.toFixed() ?? null,
    reinvested: tx.reinvested,
    counterpart_account_id: row.counterpartAccountId,
    transfer_id: row.transferId,
    lot_selection: tx.lots?.map((l) => ({ lotId: l.lotId, quantity: l.quantity.toFixed() })) ?? null,
    realized_gain: null,
    cost_basis: null,
    wash_sale_disallowed: '0',
  };
}

/** `n` values of transactions.seq, in increasing order (identity values are never reused). */
async function nextSeqs(trx: Knex.Transaction, n: number): Promise<number[]> {
  const { rows } = await trx.raw<{ rows: { seq: string | number }[] }>(
    `SELECT nextval(pg_get_serial_sequence('transactions', 'seq')) AS seq FROM generate_series(1, ?::int)`,
    [n],
  );
  return rows.map((r) => Number(r.seq)).sort((a, b) => a - b);
}

function insertCells(
  row: PlannedRow,
  userId: string,
  assetId: string | null,
  seq: number,
  outcome: RowOutcome | undefined,
): Cell[] {
  const tx = row.tx;
  return [
    row.id,
    row.accountId,
    userId,
    assetId,
    tx.type,
    tx.symbol,
    tx.tradeDate,
    tx.settleDate,
    storedQuantity(tx)?.toFixed() ?? null,
    tx.price?.toFixed() ?? null,
    storedAmount(tx)?.toFixed() ?? null,
    tx.fees.toFixed(),
    tx.currency,
    tx.splitTo?.toFixed() ?? null,
    tx.splitFrom?.toFixed() ?? null,
    tx.reinvested,
    row.transferId,
    row.counterpartAccountId,
    cashEffectOf(tx),
    tx.lots ? JSON.stringify(tx.lots.map((l) => ({ lotId: l.lotId, quantity: l.quantity.toFixed() }))) : null,
    tx.externalId,
    tx.description,
    row.providerTransactionId,
    row.pending,
    seq,
    outcome?.realizedGain ?? null,
    outcome?.costBasis ?? null,
    outcome?.washSaleDisallowed ?? '0',
  ];
}

async function ensureAssets(
  trx: Knex.Transaction,
  userId: string,
  pairs: { accountId: string; symbol: string }[],
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (pairs.length === 0) return ids;
  const unique = [...new Map(pairs.map((p) => [`${p.accountId}/${p.symbol}`, p])).values()];
  const params = [unique.map((p) => p.accountId), unique.map((p) => p.symbol)];
  await trx.raw(
    `INSERT INTO assets (id, account_id, user_id, symbol, currency)
     SELECT gen_random_uuid(), u.account_id, ?::uuid, u.symbol, acc.currency
       FROM unnest(?::uuid[], ?::text[]) AS u(account_id, symbol)
       JOIN accounts acc ON acc.id = u.account_id
     ON CONFLICT (account_id, symbol) DO NOTHING`,
    [userId, ...params],
  );
  const { rows } = await trx.raw<{ rows: { id: string; account_id: string; symbol: string }[] }>(
    `SELECT a.id, a.account_id, a.symbol FROM assets a
       JOIN unnest(?::uuid[], ?::text[]) AS u(account_id, symbol) ON a.account_id = u.account_id AND a.symbol = u.symbol`,
    params,
  );
  for (const r of rows) ids.set(`${r.account_id}/${r.symbol}`, r.id);
  return ids;
}

async function insertRows(
  trx: Knex.Transaction,
  userId: string,
  rows: PlannedRow[],
  accounts: Map<string, LedgerAccount>,
  seqs: readonly number[],
  outcomes: ReadonlyMap<string, RowOutcome>,
) {
  const tracked = rows.filter(
    (r) => r.tx.symbol && accounts.get(r.accountId)?.tracking_mode === 'transactions',
  );
  const assets = await ensureAssets(
    trx,
    userId,
    tracked.map((r) => ({ accountId: r.accountId, symbol: r.tx.symbol as string })),
  );
  const cells = rows.map((r, i) =>
    insertCells(
      r,
      userId,
      r.tx.symbol ? (assets.get(`${r.accountId}/${r.tx.symbol}`) ?? null) : null,
      seqs[i] as number,
      outcomes.get(r.id),
    ),
  );
  await trx.raw(
    `INSERT INTO transactions (id, account_id, user_id, asset_id, type, symbol, trade_date, settle_date, quantity,
        price, amount, fees, currency, split_to, split_from, reinvested, transfer_id, counterpart_account_id,
        cash_effect, lot_selection, external_id, description, provider_transaction_id, pending, seq, realized_gain,
        cost_basis, wash_sale_disallowed, created_at, updated_at)
     OVERRIDING SYSTEM VALUE
     SELECT u.id, u.account_id, u.user_id, u.asset_id, u.type, u.symbol, u.trade_date, u.settle_date, u.quantity,
            u.price, u.amount, u.fees, u.currency, u.split_to, u.split_from, u.reinvested, u.transfer_id,
            u.counterpart_account_id, u.cash_effect, u.lot_selection::jsonb, u.external_id, u.description,
            u.provider_id, u.pending, u.seq, u.realized_gain, u.cost_basis, u.wash,
            now() + u.n * interval '1 microsecond', now() + u.n * interval '1 microsecond'
       FROM unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::date[], ?::date[],
                   ?::numeric[], ?::numeric[], ?::numeric[], ?::numeric[], ?::text[], ?::numeric[], ?::numeric[],
                   ?::boolean[], ?::uuid[], ?::uuid[], ?::numeric[], ?::text[], ?::text[], ?::text[], ?::text[],
                   ?::boolean[], ?::bigint[], ?::numeric[], ?::numeric[], ?::numeric[])
            WITH ORDINALITY
         AS u(id, account_id, user_id, asset_id, type, symbol, trade_date, settle_date, quantity, price, amount, fees,
              currency, split_to, split_from, reinvested, transfer_id, counterpart_account_id, cash_effect,
              lot_selection, external_id, description, provider_id, pending, seq, realized_gain, cost_basis, wash, n)
      ORDER BY u.n`,
    columns(cells, 28),
  );
}

/** Moves each transaction-tracked account's cash by the sum of the cash effects given. */
async function moveCash(
  trx: Knex.Transaction,
  deltas: Map<string, Decimal>,
  accounts: Map<string, LedgerAccount>,
) {
  const rows = [...deltas].filter(
    ([id, d]) => !d.isZero() && accounts.get(id)?.tracking_mode === 'transactions',
  );
  if (rows.length === 0) return;
  await trx.raw(
    `UPDATE accounts a SET cash_balance = a.cash_balance + u.delta
       FROM unnest(?::uuid[], ?::numeric[]) AS u(id, delta) WHERE a.id = u.id`,
    [rows.map(([id]) => id), rows.map(([, d]) => d.toFixed())],
  );
}

function addDelta(deltas: Map<string, Decimal>, accountId: string, value: Decimal.Value) {
  deltas.set(accountId, (deltas.get(accountId) ?? new Decimal(0)).add(value));
}

function startsOf(
  rows: readonly { accountId: string; tx: NormalTx }[],
  accounts: Map<string, LedgerAccount>,
) {
  const starts: PartitionStart[] = [];
  for (const r of rows) {
    if (affectsLots(r.tx) && accounts.get(r.accountId)?.tracking_mode === 'transactions') {
      starts.push({ symbol: r.tx.symbol as string, from: r.tx.tradeDate });
    }
  }
  return starts;
}

/** A refusal from the replay, pinned to the input row whose transaction caused it. */
function replayIssue(err: unknown, indexOf: Map<string, number>): RowIssue | null {
  if (!(err instanceof DomainError)) return null;
  const txId = (err as { txId?: unknown }).txId;
  if (typeof txId !== 'string') return null;
  const index = indexOf.get(txId);
  if (index === undefined) {
    // A later transaction the new rows would break (e.g. a sell that no longer has the shares).
    return { index: -1, field: err.field ?? null, message: err.message };
  }
  return { index, field: err.field ?? null, message: err.message };
}

/**
 * Validates and writes rows into one account, inside `trx`. Duplicates (externalId or provider id
 * already in the account, or repeated in `inputs`) are skipped. In `collect` mode problems come
 * back as issues (and nothing is written); otherwise the first one is thrown.
 */
async function writeBatch(
  trx: Knex.Transaction,
  actor: Actor,
  accountId: string,
  inputs: readonly LedgerRowInput[],
  mode: 'collect' | 'throw',
): Promise<CreateResult & { issues: RowIssue[] }> {
  const counterpartIds = inputs.map((r) => r.counterpartAccountId).filter((id): id is string => !!id);
  const accounts = await lockOwnAccounts(trx, actor, [accountId, ...counterpartIds]);
  const account = accounts.get(accountId);
  if (!account) throw new NotFoundError('Account', accountId, 'accountId');
  if (account.closed_at) throw new ValidationError(['accountId'], 'The account is closed; reopen it first');

  const issues: RowIssue[] = [];
  const fail = (index: number, issue: FieldIssue) => {
    const field = wireField(issue.field);
    if (mode === 'throw') {
      throw inputs.length === 1
        ? new ValidationError([field], issue.message)
        : new ValidationError([index, field], issue.message);
    }
    issues.push({ index, field, message: issue.message });
  };

  const planned: PlannedRow[] = [];
  inputs.forEach((input, index) => {
    const tx = normalize(input, account);
    const found = validate(tx, account);
    for (const issue of found) fail(index, issue);
    if (found.length) return;
    let counterpart: LedgerAccount | undefined;
    if (tx.counterpartAccountId) {
      counterpart = accounts.get(tx.counterpartAccountId);
      if (!counterpart) {
        if (mode === 'throw')
          throw new NotFoundError('Account', tx.counterpartAccountId, 'counterpartAccountId');
        fail(index, { field: 'counterpartAccountId', message: 'Account not found' });
        return;
      }
      if (counterpart.closed_at) {
        fail(index, {
          field: 'counterpartAccountId',
          message: 'The other account is closed; reopen it first',
        });
        return;
      }
      if (
        tx.symbol &&
        (counterpart.tracking_mode !== 'transactions' || account.tracking_mode !== 'transactions')
      ) {
        fail(index, {
          field: 'counterpartAccountId',
          message: 'shares move only between accounts that track transactions',
        });
        return;
      }
    }
    planned.push({
      index,
      id: newId(),
      accountId,
      tx,
      transferId: counterpart ? newId() : null,
      counterpartAccountId: counterpart?.id ?? null,
      providerTransactionId: input.providerTransactionId ?? null,
      pending: input.pending ?? false,
    });
  });

  // Duplicates: already in the account, or earlier in this batch.
  const externalIds = planned.map((r) => r.tx.externalId).filter((id): id is string => !!id);
  const providerIds = planned.map((r) => r.providerTransactionId).filter((id): id is string => !!id);
  const existing = new Set<string>();
  if (externalIds.length || providerIds.length) {
    const { rows } = await trx.raw<{
      rows: { external_id: string | null; provider_transaction_id: string | null }[];
    }>(
      `SELECT external_id, provider_transaction_id FROM transactions
        WHERE account_id = ? AND (external_id = ANY(?::text[]) OR provider_transaction_id = ANY(?::text[]))`,
      [accountId, externalIds, providerIds],
    );
    for (const r of rows) {
      if (r.external_id) existing.add(`e:${r.external_id}`);
      if (r.provider_transaction_id) existing.add(`p:${r.provider_transaction_id}`);
    }
  }
  const ids: (string | null)[] = inputs.map(() => null);
  const sideIds: (string | null)[] = inputs.map(() => null);
  const fresh: PlannedRow[] = [];
  let skippedDuplicates = 0;
  for (const row of planned) {
    const keys = [
      row.tx.externalId ? `e:${row.tx.externalId}` : null,
      row.providerTransactionId ? `p:${row.providerTransactionId}` : null,
    ].filter((k): k is string => k !== null);
    if (keys.some((k) => existing.has(k))) {
      skippedDuplicates += 1;
      continue;
    }
    for (const k of keys) existing.add(k);
    fresh.push(row);
  }
  if (issues.length) return { ids, counterpartIds: sideIds, created: 0, skippedDuplicates, issues };

  const all: PlannedRow[] = [];
  for (const row of fresh) {
    all.push(row);
    ids[row.index] = row.id;
    if (row.counterpartAccountId) {
      const side = mirror(row, accounts.get(row.counterpartAccountId) as LedgerAccount);
      all.push(side);
      sideIds[row.index] = side.id;
    }
  }
  if (all.length === 0) return { ids, counterpartIds: sideIds, created: 0, skippedDuplicates, issues };

  const starts = startsOf(all, accounts);
  await lockPartitions(
    trx,
    actor.userId,
    starts.map((s) => s.symbol),
  );
  const prepared = await prepareReplay(trx, actor.userId, starts);
  const seqs = await nextSeqs(trx, all.length);
  const newRows = all.flatMap((r, i) =>
    affectsLots(r.tx) && accounts.get(r.accountId)?.tracking_mode === 'transactions'
      ? [eventRowOf(r, seqs[i] as number)]
      : [],
  );
  let replay: ComputedReplay;
  try {
    replay = await computeReplay(trx, prepared, newRows);
  } catch (err) {
    const indexOf = new Map(all.map((r) => [r.id, r.index]));
    const issue = replayIssue(err, indexOf);
    if (mode === 'collect' && issue) {
      return { ids, counterpartIds: sideIds, created: 0, skippedDuplicates, issues: [issue] };
    }
    if (issue && issue.index >= 0 && inputs.length > 1 && err instanceof ValidationError) {
      throw new ValidationError(
        [issue.index, ...(err.issues[0]?.path ?? [])],
        err.issues[0]?.message ?? err.message,
      );
    }
    throw err;
  }
  await insertRows(trx, actor.userId, all, accounts, seqs, replay.outcomes);
  const deltas = new Map<string, Decimal>();
  for (const r of all) addDelta(deltas, r.accountId, cashEffectOf(r.tx));
  await moveCash(trx, deltas, accounts);
  await replay.write();
  return { ids, counterpartIds: sideIds, created: fresh.length, skippedDuplicates, issues };
}

/**
 * Writes transactions into one of the actor's accounts — the service the API, imports and sync
 * jobs share. Runs in `ctx.db`'s transaction when it is one (a savepoint), else in its own.
 * Throws on the first problem, naming the field (and the row index when there are several rows).
 */
export async function createTransactions(
  ctx: ServiceContext,
  accountId: string,
  rows: readonly LedgerRowInput[],
  options: CreateOptions = {},
): Promise<CreateResult> {
  return withTransaction(ctx.db, async (trx) => {
    const result = await writeBatch(trx, ctx.actor, accountId, rows, 'throw');
    if (options.skipDuplicates === false && result.skippedDuplicates > 0) {
      throw new ConflictError(
        'A transaction with this externalId already exists in the account',
        'externalId',
        'UNIQUE_VIOLATION',
      );
    }
    if (result.created > 0) await refreshNetWorth(trx, ctx.actor.userId);
    return {
      ids: result.ids,
      counterpartIds: result.counterpartIds,
      created: result.created,
      skippedDuplicates: result.skippedDuplicates,
    };
  });
}

async function loadRows(
  db: Db,
  userId: string,
  ids: readonly string[],
): Promise<Map<string, TransactionRow>> {
  if (ids.length === 0) return new Map();
  const rows = (await (db as Knex)('transactions')
    .select(TRANSACTION_COLUMNS)
    .where('user_id', userId)
    .whereIn('id', ids)) as TransactionRow[];
  return new Map(rows.map((r) => [r.id, r]));
}

/** transactions.create: one transaction (and, for a transfer, the other account's side). */
export async function createTransaction(
  ctx: ServiceContext,
  input: TransactionFieldsInput & { accountId: string },
): Promise<TransactionView & { counterpart: TransactionView | null }> {
  return withTransaction(ctx.db, async (trx) => {
    const { accountId, ...fields } = input;
    const result = await createTransactions({ db: trx, actor: ctx.actor }, accountId, [fields], {
      skipDuplicates: false,
    });
    const id = result.ids[0] as string;
    const sideId = result.counterpartIds[0] ?? null;
    const rows = await loadRows(trx, ctx.actor.userId, sideId ? [id, sideId] : [id]);
    const side = sideId ? rows.get(sideId) : undefined;
    return {
      ...toTransactionView(rows.get(id) as TransactionRow),
      counterpart: side ? toTransactionView(side) : null,
    };
  });
}

// ── import ───────────────────────────────────────────────────────────────────────────────────────

type ImportInput = z.output<typeof zTransactionImportInput>;

class DryRunRollback extends Error {}

/**
 * transactions.import: all or nothing. Duplicates (by externalId) are skipped and counted; any
 * other problem is reported by row and nothing is written. A dry run does all of it — including
 * the replay that finds oversells — and rolls back.
 */
export async function importTransactions(ctx: ServiceContext, input: ImportInput) {
  let outcome: { created: number; skippedDuplicates: number; issues: RowIssue[] } | undefined;
  try {
    await withTransaction(ctx.db, async (trx) => {
      try {
        outcome = await trx.transaction(async (sp) => {
          const r = await writeBatch(sp, ctx.actor, input.accountId, input.rows, 'collect');
          if (r.issues.length) throw new BatchIssues(r.issues);
          if (!input.dryRun && r.created > 0) await refreshNetWorth(sp, ctx.actor.userId);
          if (input.dryRun) {
            outcome = { created: r.created, skippedDuplicates: r.skippedDuplicates, issues: [] };
            throw new DryRunRollback();
          }
          return { created: r.created, skippedDuplicates: r.skippedDuplicates, issues: [] };
        });
      } catch (err) {
        if (err instanceof BatchIssues) {
          outcome = { created: 0, skippedDuplicates: 0, issues: err.issues };
          return;
        }
        throw err;
      }
    });
  } catch (err) {
    if (!(err instanceof DryRunRollback)) throw err;
  }
  const result = outcome ?? { created: 0, skippedDuplicates: 0, issues: [] };
  const committed = !input.dryRun && result.issues.length === 0;
  return {
    dryRun: input.dryRun,
    committed,
    created: result.issues.length ? 0 : result.created,
    skippedDuplicates: result.skippedDuplicates,
    errors: result.issues.map((i) => ({ row: i.index + 1, field: i.field, message: i.message })),
  };
}

// ── update and delete ────────────────────────────────────────────────────────────────────────────

type UpdateInput = z.output<typeof zTransactionUpdateInput>;

function toNormal(row: TransactionRow): NormalTx {
  const d = (v: string | null) => (v === null ? null : new Decimal(v));
  const security = row.type === 'buy' || row.type === 'sell';
  return {
    type: row.type,
    symbol: row.symbol,
    tradeDate: row.trade_date,
    settleDate: row.settle_date,
    quantity: row.type === 'split' ? null : d(row.quantity),
    price: d(row.price),
    // Buys and sells store the cash they moved even when it was not given; keep it only if it
    // differs from what quantity × price ∓ fees gives (an explicit amount).
    amount: security ? null : d(row.amount),
    fees: new Decimal(row.fees),
    currency: row.currency,
    splitTo: d(row.split_to),
    splitFrom: d(row.split_from),
    reinvested: row.reinvested,
    counterpartAccountId: row.counterpart_account_id,
    lots: row.lot_selection?.map((l) => ({ lotId: l.lotId, quantity: new Decimal(l.quantity) })) ?? null,
    externalId: row.external_id,
    description: row.description,
  };
}

function withStoredAmount(row: TransactionRow, tx: NormalTx): NormalTx {
  if ((row.type === 'buy' || row.type === 'sell') && row.amount !== null) {
    const implied = storedAmount({ ...tx, amount: null });
    if (!implied?.eq(row.amount)) return { ...tx, amount: new Decimal(row.amount) };
  }
  return tx;
}

interface Locked {
  row: TransactionRow;
  side: TransactionRow | null;
  accounts: Map<string, LedgerAccount>;
}

/** Finds the actor's transaction, locks its account(s), and reads it (and its transfer side) again under the lock. */
async function lockTransaction(trx: Knex.Transaction, actor: Actor, id: string): Promise<Locked> {
  const first = (await trx('transactions')
    .select('account_id', 'counterpart_account_id')
    .where({ id, user_id: actor.userId })
    .first()) as { account_id: string; counterpart_account_id: string | null } | undefined;
  if (!first) throw new NotFoundError('Transaction', id, 'id');
  const accounts = await lockOwnAccounts(
    trx,
    actor,
    [first.account_id, first.counterpart_account_id].filter((x): x is string => !!x),
  );
  const row = (await trx('transactions')
    .select(TRANSACTION_COLUMNS)
    .where({ id, user_id: actor.userId })
    .first()) as TransactionRow | undefined;
  if (!row) throw new NotFoundError('Transaction', id, 'id');
  let side: TransactionRow | null = null;
  if (row.transfer_id) {
    side =
      ((await trx('transactions')
        .select(TRANSACTION_COLUMNS)
        .where({ transfer_id: row.transfer_id, user_id: actor.userId })
        .whereNot('id', row.id)
        .first()) as TransactionRow | undefined) ?? null;
  }
  return { row, side, accounts };
}

function assertEditable(locked: Locked, allowReconciled: boolean, action: string): boolean {
  const reconciled = locked.row.reconciled || !!locked.side?.reconciled;
  if (reconciled && !allowReconciled) {
    throw new ConflictError(
      `Transaction ${locked.row.id} is reconciled against a statement: pass allowReconciled: true to ${action} it (the change is audited)`,
      'allowReconciled',
    );
  }
  return reconciled;
}

function auditView(row: TransactionRow) {
  const n = (v: string | null) => (v === null ? null : new Decimal(v).toFixed());
  return {
    type: row.type,
    symbol: row.symbol,
    tradeDate: row.trade_date,
    quantity: n(row.quantity),
    price: n(row.price),
    amount: n(row.amount),
    fees: n(row.fees),
    reconciliationId: row.reconciliation_id,
  };
}

export async function updateTransaction(ctx: ServiceContext, input: UpdateInput): Promise<TransactionView> {
  return withTransaction(ctx.db, async (trx) => {
    const locked = await lockTransaction(trx, ctx.actor, input.id);
    const { row, side, accounts } = locked;
    const reconciled = assertEditable(locked, input.allowReconciled, 'change');
    const account = accounts.get(row.account_id) as LedgerAccount;

    const before = withStoredAmount(row, toNormal(row));
    const next: NormalTx = { ...before };
    if (input.type !== undefined) next.type = input.type;
    if (input.symbol !== undefined) next.symbol = input.symbol;
    if (input.tradeDate !== undefined) next.tradeDate = input.tradeDate;
    if (input.settleDate !== undefined) next.settleDate = input.settleDate;
    if (input.quantity !== undefined) next.quantity = input.quantity;
    if (input.price !== undefined) next.price = input.price;
    if (input.amount !== undefined) next.amount = input.amount;
    if (input.fees !== undefined) next.fees = input.fees;
    if (input.currency !== undefined) next.currency = input.currency;
    if (input.splitRatio !== undefined) {
      next.splitTo = input.splitRatio?.to ?? null;
      next.splitFrom = input.splitRatio?.from ?? null;
    }
    if (input.reinvested !== undefined) next.reinvested = input.reinvested;
    if (input.lots !== undefined) next.lots = input.lots;
    if (input.externalId !== undefined) next.externalId = input.externalId;
    if (input.description !== undefined) next.description = input.description;
    const wasTransfer = row.transfer_id !== null;
    const isTransfer = next.type === 'transfer_in' || next.type === 'transfer_out';
    if (next.type !== before.type && (wasTransfer || isTransfer)) {
      throw new ValidationError(
        ['type'],
        'A transfer keeps its type; delete it and create another transaction',
      );
    }
    const issues = validate(next, account);
    if (issues[0]) throw new ValidationError([wireField(issues[0].field)], issues[0].message);

    const rows = [
      { accountId: row.account_id, tx: before },
      { accountId: row.account_id, tx: next },
    ];
    const sideBefore = side ? toNormal(side) : null;
    const sideNext: NormalTx | null =
      side && sideBefore
        ? {
            ...sideBefore,
            symbol: next.symbol,
            tradeDate: next.tradeDate,
            settleDate: next.settleDate,
            quantity: next.quantity,
            amount: next.amount ? next.amount.negated() : null,
            currency: next.currency,
            description: next.description,
          }
        : null;
    if (side && sideBefore && sideNext) {
      rows.push({ accountId: side.account_id, tx: sideBefore }, { accountId: side.account_id, tx: sideNext });
    }
    const starts = startsOf(rows, accounts);
    await lockPartitions(
      trx,
      ctx.actor.userId,
      starts.map((s) => s.symbol),
    );
    const prepared = await prepareReplay(trx, ctx.actor.userId, starts);

    const assets = await ensureAssets(
      trx,
      ctx.actor.userId,
      [
        { accountId: row.account_id, tx: next },
        ...(side && sideNext ? [{ accountId: side.account_id, tx: sideNext }] : []),
      ]
        .filter((r) => r.tx.symbol && accounts.get(r.accountId)?.tracking_mode === 'transactions')
        .map((r) => ({ accountId: r.accountId, symbol: r.tx.symbol as string })),
    );
    const write = async (target: TransactionRow, tx: NormalTx) => {
      await trx('transactions')
        .where('id', target.id)
        .update({
          type: tx.type,
          symbol: tx.symbol,
          asset_id: tx.symbol ? (assets.get(`${target.account_id}/${tx.symbol}`) ?? null) : null,
          trade_date: tx.tradeDate,
          settle_date: tx.settleDate,
          quantity: storedQuantity(tx)?.toFixed() ?? null,
          price: tx.price?.toFixed() ?? null,
          amount: storedAmount(tx)?.toFixed() ?? null,
          fees: tx.fees.toFixed(),
          currency: tx.currency,
          split_to: tx.splitTo?.toFixed() ?? null,
          split_from: tx.splitFrom?.toFixed() ?? null,
          reinvested: tx.reinvested,
          cash_effect: cashEffectOf(tx),
          lot_selection: tx.lots
            ? JSON.stringify(tx.lots.map((l) => ({ lotId: l.lotId, quantity: l.quantity.toFixed() })))
            : null,
          external_id: tx.externalId,
          description: tx.description,
          // The replay rewrites these for rows that touch lots; others have none.
          ...(affectsLots(tx) ? {} : { realized_gain: null, cost_basis: null, wash_sale_disallowed: '0' }),
          updated_at: trx.fn.now(),
        });
    };
    await write(row, next);
    const deltas = new Map<string, Decimal>();
    addDelta(deltas, row.account_id, new Decimal(cashEffectOf(next)).sub(row.cash_effect));
    if (side && sideNext) {
      await write(side, sideNext);
      addDelta(deltas, side.account_id, new Decimal(cashEffectOf(sideNext)).sub(side.cash_effect));
    }
    await moveCash(trx, deltas, accounts);
    await runReplay(trx, prepared);
    if (reconciled) {
      const after = (await loadRows(trx, ctx.actor.userId, [row.id])).get(row.id) as TransactionRow;
      await recordAuditEvent(trx, {
        userId: ctx.actor.userId,
        event: 'reconciled_transaction_updated',
        actor: ctx.actor,
        details: {
          transactionId: row.id,
          accountId: row.account_id,
          before: auditView(row),
          after: auditView(after),
        },
      });
    }
    await refreshNetWorth(trx, ctx.actor.userId);
    return toTransactionView((await loadRows(trx, ctx.actor.userId, [row.id])).get(row.id) as TransactionRow);
  });
}

export async function deleteTransaction(
  ctx: ServiceContext,
  input: { id: string; allowReconciled: boolean },
): Promise<{ id: string; counterpartId: string | null }> {
  return withTransaction(ctx.db, async (trx) => {
    const locked = await lockTransaction(trx, ctx.actor, input.id);
    const { row, side, accounts } = locked;
    const reconciled = assertEditable(locked, input.allowReconciled, 'delete');
    const targets = side ? [row, side] : [row];
    const starts = startsOf(
      targets.map((t) => ({ accountId: t.account_id, tx: toNormal(t) })),
      accounts,
    );
    await lockPartitions(
      trx,
      ctx.actor.userId,
      starts.map((s) => s.symbol),
    );
    const prepared = await prepareReplay(trx, ctx.actor.userId, starts);
    await trx('transactions')
      .whereIn(
        'id',
        targets.map((t) => t.id),
      )
      .delete();
    const deltas = new Map<string, Decimal>();
    for (const t of targets) addDelta(deltas, t.account_id, new Decimal(t.cash_effect).negated());
    await moveCash(trx, deltas, accounts);
    await runReplay(trx, prepared);
    if (reconciled) {
      await recordAuditEvent(trx, {
        userId: ctx.actor.userId,
        event: 'reconciled_transaction_deleted',
        actor: ctx.actor,
        details: { transactionId: row.id, accountId: row.account_id, before: auditView(row) },
      });
    }
    await refreshNetWorth(trx, ctx.actor.userId);
    return { id: row.id, counterpartId: side?.id ?? null };
  });
}

/**
 * Rebuilds everything the ledger derives for one account's symbols from scratch (e.g. after its
 * cost-basis method or short-selling permission changed). Other accounts sharing a symbol are
 * replayed with it: a partition is the user's whole history in a symbol.
 */
export async function rebuildAccountLedger(
  ctx: ServiceContext,
  accountId: string,
): Promise<{ symbols: number }> {
  return withTransaction(ctx.db, async (trx) => {
    const accounts = await lockOwnAccounts(trx, ctx.actor, [accountId]);
    if (!accounts.get(accountId)) throw new NotFoundError('Account', accountId, 'accountId');
    const { rows } = await trx.raw<{ rows: { symbol: string }[] }>(
      `SELECT DISTINCT symbol FROM transactions WHERE account_id = ? AND symbol IS NOT NULL
       UNION SELECT DISTINCT symbol FROM tax_lots WHERE account_id = ?`,
      [accountId, accountId],
    );
    const symbols = rows.map((r) => r.symbol);
    await lockPartitions(trx, ctx.actor.userId, symbols);
    const prepared = await prepareReplay(
      trx,
      ctx.actor.userId,
      symbols.map((symbol) => ({ symbol, from: null })),
    );
    await runReplay(trx, prepared);
    await refreshNetWorth(trx, ctx.actor.userId);
    return { symbols: symbols.length };
  });
}
