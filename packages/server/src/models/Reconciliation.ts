import type { QueryBuilder } from 'objection';
import type { Actor } from '../actor.js';
import { BaseModel } from './BaseModel.js';

export interface StoredPositionDifference {
  symbol: string;
  statementQuantity: string;
  ledgerQuantity: string;
  difference: string;
}

/** A completed statement reconciliation of one account as of a date. */
export class Reconciliation extends BaseModel {
  static override tableName = 'reconciliations';
  static override jsonAttributes = ['positions'];

  account_id!: string;
  user_id!: string;
  statement_date!: string;
  statement_cash!: string;
  ledger_cash!: string;
  cash_difference!: string;
  positions!: StoredPositionDifference[];
  status!: 'balanced' | 'accepted_with_differences';
  transactions_reconciled!: number;

  static override modifiers = {
    visibleTo(query: QueryBuilder<Reconciliation>, actor: Actor) {
      query.where('reconciliations.user_id', actor.userId);
    },
  };
}
