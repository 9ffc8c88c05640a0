import { Model, type QueryBuilder, type RelationMappings } from 'objection';
import type { Actor } from '../actor.js';
import { BaseModel } from './BaseModel.js';
import { TaxLot } from './TaxLot.js';
import { Transaction } from './Transaction.js';

/**
 * One change to a tax lot caused by one transaction: a sale (a realized-gain line), a short cover,
 * a return of capital, a transfer out, a split, or a wash-sale piece split off. Derived data.
 */
export class LotAllocation extends BaseModel {
  static override tableName = 'lot_allocations';

  lot_id!: string;
  account_id!: string;
  user_id!: string;
  symbol!: string;
  transaction_id!: string;
  event_date!: string;
  event_seq!: number;
  ordinal!: number;
  kind!: 'sale' | 'short_cover' | 'return_of_capital' | 'transfer' | 'split' | 'wash_split';
  quantity!: string;
  cost!: string;
  adjustment!: string;
  proceeds!: string | null;
  gain!: string | null;
  term!: 'short' | 'long' | null;
  acquired_date!: string;
  holding_start_date!: string;
  lot_source_transaction_id!: string;
  wash_sale_disallowed!: string;
  wash_matched_quantity!: string;

  static override relationMappings = (): RelationMappings => ({
    lot: {
      relation: Model.BelongsToOneRelation,
      modelClass: TaxLot,
      join: { from: 'lot_allocations.lot_id', to: 'tax_lots.id' },
    },
    transaction: {
      relation: Model.BelongsToOneRelation,
      modelClass: Transaction,
      join: { from: 'lot_allocations.transaction_id', to: 'transactions.id' },
    },
  });

  static override modifiers = {
    visibleTo(query: QueryBuilder<LotAllocation>, actor: Actor) {
      query.where('lot_allocations.user_id', actor.userId);
    },
    realizations(query: QueryBuilder<LotAllocation>) {
      query.whereIn('lot_allocations.kind', ['sale', 'short_cover', 'return_of_capital']);
    },
  };
}
