import type { QueryBuilder } from 'objection';
import type { Actor } from '../actor.js';
import { BaseModel } from './BaseModel.js';

/** Sold shares of a loss allocation replaced by a lot bought within 30 days. Derived data. */
export class WashSaleMatch extends BaseModel {
  static override tableName = 'wash_sale_matches';

  user_id!: string;
  symbol!: string;
  loss_allocation_id!: string;
  replacement_lot_id!: string;
  transaction_id!: string;
  event_date!: string;
  event_seq!: number;
  quantity!: string;
  disallowed!: string;
  carried_days!: number;
  basis_adjusted!: boolean;

  static override modifiers = {
    visibleTo(query: QueryBuilder<WashSaleMatch>, actor: Actor) {
      query.where('wash_sale_matches.user_id', actor.userId);
    },
  };
}
