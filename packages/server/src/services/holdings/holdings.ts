/**
 * Holdings CRUD. Reads cover every account; writes only accounts in holdings mode (in transactions
 * mode the ledger maintains positions from the transaction history).
 */
import {
  Decimal,
  type HoldingView,
  todayIso,
  type zHoldingCreateInput,
  type zHoldingListInput,
  type zHoldingUpdateInput,
} from '@fo/schema';
import type { z } from 'zod';
import type { Actor } from '../../actor.js';
import type { Knex } from '../../db/knex.js';
import { type Db, withTransaction } from '../../db/transaction.js';
import type { Account } from '../../models/index.js';
import { Asset } from '../../models/index.js';
import { loadAccount } from '../accounts/accounts.js';
import type { ServiceContext } from '../context.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { applyKeyset, type KeysetSpec, toPage } from '../pagination.js';
import { refreshNetWorth } from '../portfolio/refresh.js';
import { type HoldingRow, holdingRowsQuery, toHoldingViews } from './views.js';

type ListInput = z.output<typeof zHoldingListInput>;
type CreateInput = z.output<typeof zHoldingCreateInput>;
type UpdateInput = z.output<typeof zHoldingUpdateInput>;

const SORT_COLUMNS: Record<ListInput['sort'], { column: string; cast: string }> = {
  symbol: { column: 'a.symbol', cast: 'text' },
  createdAt: { column: 'a.created_at', cast: 'timestamptz' },
};

export async function listHoldings({ db, actor }: ServiceContext, input: ListInput) {
  const asOf = todayIso();
  if (input.accountId) await loadAccount(db, actor, input.accountId, { field: 'accountId' });
  const sort = SORT_COLUMNS[input.sort];
  const spec: KeysetSpec = {
    sort: `${input.sort}.${input.direction}`,
    column: sort.column,
    idColumn: 'a.id',
    cast: sort.cast,
    direction: input.direction,
  };
  const query = holdingRowsQuery(db, actor.userId, asOf);
  if (input.accountId) query.where('a.account_id', input.accountId);
  if (!input.includeClosedAccounts) query.whereNull('acc.closed_at');
  if (input.symbol) query.where('a.symbol', input.symbol);
  if (input.assetClass) {
    query.whereIn('a.asset_class', Array.isArray(input.assetClass) ? input.assetClass : [input.assetClass]);
  }
  const rows = (await applyKeyset(query, spec, input.limit, input.cursor)) as (HoldingRow & {
    _cursor: string;
  })[];
  const page = toPage(rows, spec, input.limit, (row) => row);
  return { items: await toHoldingViews(db, actor.userId, page.items, asOf), nextCursor: page.nextCursor };
}

async function holdingView(db: Db, actor: Actor, id: string): Promise<HoldingView> {
  const asOf = todayIso();
  const rows = (await holdingRowsQuery(db, actor.userId, asOf).where('a.id', id)) as HoldingRow[];
  if (rows.length === 0) throw new NotFoundError('Holding', id, 'id');
  const [view] = await toHoldingViews(db, actor.userId, rows, asOf);
  return view!;
}

export function getHolding({ db, actor }: ServiceContext, id: string): Promise<HoldingView> {
  return holdingView(db, actor, id);
}

/** The account must be open and in holdings mode for its holdings to be edited directly. */
function assertEditable(account: Account, field: string): void {
  if (account.tracking_mode !== 'holdings') {
    throw new ValidationError(
      [field],
      'This account tracks transactions: its holdings are maintained by the ledger and are read-only here (record a buy or sell with transactions.create)',
    );
  }
  if (account.closed_at) throw new ValidationError([field], 'The account is closed; reopen it first');
}

function assertQuantity(account: Account, quantity: Decimal): void {
  if (quantity.isNegative() && !account.allow_short) {
    throw new ValidationError(
      ['quantity'],
      'must be zero or more: the account does not allow short positions (set allowShort on the account)',
    );
  }
}

function assertManualDate(date: string | undefined): void {
  if (date && date > todayIso()) throw new ValidationError(['manualPriceAsOf'], 'must not be in the future');
}

/** Keeps the stored valuation (current_price/current_value/price_as_of) in step with the view. */
async function storeValuation(db: Db, view: HoldingView): Promise<void> {
  await (db as Knex)('assets')
    .where('id', view.id)
    .update({
      current_price: view.currentPrice?.toFixed() ?? null,
      current_value: view.marketValue?.toFixed() ?? null,
      price_as_of: view.priceAsOf ? new Date(`${view.priceAsOf}T00:00:00Z`) : null,
    });
}

export async function createHolding({ db, actor }: ServiceContext, input: CreateInput): Promise<HoldingView> {
  assertManualDate(input.manualPriceAsOf);
  if (input.manualPriceAsOf && !input.manualPrice) {
    throw new ValidationError(['manualPrice'], 'is required with manualPriceAsOf');
  }
  return withTransaction(db, async (trx) => {
    const account = await loadAccount(trx, actor, input.accountId, { forUpdate: true, field: 'accountId' });
    assertEditable(account, 'accountId');
    assertQuantity(account, input.quantity);
    const costBasis =
      input.costBasis ?? (input.costPerUnit ? input.quantity.abs().mul(input.costPerUnit) : new Decimal(0));
    const holding = await Asset.query(trx).insert({
      account_id: account.id,
      user_id: actor.userId,
      symbol: input.symbol,
      name: input.name ?? null,
      asset_class: input.assetClass,
      quantity: input.quantity.toFixed(),
      cost_basis: costBasis.toFixed(),
      currency: input.currency ?? account.currency,
      manual_price: input.manualPrice?.toFixed() ?? null,
      manual_price_as_of: input.manualPrice ? (input.manualPriceAsOf ?? todayIso()) : null,
    });
    const view = await holdingView(trx, actor, holding.id);
    await storeValuation(trx, view);
    await refreshNetWorth(trx, actor.userId);
    return view;
  });
}

/** What describes a holding rather than the position: settable whoever maintains the position. */
const DESCRIPTIVE_FIELDS = new Set(['id', 'name', 'assetClass']);

/**
 * The holding and its account, locked. `positionField` names the input field that changes the
 * position, which only a holdings-mode account allows (null: the change only renames or
 * reclassifies, which any open account allows, the ledger's included).
 */
async function loadEditable(trx: Db, actor: Actor, id: string, positionField: string | null) {
  const holding = await Asset.query(trx).modify('visibleTo', actor).findById(id).forUpdate();
  if (!holding) throw new NotFoundError('Holding', id, 'id');
  const account = await loadAccount(trx, actor, holding.account_id, { forUpdate: true });
  if (positionField !== null && account.tracking_mode !== 'holdings') {
    throw new ValidationError(
      [positionField],
      'This account tracks transactions: its holdings are maintained by the ledger (record a buy or sell with transactions.create); only their name and assetClass can be changed here',
    );
  }
  if (account.closed_at) throw new ValidationError(['id'], 'The account is closed; reopen it first');
  return { holding, account };
}

export async function updateHolding({ db, actor }: ServiceContext, input: UpdateInput): Promise<HoldingView> {
  assertManualDate(input.manualPriceAsOf);
  return withTransaction(db, async (trx) => {
    const positionField =
      Object.entries(input).find(([k, v]) => v !== undefined && !DESCRIPTIVE_FIELDS.has(k))?.[0] ?? null;
    const { holding, account } = await loadEditable(trx, actor, input.id, positionField);
    const quantity = input.quantity ?? new Decimal(holding.quantity);
    if (input.quantity) assertQuantity(account, input.quantity);

    const patch: Record<string, string | null> = {};
    if (input.symbol !== undefined) patch.symbol = input.symbol;
    if (input.name !== undefined) patch.name = input.name;
    if (input.assetClass !== undefined) patch.asset_class = input.assetClass;
    if (input.quantity !== undefined) patch.quantity = input.quantity.toFixed();
    if (input.currency !== undefined) patch.currency = input.currency;
    if (input.costBasis !== undefined) patch.cost_basis = input.costBasis.toFixed();
    if (input.costPerUnit !== undefined) patch.cost_basis = quantity.abs().mul(input.costPerUnit).toFixed();
    if (input.manualPrice === null) {
      patch.manual_price = null;
      patch.manual_price_as_of = null;
    } else if (input.manualPrice !== undefined) {
      patch.manual_price = input.manualPrice.toFixed();
      patch.manual_price_as_of = input.manualPriceAsOf ?? todayIso();
    } else if (input.manualPriceAsOf !== undefined) {
      if (holding.manual_price === null) {
        throw new ValidationError(
          ['manualPriceAsOf'],
          'the holding has no manual price; give manualPrice too',
        );
      }
      patch.manual_price_as_of = input.manualPriceAsOf;
    }
    if (Object.keys(patch).length > 0) await (trx as Knex)('assets').where('id', holding.id).update(patch);
    const view = await holdingView(trx, actor, holding.id);
    await storeValuation(trx, view);
    await refreshNetWorth(trx, actor.userId);
    return view;
  });
}

export async function deleteHolding({ db, actor }: ServiceContext, id: string): Promise<{ id: string }> {
  return withTransaction(db, async (trx) => {
    const { holding } = await loadEditable(trx, actor, id, 'id');
    await Asset.query(trx).deleteById(holding.id);
    await refreshNetWorth(trx, actor.userId);
    return { id: holding.id };
  });
}
