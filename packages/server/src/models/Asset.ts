import { Model, type QueryBuilder, type RelationMappings } from 'objection';
import type { Actor } from '../actor.js';
import { Account } from './Account.js';
import { BaseModel } from './BaseModel.js';
import { Transaction } from './Transaction.js';

/** A holding: the position an account has in one symbol. */
export class Asset extends BaseModel {
  static override tableName = 'assets';

  account_id!: string;
  user_id!: string;
  symbol!: string;
  name!: string | null;
  asset_class!: string;
  quantity!: string;
  cost_basis!: string;
  current_price!: string | null;
  current_value!: string | null;
  price_as_of!: Date | null;
  currency!: string;
  manual_price!: string | null;
  manual_price_as_of!: string | null;
  return_1y!: string | null;
  return_total!: string | null;
  volatility!: string | null;
  beta!: string | null;
  alpha!: string | null;
  metrics_as_of!: Date | null;

  static override relationMappings = (): RelationMappings => ({
    account: {
      relation: Model.BelongsToOneRelation,
      modelClass: Account,
      join: { from: 'assets.account_id', to: 'accounts.id' },
    },
    transactions: {
      relation: Model.HasManyRelation,
      modelClass: Transaction,
      join: { from: 'assets.id', to: 'transactions.asset_id' },
    },
  });

  static override modifiers = {
    visibleTo(query: QueryBuilder<Asset>, actor: Actor) {
      query.where('assets.user_id', actor.userId);
    },
  };
}
