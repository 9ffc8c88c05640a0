import type { AuditEventType } from '@fo/schema';
import type { QueryBuilder } from 'objection';
import type { Actor } from '../actor.js';
import { BaseModel } from './BaseModel.js';

/** A security event; append-only. */
export class AuditEvent extends BaseModel {
  static override tableName = 'audit_events';

  user_id!: string | null;
  event!: AuditEventType;
  session_id!: string | null;
  api_token_id!: string | null;
  ip!: string | null;
  user_agent!: string | null;
  details!: Record<string, unknown>;

  static override jsonAttributes = ['details'];

  static override modifiers = {
    visibleTo(query: QueryBuilder<AuditEvent>, actor: Actor) {
      query.where('audit_events.user_id', actor.userId);
    },
  };
}
