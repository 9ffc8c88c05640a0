import type { QueryBuilder } from 'objection';
import type { Actor } from '../actor.js';
import { BaseModel } from './BaseModel.js';

/** A property's value on a day; the latest is its current value. */
export class RealEstateValuation extends BaseModel {
  static override tableName = 'real_estate_valuations';

  property_id!: string;
  user_id!: string;
  date!: string;
  value!: string;
  source!: 'purchase' | 'appraisal' | 'estimate' | 'manual';
  note!: string | null;

  static override modifiers = {
    visibleTo(query: QueryBuilder<RealEstateValuation>, actor: Actor) {
      query.where('real_estate_valuations.user_id', actor.userId);
    },
  };
}
