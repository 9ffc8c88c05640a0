import type { QueryBuilder } from 'objection';
import type { Actor } from '../actor.js';
import { BaseModel } from './BaseModel.js';

/** A sign-in session; the id is the public half of the token, `secret_hash` the SHA-256 of the other. */
export class Session extends BaseModel {
  static override tableName = 'sessions';

  user_id!: string;
  secret_hash!: Buffer;
  mfa_pending!: boolean;
  ip!: string | null;
  user_agent!: string | null;
  last_used_at!: Date;
  expires_at!: Date;
  absolute_expires_at!: Date;

  // Ids are random tokens made by the auth layer, not UUIDv7.
  override $beforeInsert(): void {
    const now = new Date();
    this.created_at ??= now;
    this.updated_at ??= now;
  }

  static override modifiers = {
    visibleTo(query: QueryBuilder<Session>, actor: Actor) {
      query.where('sessions.user_id', actor.userId);
    },
  };
}
