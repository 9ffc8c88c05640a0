import { Model, type QueryBuilder, type RelationMappings } from 'objection';
import type { Actor } from '../actor.js';
import { AccountBalance } from './AccountBalance.js';
import { Asset } from './Asset.js';
import { BaseModel } from './BaseModel.js';
import { Transaction } from './Transaction.js';
import { User } from './User.js';

export class Account extends BaseModel {
  static override tableName = 'accounts';

  user_id!: string;
  name!: string;
  type!: string;
  subtype!: string | null;
  institution!: string | null;
  currency!: string;
  tracking_mode!: 'transactions' | 'holdings';
  cost_basis_method!: string;
  cash_balance!: string;
  balance_as_of!: string | null;
  allow_short!: boolean;
  plaid_item_id!: string | null;
  plaid_account_id!: string | null;
  plaid_mask!: string | null;
  sync_status!: string;
  last_synced_at!: Date | null;
  sync_error!: string | null;
  closed_at!: Date | null;

  static override relationMappings = (): RelationMappings => ({
    owner: {
      relation: Model.BelongsToOneRelation,
      modelClass: User,
      join: { from: 'accounts.user_id', to: 'users.id' },
    },
    holdings: {
      relation: Model.HasManyRelation,
      modelClass: Asset,
      join: { from: 'accounts.id', to: 'assets.account_id' },
    },
    transactions: {
      relation: Model.HasManyRelation,
      modelClass: Transaction,
      join: { from: 'accounts.id', to: 'transactions.account_id' },
    },
    balances: {
      relation: Model.HasManyRelation,
      modelClass: AccountBalance,
      join: { from: 'accounts.id', to: 'account_balances.account_id' },
    },
  });

  static override modifiers = {
    visibleTo(query: QueryBuilder<Account>, actor: Actor) {
      query.where('accounts.user_id', actor.userId);
    },
    open(query: QueryBuilder<Account>) {
      query.whereNull('accounts.closed_at');
    },
  };
}
