import type { AssetClass } from '@fo/schema';
import type { QueryBuilder } from 'objection';
import type { Actor } from '../actor.js';
import { BaseModel } from './BaseModel.js';

/** One asset class of a user's target allocation: its weight and tolerance band (fractions). */
export class TargetAllocation extends BaseModel {
  static override tableName = 'target_allocations';

  user_id!: string;
  asset_class!: AssetClass;
  weight!: string;
  band!: string;

  static override modifiers = {
    visibleTo(query: QueryBuilder<TargetAllocation>, actor: Actor) {
      query.where('target_allocations.user_id', actor.userId);
    },
  };
}
