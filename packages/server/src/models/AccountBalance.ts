import type { QueryBuilder } from 'objection';
import type { Actor } from '../actor.js';
import { BaseModel } from './BaseModel.js';

/** One dated balance of a cash-like account (amount owed, positive, for liabilities). */
export class AccountBalance extends BaseModel {
  static override tableName = 'account_balances';

  account_id!: string;
  user_id!: string;
  date!: string;
  balance!: string;
  source!: 'manual' | 'statement' | 'sync' | 'import';

  static override modifiers = {
    visibleTo(query: QueryBuilder<AccountBalance>, actor: Actor) {
      query.where('account_balances.user_id', actor.userId);
    },
  };
}
