import { Model, type QueryBuilder, type RelationMappings } from 'objection';
import type { Actor } from '../actor.js';
import { BaseModel } from './BaseModel.js';
import { Mortgage } from './Mortgage.js';
import { RealEstateValuation } from './RealEstateValuation.js';
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
  units!: number | null;
  year_built!: number | null;
  ownership_share!: string;
  vacancy_rate!: string;
  closing_costs!: string;

  static override relationMappings = (): RelationMappings => ({
    owner: {
      relation: Model.BelongsToOneRelation,
      modelClass: User,
      join: { from: 'real_estate.user_id', to: 'users.id' },
    },
    valuations: {
      relation: Model.HasManyRelation,
      modelClass: RealEstateValuation,
      join: { from: 'real_estate.id', to: 'real_estate_valuations.property_id' },
    },
    mortgages: {
      relation: Model.HasManyRelation,
      modelClass: Mortgage,
      join: { from: 'real_estate.id', to: 'mortgages.property_id' },
    },
  });

  static override modifiers = {
    visibleTo(query: QueryBuilder<RealEstate>, actor: Actor) {
      query.where('real_estate.user_id', actor.userId);
    },
  };
}
