import { Model, type QueryBuilder, type RelationMappings } from 'objection';
import type { Actor } from '../actor.js';
import { BaseModel } from './BaseModel.js';
import { User } from './User.js';

export class RealEstate extends BaseModel {
  static override tableName = 'real_estate';

  user_id!: string;
  name!: string;
  property_type!: string;
  address_line1!: string | null;
  address_line2!: string | null;
  city!: string | null;
  region!: string | null;
  postal_code!: string | null;
  country!: string | null;
  size_sqft!: string | null;
  purchase_price!: string | null;
  purchase_date!: string | null;
  current_value!: string | null;
  valuation_date!: string | null;
  currency!: string;
  monthly_rental_income!: string;
  monthly_expenses!: string;
  mortgage_lender!: string | null;
  mortgage_original_principal!: string | null;
  mortgage_rate!: string | null;
  mortgage_term_months!: number | null;
  mortgage_start_date!: string | null;
  mortgage_payment!: string | null;
  mortgage_balance!: string | null;

  static override relationMappings = (): RelationMappings => ({
    owner: {
      relation: Model.BelongsToOneRelation,
      modelClass: User,
      join: { from: 'real_estate.user_id', to: 'users.id' },
    },
  });

  static override modifiers = {
    visibleTo(query: QueryBuilder<RealEstate>, actor: Actor) {
      query.where('real_estate.user_id', actor.userId);
    },
  };
}
