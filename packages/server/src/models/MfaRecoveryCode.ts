import type { QueryBuilder } from 'objection';
import type { Actor } from '../actor.js';
import { BaseModel } from './BaseModel.js';

export class MfaRecoveryCode extends BaseModel {
  static override tableName = 'mfa_recovery_codes';

  user_id!: string;
  code_hash!: Buffer;
  used_at!: Date | null;

  static override modifiers = {
    visibleTo(query: QueryBuilder<MfaRecoveryCode>, actor: Actor) {
      query.where('mfa_recovery_codes.user_id', actor.userId);
    },
  };
}
