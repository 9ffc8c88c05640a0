import type { RiskTolerance } from '@fo/schema';
import type { QueryBuilder } from 'objection';
import type { Actor } from '../actor.js';
import { BaseModel } from './BaseModel.js';

export class User extends BaseModel {
  static override tableName = 'users';

  email!: string;
  password_hash!: string;
  name!: string | null;
  risk_tolerance!: RiskTolerance;
  investment_horizon_years!: number | null;
  base_currency!: string;
  net_worth!: string | null;
  net_worth_as_of!: Date | null;
  mfa_enabled!: boolean;
  mfa_secret!: string | null;
  mfa_last_used_step!: number | null;
  mfa_enabled_at!: Date | null;

  static override modifiers = {
    /** A user sees only their own user row. */
    visibleTo(query: QueryBuilder<User>, actor: Actor) {
      query.where('users.id', actor.userId);
    },
  };
}
