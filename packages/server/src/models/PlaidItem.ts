import { Model, type QueryBuilder, type RelationMappings } from 'objection';
import type { Actor } from '../actor.js';
import { Account } from './Account.js';
import { BaseModel } from './BaseModel.js';
import { User } from './User.js';

export type PlaidItemStatus = 'idle' | 'syncing' | 'ok' | 'error' | 'requires_reauth';

/** A linked institution login. The access token is encrypted; it never leaves the server. */
export class PlaidItem extends BaseModel {
  static override tableName = 'plaid_items';
  static override jsonAttributes = ['reconciliation'];

  user_id!: string;
  item_id!: string;
  institution_id!: string | null;
  institution_name!: string | null;
  products!: string[];
  access_token_ciphertext!: string;
  access_token_key_id!: string;
  transactions_cursor!: string | null;
  investments_synced_through!: string | null;
  status!: PlaidItemStatus;
  last_synced_at!: Date | null;
  last_attempt_at!: Date | null;
  last_error_code!: string | null;
  last_error_message!: string | null;
  next_sync_at!: Date | null;
  consent_expires_at!: Date | null;
  reconciliation!: unknown;

  static override relationMappings = (): RelationMappings => ({
    owner: {
      relation: Model.BelongsToOneRelation,
      modelClass: User,
      join: { from: 'plaid_items.user_id', to: 'users.id' },
    },
    accounts: {
      relation: Model.HasManyRelation,
      modelClass: Account,
      join: { from: 'plaid_items.item_id', to: 'accounts.plaid_item_id' },
    },
  });

  static override modifiers = {
    visibleTo(query: QueryBuilder<PlaidItem>, actor: Actor) {
      query.where('plaid_items.user_id', actor.userId);
    },
  };
}
