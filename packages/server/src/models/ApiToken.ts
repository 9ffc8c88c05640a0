import type { QueryBuilder } from 'objection';
import type { Actor } from '../actor.js';
import { BaseModel } from './BaseModel.js';

/** An API token for scripts: `fo_pat_<lookup>_<secret>`, the secret stored as SHA-256 only. */
export class ApiToken extends BaseModel {
  static override tableName = 'api_tokens';

  user_id!: string;
  name!: string;
  lookup!: string;
  secret_hash!: Buffer;
  scopes!: string[];
  expires_at!: Date;
  last_used_at!: Date | null;

  static override modifiers = {
    visibleTo(query: QueryBuilder<ApiToken>, actor: Actor) {
      query.where('api_tokens.user_id', actor.userId);
    },
  };
}
