import { Model, type QueryBuilder, type RelationMappings } from 'objection';
import type { Actor } from '../actor.js';
import { Account } from './Account.js';
import { BaseModel } from './BaseModel.js';
import { LotAllocation } from './LotAllocation.js';

/**
 * A tax lot: shares acquired together, with their cost and holding period. Derived from the
 * transactions by the ledger's replay (services/ledger); never written by anything else.
 */
export class TaxLot extends BaseModel {
  static override tableName = 'tax_lots';

  account_id!: string;
  user_id!: string;
  symbol!: string;
  created_by_transaction_id!: string;
  created_date!: string;
  created_seq!: number;
  parent_lot_id!: string | null;
  source_transaction_id!: string;
  acquired_date!: string;
  holding_start_date!: string;
  order_seq!: number;
  is_short!: boolean;
  wash_replacement!: boolean;
  quantity_opened!: string;
  cost_opened!: string;
  adjustment_opened!: string;
  quantity!: string;
  cost!: string;
  wash_adjustment!: string;
  closed_date!: string | null;

  static override relationMappings = (): RelationMappings => ({
    account: {
      relation: Model.BelongsToOneRelation,
      modelClass: Account,
      join: { from: 'tax_lots.account_id', to: 'accounts.id' },
    },
    allocations: {
      relation: Model.HasManyRelation,
      modelClass: LotAllocation,
      join: { from: 'tax_lots.id', to: 'lot_allocations.lot_id' },
    },
  });

  static override modifiers = {
    visibleTo(query: QueryBuilder<TaxLot>, actor: Actor) {
      query.where('tax_lots.user_id', actor.userId);
    },
    open(query: QueryBuilder<TaxLot>) {
      query.whereNull('tax_lots.closed_date');
    },
  };
}
