import { Model, type QueryBuilder, type RelationMappings } from 'objection';
import type { Actor } from '../actor.js';
import { BaseModel } from './BaseModel.js';
import { User } from './User.js';

export class AgentTask extends BaseModel {
  static override tableName = 'agent_tasks';
  static override jsonAttributes = ['input', 'result'];

  user_id!: string | null;
  type!: string;
  status!: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  priority!: number;
  run_at!: Date;
  attempts!: number;
  max_attempts!: number;
  locked_by!: string | null;
  locked_until!: Date | null;
  heartbeat_at!: Date | null;
  /** Drawn by each claim; the worker's writes name it (never exposed). */
  claim_token!: string | null;
  progress!: string;
  progress_message!: string | null;
  input!: unknown;
  result!: unknown;
  last_error!: string | null;
  started_at!: Date | null;
  finished_at!: Date | null;
  cron!: string | null;
  timezone!: string | null;
  idempotency_key!: string | null;
  schedule_id!: string | null;

  static override relationMappings = (): RelationMappings => ({
    owner: {
      relation: Model.BelongsToOneRelation,
      modelClass: User,
      join: { from: 'agent_tasks.user_id', to: 'users.id' },
    },
  });

  static override modifiers = {
    visibleTo(query: QueryBuilder<AgentTask>, actor: Actor) {
      query.where('agent_tasks.user_id', actor.userId);
    },
  };
}
