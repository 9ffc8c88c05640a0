import { Model, type QueryBuilder, type RelationMappings } from 'objection';
import type { Actor } from '../actor.js';
import { Account } from './Account.js';
import { Asset } from './Asset.js';
import { BaseModel } from './BaseModel.js';

export class Transaction extends BaseModel {
  static override tableName = 'transactions';

  account_id!: string;
  user_id!: string;
  asset_id!: string | null;
  type!: string;
  symbol!: string | null;
  trade_date!: string;
  settle_date!: string | null;
  quantity!: string | null;
  price!: string | null;
  amount!: string | null;
  fees!: string;
  currency!: string;
  realized_gain!: string | null;
  external_id!: string | null;
  description!: string | null;
  reconciled!: boolean;
  reconciled_at!: Date | null;
  /** Plaid's transaction id, for rows a Plaid sync wrote. */
  provider_transaction_id!: string | null;
  pending!: boolean;
  /** Insertion order: with trade_date it orders an account's history. */
  seq!: number;
  split_to!: string | null;
  split_from!: string | null;
  reinvested!: boolean;
  transfer_id!: string | null;
  counterpart_account_id!: string | null;
  cash_effect!: string;
  cost_basis!: string | null;
  wash_sale_disallowed!: string;
  lot_selection!: { lotId: string; quantity: string }[] | null;
  reconciliation_id!: string | null;

  static override jsonAttributes = ['lot_selection'];

  static override relationMappings = (): RelationMappings => ({
    account: {
      relation: Model.BelongsToOneRelation,
      modelClass: Account,
      join: { from: 'transactions.account_id', to: 'accounts.id' },
    },
    asset: {
      relation: Model.BelongsToOneRelation,
      modelClass: Asset,
      join: { from: 'transactions.asset_id', to: 'assets.id' },
    },
  });

  static override modifiers = {
    visibleTo(query: QueryBuilder<Transaction>, actor: Actor) {
      query.where('transactions.user_id', actor.userId);
    },
  };
}
