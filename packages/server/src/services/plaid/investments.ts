/**
 * The investments part of a Plaid item's sync: investment transactions into the ledger (lots,
 * realized gains, holdings and cash follow through the ledger's own write path), then Plaid's
 * holdings compared with the ledger's positions.
 *
 * Window. /investments/transactions/get is read by date, not by cursor: the first sync asks for
 * the last `historyDays` days (Plaid keeps up to 24 months); later syncs start a week before the
 * item's `investments_synced_through`, because institutions post and revise the last few days
 * late. Every page (offset/count, until `total_investment_transactions`) and the holdings are
 * fetched before anything is written, checking `signal` between requests.
 *
 * One database transaction. All ledger rows, `investments_synced_through` and the reconciliation
 * commit together: a sync that fails or is aborted at any point leaves nothing behind, and the
 * next one fetches the same window again. Re-imports are harmless: every row carries Plaid's
 * investment_transaction_id as `provider_transaction_id`, unique per account in the database, and
 * the ledger skips ids the account already has.
 *
 * Sales older than the history. A sale of shares bought before the window (or before the account
 * was linked) would be an oversell. Instead of failing the sync, the missing quantity becomes an
 * *opening position*: a purchase dated before the window (more than the 30-day wash-sale window
 * before it, so it cannot wash a loss inside it) at the sale's price, with a deposit of the same
 * value so cash is unchanged. The sale then realizes nothing on those shares — their real cost is
 * unknown, and inventing a gain or a loss would put a wrong number into tax reports. The rows say
 * so in their description, the result counts them (`openingPositions`), and the user can correct
 * the price like any transaction (the ledger replays). A short sale ("sell short") in an account
 * that does not allow short positions is skipped with a warning instead.
 *
 * Reconciliation. After writing, each investment account's positions (cash equivalents excluded:
 * they are cash) are compared with Plaid's holdings per symbol; differences larger than 1e-6
 * shares are returned and stored on the item as `reconciliation: { checkedAt, differences }`.
 * Nothing is adjusted automatically: a difference means history the ledger does not have (shares
 * held before the window and never sold, transfers out, splits reported as share movements).
 */
import type { PlaidHoldingDifference } from '@fo/schema';
import { isValidIsoDate, todayIso } from '@fo/schema';
import { addDays } from '@fo/schema/calendar';
import type { Holding, InvestmentTransaction, Security } from 'plaid';
import type { Knex } from '../../db/knex.js';
import { withTransaction } from '../../db/transaction.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { WASH_SALE_WINDOW_DAYS } from '../ledger/engine/index.js';
import { plaidCall } from './client.js';
import { applyAccount, chronological, type Group } from './investment-ledger.js';
import { mapInvestmentTransaction } from './investment-mapping.js';
import { reconcileHoldings } from './investment-reconciliation.js';

/** Days before the last synced day that every sync reads again (late and revised postings). */
export const INVESTMENT_OVERLAP_DAYS = 7;
/** Plaid's largest page for /investments/transactions/get. */
export const INVESTMENT_PAGE_SIZE = 500;
const MAX_WARNINGS = 50;

export interface InvestmentSyncTarget {
  /** The item's owner. */
  userId: string;
  /** plaid_items.id (our uuid). */
  itemId: string;
  /** Decrypted. */
  accessToken: string;
  /** plaid_items.investments_synced_through ('YYYY-MM-DD'). */
  investmentsSyncedThrough: string | null;
  /** Plaid account_id → our accounts.id (investment accounts only). */
  accounts: ReadonlyMap<string, string>;
}

export interface InvestmentSyncResult {
  /** Plaid investment transactions written to the ledger by this sync (duplicates not counted). */
  transactionsAdded: number;
  /** 'YYYY-MM-DD'; stored on the item by syncInvestments itself. */
  syncedThrough: string;
  /** Also stored as plaid_items.reconciliation. */
  differences: PlaidHoldingDifference[];
  /** Transactions of linked accounts with no ledger effect or no ledger equivalent. */
  skipped: number;
  /** Opening positions recorded for sales of shares older than the history. */
  openingPositions: number;
  /** Why transactions were skipped (first 50), for the sync's result. */
  warnings: string[];
}

export interface InvestmentSyncOptions {
  signal?: AbortSignal;
  /** Days of history the first sync reads. */
  historyDays: number;
  /** 'YYYY-MM-DD'; defaults to today (UTC). */
  today?: string;
  /** Transactions per page (1..500; default 500). */
  pageSize?: number;
}

interface Fetched {
  transactions: InvestmentTransaction[];
  holdings: Holding[];
  securities: Map<string, Security>;
}

async function fetchInvestments(
  accessToken: string,
  window: { start: string; end: string },
  pageSize: number,
  signal: AbortSignal | undefined,
): Promise<Fetched> {
  const securities = new Map<string, Security>();
  // A transaction can move to the next page while paging (offsets shift): keep the first copy.
  const transactions = new Map<string, InvestmentTransaction>();
  let offset = 0;
  let total = 1;
  while (offset < total) {
    signal?.throwIfAborted();
    const page = await plaidCall('/investments/transactions/get', (api) =>
      api.investmentsTransactionsGet({
        access_token: accessToken,
        start_date: window.start,
        end_date: window.end,
        options: { count: pageSize, offset },
      }),
    );
    for (const s of page.securities) securities.set(s.security_id, s);
    for (const t of page.investment_transactions) {
      if (!transactions.has(t.investment_transaction_id)) transactions.set(t.investment_transaction_id, t);
    }
    total = page.total_investment_transactions;
    if (page.investment_transactions.length === 0) break;
    offset += page.investment_transactions.length;
  }
  signal?.throwIfAborted();
  const holdings = await plaidCall('/investments/holdings/get', (api) =>
    api.investmentsHoldingsGet({ access_token: accessToken }),
  );
  for (const s of holdings.securities) securities.set(s.security_id, s);
  return { transactions: [...transactions.values()], holdings: holdings.holdings, securities };
}

function describe(t: InvestmentTransaction): string {
  return `${t.date} "${t.name}" (${t.type}/${t.subtype}, ${t.investment_transaction_id})`;
}

function checkOptions(target: InvestmentSyncTarget, opts: InvestmentSyncOptions): void {
  if (!Number.isInteger(opts.historyDays) || opts.historyDays < 1) {
    throw new ValidationError(['historyDays'], 'must be a whole number of days, at least 1');
  }
  if (opts.today !== undefined && !isValidIsoDate(opts.today)) {
    throw new ValidationError(['today'], "must be a calendar date 'YYYY-MM-DD'");
  }
  const pageSize = opts.pageSize ?? INVESTMENT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > INVESTMENT_PAGE_SIZE) {
    throw new ValidationError(['pageSize'], `must be a whole number from 1 to ${INVESTMENT_PAGE_SIZE}`);
  }
  const through = target.investmentsSyncedThrough;
  if (through !== null && !isValidIsoDate(through)) {
    throw new ValidationError(['investmentsSyncedThrough'], "must be a calendar date 'YYYY-MM-DD'");
  }
}

/** The dates to read: the history on a first sync, else from a week before the last synced day. */
export function investmentWindow(
  syncedThrough: string | null,
  historyDays: number,
  today: string,
): { start: string; end: string } {
  const earliest = addDays(today, -historyDays);
  const from = syncedThrough === null ? earliest : addDays(syncedThrough, -INVESTMENT_OVERLAP_DAYS);
  // ISO dates order as strings.
  const start = from < earliest ? earliest : from > today ? today : from;
  return { start, end: today };
}

export async function syncInvestments(
  db: Knex,
  target: InvestmentSyncTarget,
  opts: InvestmentSyncOptions,
): Promise<InvestmentSyncResult> {
  checkOptions(target, opts);
  const today = opts.today ?? todayIso();
  const window = investmentWindow(target.investmentsSyncedThrough, opts.historyDays, today);
  const fetched = await fetchInvestments(
    target.accessToken,
    window,
    opts.pageSize ?? INVESTMENT_PAGE_SIZE,
    opts.signal,
  );
  opts.signal?.throwIfAborted();

  return withTransaction(db, async (trx) => {
    // One investments sync per item at a time; a second waits, then finds everything imported.
    const item = (await trx('plaid_items')
      .select('id', 'investments_synced_through')
      .where({ id: target.itemId, user_id: target.userId })
      .forUpdate()
      .first()) as { id: string; investments_synced_through: string | null } | undefined;
    if (!item) throw new NotFoundError('Plaid item', target.itemId, 'itemId');

    const accountIds = [...new Set(target.accounts.values())].sort();
    const accounts = (await trx('accounts')
      .select('id', 'closed_at')
      .where('user_id', target.userId)
      .whereIn('id', accountIds)) as { id: string; closed_at: Date | null }[];
    const known = new Map(accounts.map((a) => [a.id, a]));
    const missing = accountIds.find((id) => !known.has(id));
    if (missing) throw new NotFoundError('Account', missing, 'accounts');
    const open = new Set(accounts.filter((a) => a.closed_at === null).map((a) => a.id));

    const warnings: string[] = [];
    let warningCount = 0;
    const warn = (message: string) => {
      warningCount += 1;
      if (warnings.length < MAX_WARNINGS) warnings.push(message);
    };
    let skipped = 0;
    const groups = new Map<string, Group[]>(accountIds.map((id) => [id, []]));
    const closedSkips = new Map<string, number>();
    fetched.transactions.forEach((t, position) => {
      const accountId = target.accounts.get(t.account_id);
      if (!accountId) return;
      if (!open.has(accountId)) {
        skipped += 1;
        closedSkips.set(accountId, (closedSkips.get(accountId) ?? 0) + 1);
        return;
      }
      const security = t.security_id ? (fetched.securities.get(t.security_id) ?? null) : null;
      const mapped = mapInvestmentTransaction(t, security);
      if (mapped.kind === 'skip') {
        skipped += 1;
        if (mapped.warn) warn(`${describe(t)} skipped: ${mapped.reason}`);
        return;
      }
      groups.get(accountId)?.push({
        plaidId: t.investment_transaction_id,
        subtype: String(t.subtype),
        date: t.date,
        datetime: t.transaction_datetime ?? null,
        direction: mapped.direction,
        position,
        rows: mapped.rows,
      });
    });
    for (const [accountId, n] of closedSkips) {
      warn(
        `account ${accountId} is closed: ${n} Plaid transaction(s) not imported (reopen it to import them)`,
      );
    }

    const openingDate = addDays(window.start, -(WASH_SALE_WINDOW_DAYS + 1));
    let transactionsAdded = 0;
    let openingPositions = 0;
    for (const accountId of accountIds) {
      const list = (groups.get(accountId) ?? []).sort(chronological);
      if (list.length === 0) continue;
      const outcome = await applyAccount(trx, target.userId, accountId, list, openingDate, warn);
      transactionsAdded += outcome.added;
      openingPositions += outcome.openings;
      skipped += outcome.dropped;
      opts.signal?.throwIfAborted();
    }

    const differences = await reconcileHoldings(trx, {
      userId: target.userId,
      accounts: target.accounts,
      compare: open,
      holdings: fetched.holdings,
      securities: fetched.securities,
    });
    const stored = item.investments_synced_through;
    const syncedThrough = stored && stored > today ? stored : today;
    opts.signal?.throwIfAborted();
    await trx('plaid_items')
      .where({ id: target.itemId, user_id: target.userId })
      .update({
        investments_synced_through: syncedThrough,
        reconciliation: JSON.stringify({ checkedAt: new Date().toISOString(), differences }),
      });
    if (warningCount > warnings.length) warnings.push(`… and ${warningCount - warnings.length} more`);
    return { transactionsAdded, syncedThrough, differences, skipped, openingPositions, warnings };
  });
}
