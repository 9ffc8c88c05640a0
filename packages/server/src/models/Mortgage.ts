import type { PaymentFrequency } from '@fo/schema';
import type { QueryBuilder } from 'objection';
import type { Actor } from '../actor.js';
import { BaseModel } from './BaseModel.js';

/** A loan secured on a property; its payment and balance come from the amortization schedule. */
export class Mortgage extends BaseModel {
  static override tableName = 'mortgages';

  property_id!: string;
  user_id!: string;
  lender!: string | null;
  original_principal!: string;
  annual_rate!: string;
  term_months!: number;
  start_date!: string;
  payment_frequency!: PaymentFrequency;
  extra_principal_per_payment!: string;

  static override modifiers = {
    visibleTo(query: QueryBuilder<Mortgage>, actor: Actor) {
      query.where('mortgages.user_id', actor.userId);
    },
  };
}
