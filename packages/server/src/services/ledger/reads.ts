/**
 * Reading the ledger: transactions (list, byId), a holding's open lots with unrealized gains, and
 * realized gains by lot allocation with short/long totals and wash-sale adjustments.
 */

import { Decimal, todayIso, type zRealizedGainsInput, type zTransactionListInput } from '@fo/schema';
import { isoToDay } from '@fo/schema/calendar';
import type { z } from 'zod';
import type { Knex } from '../../db/knex.js';
import type { ServiceContext } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { type HoldingRow, holdingRowsQuery, toHoldingViews } from '../holdings/views.js';
import { isLongTerm } from './engine/index.js';
import {
  TRANSACTION_COLUMNS,
  type TransactionRow,
  type TransactionView,
  toTransactionView,
} from './views.js';

type ListInput = z.output<typeof zTransactionListInput>;

/** Keyset cursor: base64url of [direction, trade_date, seq]. */
function encodeCursor(direction: string, row: TransactionRow): string {
  return Buffer.from(JSON.stringify([direction, row.trade_date, row.seq]), 'utf8').toString('base64url');
}

function decodeCursor(raw: string, direction: string): { date: string; seq: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new ValidationError(['cursor'], 'Invalid cursor');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    typeof parsed[1] !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}$/.test(parsed[1]) ||
    !Number.isSafeInteger(parsed[2])
  ) {
    throw new ValidationError(['cursor'], 'Invalid cursor');
  }
  if (parsed[0] !== direction) {
    throw new ValidationError(['cursor'], `This cursor belongs to a listing in ${String(parsed[0])} order`);
  }
  return { date: parsed[1], seq: parsed[2] as number };
}

/**
 * transactions.list: by trade date then insertion order, keyset-paginated on (trade_date, seq) —
 * an index range scan on (account_id, trade_date, seq) or (user_id, trade_date, seq).
 */
export async function listTransactions({ db, actor }: ServiceContext, input: ListInput) {
  if (input.accountId) {
    const owned = await (db as Knex)('accounts')
      .where({ id: input.accountId, user_id: actor.userId })
      .first('id');
    if (!owned) throw new NotFoundError('Account', input.accountId, 'accountId');
  }
  if (input.from && input.to && input.from > input.to)
    throw new ValidationError(['to'], 'must not be before from');
  const dir = input.direction;
  const query = (db as Knex)('transactions').select(TRANSACTION_COLUMNS).where('user_id', actor.userId);
  if (input.accountId) query.where('account_id', input.accountId);
  if (input.symbol) query.where('symbol', input.symbol);
  if (input.type) query.whereIn('type', Array.isArray(input.type) ? input.type : [input.type]);
  if (input.from) query.where('trade_date', '>=', input.from);
  if (input.to) query.where('trade_date', '<=', input.to);
  if (input.reconciled !== undefined) query.where('reconciled', input.reconciled);
  if (input.cursor) {
    const c = decodeCursor(input.cursor, dir);
    query.whereRaw(`(trade_date, seq) ${dir === 'asc' ? '>' : '<'} (?::date, ?::bigint)`, [c.date, c.seq]);
  }
  query.orderBy([
    { column: 'trade_date', order: dir },
    { column: 'seq', order: dir },
  ]);
  query.limit(input.limit + 1);
  const rows = (await query) as TransactionRow[];
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(toTransactionView),
    nextCursor: rows.length > input.limit && last ? encodeCursor(dir, last) : null,
  };
}

export async function getTransaction({ db, actor }: ServiceContext, id: string): Promise<TransactionView> {
  const row = (await (db as Knex)('transactions')
    .select(TRANSACTION_COLUMNS)
    .where({ id, user_id: actor.userId })
    .first()) as TransactionRow | undefined;
  if (!row) throw new NotFoundError('Transaction', id, 'id');
  return toTransactionView(row);
}

interface OpenLotRow {
  id: string;
  account_id: string;
  symbol: string;
  source_transaction_id: string;
  acquired_date: string;
  holding_start_date: string;
  quantity: string;
  cost: string;
  wash_adjustment: string;
  is_short: boolean;
}

/**
 * holdings.lots: the holding's open lots, FIFO order, each valued at the holding's current price
 * (the same price holdings.byId shows: latest market close on or before today, or a manual price,
 * converted to the holding's currency). Without a price, values are null and `priceMissing` set.
 */
export async function holdingLots({ db, actor }: ServiceContext, holdingId: string) {
  const today = todayIso();
  const holdingRows = (await holdingRowsQuery(db, actor.userId, today).where(
    'a.id',
    holdingId,
  )) as HoldingRow[];
  if (holdingRows.length === 0) throw new NotFoundError('Holding', holdingId, 'holdingId');
  const [view] = await toHoldingViews(db, actor.userId, holdingRows, today);
  const holding = holdingRows[0] as HoldingRow;
  const price = view?.priceSource === 'cost' ? null : (view?.currentPrice ?? null);
  const rows = (await (db as Knex)('tax_lots')
    .select(
      'id',
      'account_id',
      'symbol',
      'source_transaction_id',
      'acquired_date',
      'holding_start_date',
      'quantity',
      'cost',
      'wash_adjustment',
      'is_short',
    )
    .where({ user_id: actor.userId, account_id: holding.account_id, symbol: holding.symbol })
    .whereNull('closed_date')
    .orderBy([{ column: 'acquired_date' }, { column: 'order_seq' }, { column: 'id' }])) as OpenLotRow[];

  const todayDay = isoToDay(today);
  const zero = new Decimal(0);
  let qty = zero;
  let cost = zero;
  let adj = zero;
  let value: Decimal | null = price ? zero : null;
  const lots = rows.map((r) => {
    const quantity = new Decimal(r.quantity);
    const lotCost = new Decimal(r.cost);
    const washAdj = new Decimal(r.wash_adjustment);
    const basis = lotCost.add(washAdj);
    const marketValue = price ? quantity.mul(price).toDecimalPlaces(8, Decimal.ROUND_HALF_UP) : null;
    qty = qty.add(quantity);
    cost = cost.add(lotCost);
    adj = adj.add(washAdj);
    if (value && marketValue) value = value.add(marketValue);
    return {
      id: r.id,
      accountId: r.account_id,
      symbol: r.symbol,
      sourceTransactionId: r.source_transaction_id,
      acquiredDate: r.acquired_date,
      holdingStartDate: r.holding_start_date,
      term: (isLongTerm(isoToDay(r.holding_start_date), todayDay) ? 'long' : 'short') as 'short' | 'long',
      quantity,
      cost: lotCost,
      washSaleAdjustment: washAdj,
      adjustedBasis: basis,
      costPerUnit: quantity.isZero() ? zero : basis.div(quantity).toDecimalPlaces(8, Decimal.ROUND_HALF_UP),
      isShort: r.is_short,
      price,
      priceAsOf: price ? (view?.priceAsOf ?? null) : null,
      marketValue,
      unrealizedGain: marketValue ? marketValue.sub(basis) : null,
    };
  });
  return {
    holdingId: holding.id,
    accountId: holding.account_id,
    symbol: holding.symbol,
    currency: holding.currency,
    priceMissing: price === null,
    lots,
    totals: {
      quantity: qty,
      cost,
      washSaleAdjustment: adj,
      marketValue: value,
      unrealizedGain: value ? value.sub(cost.add(adj)) : null,
    },
  };
}

type GainsInput = z.output<typeof zRealizedGainsInput>;

interface GainRow {
  id: string;
  transaction_id: string;
  account_id: string;
  symbol: string;
  kind: 'sale' | 'short_cover' | 'return_of_capital';
  lot_id: string;
  acquired_date: string;
  holding_start_date: string;
  event_date: string;
  term: 'short' | 'long';
  quantity: string;
  cost: string;
  adjustment: string;
  proceeds: string;
  gain: string;
  wash_sale_disallowed: string;
}

/**
 * transactions.realizedGains: every realization (lot allocation of a sale, a short cover, or a
 * return of capital beyond basis) disposed of between `from` and `to`, with totals by term and the
 * wash-sale matches of the period's loss sales.
 */
export async function realizedGains({ db, actor }: ServiceContext, input: GainsInput) {
  if (input.from > input.to) throw new ValidationError(['to'], 'must not be before from');
  if (input.accountId) {
    const owned = await (db as Knex)('accounts')
      .where({ id: input.accountId, user_id: actor.userId })
      .first('id');
    if (!owned) throw new NotFoundError('Account', input.accountId, 'accountId');
  }
  const query = (db as Knex)('lot_allocations')
    .select(
      'id',
      'transaction_id',
      'account_id',
      'symbol',
      'kind',
      'lot_id',
      'acquired_date',
      'holding_start_date',
      'event_date',
      'term',
      'quantity',
      'cost',
      'adjustment',
      'proceeds',
      'gain',
      'wash_sale_disallowed',
    )
    .where('user_id', actor.userId)
    .whereIn('kind', ['sale', 'short_cover', 'return_of_capital'])
    .whereBetween('event_date', [input.from, input.to])
    // A return of capital within basis realizes nothing.
    .whereRaw(`NOT (kind = 'return_of_capital' AND gain = 0)`)
    .orderBy([{ column: 'event_date' }, { column: 'event_seq' }, { column: 'ordinal' }]);
  if (input.accountId) query.where('account_id', input.accountId);
  const rows = (await query) as GainRow[];

  const zero = () => ({
    proceeds: new Decimal(0),
    costBasis: new Decimal(0),
    gain: new Decimal(0),
    washSaleDisallowed: new Decimal(0),
    reportableGain: new Decimal(0),
  });
  const totals = { short: zero(), long: zero(), all: zero() };
  const lines = rows.map((r) => {
    const proceeds = new Decimal(r.proceeds);
    const gain = new Decimal(r.gain);
    const costBasis = proceeds.sub(gain);
    const wash = new Decimal(r.wash_sale_disallowed);
    const reportable = gain.add(wash);
    for (const t of [totals[r.term], totals.all]) {
      t.proceeds = t.proceeds.add(proceeds);
      t.costBasis = t.costBasis.add(costBasis);
      t.gain = t.gain.add(gain);
      t.washSaleDisallowed = t.washSaleDisallowed.add(wash);
      t.reportableGain = t.reportableGain.add(reportable);
    }
    // Sales take quantity out of a long lot (negative change), covers put it back into a short one.
    const quantity = new Decimal(r.quantity).abs();
    return {
      allocationId: r.id,
      transactionId: r.transaction_id,
      accountId: r.account_id,
      symbol: r.symbol,
      kind: r.kind,
      lotId: r.lot_id,
      acquiredDate: r.acquired_date,
      holdingStartDate: r.holding_start_date,
      disposedDate: r.event_date,
      term: r.term,
      quantity,
      proceeds,
      costBasis,
      gain,
      washSaleDisallowed: wash,
      reportableGain: reportable,
    };
  });

  const lossIds = rows.filter((r) => !new Decimal(r.wash_sale_disallowed).isZero()).map((r) => r.id);
  const matches = lossIds.length
    ? ((await (db as Knex)('wash_sale_matches as w')
        .join('tax_lots as l', 'l.id', 'w.replacement_lot_id')
        .select(
          'w.loss_allocation_id',
          'w.replacement_lot_id',
          'l.account_id',
          'w.quantity',
          'w.disallowed',
          'w.carried_days',
          'w.basis_adjusted',
        )
        .where('w.user_id', actor.userId)
        .whereIn('w.loss_allocation_id', lossIds)
        .orderBy([{ column: 'w.event_date' }, { column: 'w.event_seq' }])) as {
        loss_allocation_id: string;
        replacement_lot_id: string;
        account_id: string;
        quantity: string;
        disallowed: string;
        carried_days: number;
        basis_adjusted: boolean;
      }[])
    : [];
  return {
    from: input.from,
    to: input.to,
    lines,
    totals,
    washSaleAdjustments: matches.map((x) => ({
      lossAllocationId: x.loss_allocation_id,
      replacementLotId: x.replacement_lot_id,
      replacementAccountId: x.account_id,
      quantity: new Decimal(x.quantity),
      disallowed: new Decimal(x.disallowed),
      carriedDays: x.carried_days,
      basisAdjusted: x.basis_adjusted,
    })),
  };
}
