/**
 * Writing one account's Plaid investment transactions through the ledger's own write path
 * (createTransactions: lots, realized gains, holdings and cash in the caller's transaction), and
 * answering the refusals a sync can answer: a sale of shares bought before the history (an opening
 * position, see investments.ts) and a row the ledger rejects (skipped with a warning).
 */
import { Decimal } from '@fo/schema';
import { systemActor } from '../../actor.js';
import type { Knex } from '../../db/knex.js';
import { ValidationError } from '../errors.js';
import { OversellConflict } from '../ledger/replay.js';
import { createTransactions, type LedgerRowInput } from '../ledger/writes.js';
import { openingPositionRows } from './investment-mapping.js';

/** One Plaid investment transaction as ledger rows. */
export interface Group {
  plaidId: string;
  subtype: string;
  date: string;
  datetime: string | null;
  direction: 'in' | 'out' | 'cash';
  /** Position in Plaid's answer (newest first). */
  position: number;
  rows: LedgerRowInput[];
}

const DIRECTION_RANK = { in: 0, cash: 1, out: 2 } as const;

/**
 * Oldest first, as the ledger orders a day by insertion. Within a day, Plaid's time when both
 * have one; else shares arriving before shares leaving (a same-day buy and sell is never an
 * oversell), then Plaid's own order reversed.
 */
export function chronological(a: Group, b: Group): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  if (a.datetime && b.datetime && a.datetime !== b.datetime) return a.datetime < b.datetime ? -1 : 1;
  const rank = DIRECTION_RANK[a.direction] - DIRECTION_RANK[b.direction];
  if (rank !== 0) return rank;
  return b.position - a.position;
}

/** The input row a ledger refusal names, when it names one. */
function refusedRow(err: unknown, rows: number): number | null {
  if (!(err instanceof ValidationError)) return null;
  const head = err.issues[0]?.path[0];
  if (typeof head === 'number') return head;
  if (rows === 1 && head !== 'accountId') return 0;
  return null;
}

export interface AccountOutcome {
  added: number;
  openings: number;
  dropped: number;
}

/**
 * Writes one account's groups through the ledger (a savepoint per attempt). A refusal the sync can
 * answer — a sale older than the history, a row the ledger rejects — changes the batch and tries
 * again; each retry adds an opening for another sale or drops a group, so it ends.
 */
export async function applyAccount(
  trx: Knex.Transaction,
  userId: string,
  accountId: string,
  groups: Group[],
  openingDate: string,
  warn: (message: string) => void,
): Promise<AccountOutcome> {
  const actor = systemActor(userId);
  const live = [...groups];
  /** Opening positions by the Plaid id of the sale that needed them. */
  const openings = new Map<string, LedgerRowInput[]>();
  let dropped = 0;
  const drop = (group: Group, why: string) => {
    warn(`${group.date} transaction ${group.plaidId} skipped: ${why}`);
    live.splice(live.indexOf(group), 1);
    openings.delete(group.plaidId);
    dropped += 1;
  };
  for (let attempt = 0; ; attempt += 1) {
    const owners: (Group | null)[] = [];
    const batch: LedgerRowInput[] = [];
    for (const row of [...openings.values()].flat()) {
      batch.push(row);
      owners.push(null);
    }
    for (const g of live) {
      for (const row of g.rows) {
        batch.push(row);
        owners.push(g);
      }
    }
    if (batch.length === 0) return { added: 0, openings: 0, dropped };
    try {
      const result = await createTransactions({ db: trx, actor }, accountId, batch, { skipDuplicates: true });
      let added = 0;
      owners.forEach((g, i) => {
        if (g && g.rows[0] === batch[i] && result.ids[i] !== null) added += 1;
      });
      return { added, openings: openings.size, dropped };
    } catch (err) {
      if (attempt > 2 * groups.length) throw err;
      if (err instanceof OversellConflict && err.accountId === accountId) {
        const sale = live.find((g) => {
          const row = g.rows[0];
          return (
            row?.type === 'sell' &&
            row.symbol === err.symbol &&
            row.tradeDate === err.tradeDate &&
            row.quantity?.eq(err.asked) &&
            !openings.has(g.plaidId)
          );
        });
        if (sale) {
          const row = sale.rows[0] as LedgerRowInput;
          if (sale.subtype === 'sell short') {
            drop(
              sale,
              `a short sale of ${err.asked} ${err.symbol}, and the account does not allow short positions`,
            );
            continue;
          }
          openings.set(
            sale.plaidId,
            openingPositionRows({
              saleProviderId: sale.plaidId,
              symbol: err.symbol,
              quantity: new Decimal(err.asked).sub(err.held),
              price: row.price ?? new Decimal(0),
              date: openingDate,
              saleDate: sale.date,
              currency: row.currency,
            }),
          );
          continue;
        }
      }
      const index = refusedRow(err, batch.length);
      const owner = index === null ? null : owners[index];
      if (!owner) throw err;
      drop(owner, (err as Error).message);
    }
  }
}
