import type { QueryBuilder } from 'objection';
import type { Actor } from '../actor.js';
import { BaseModel } from './BaseModel.js';

/** A recurring task: enqueued by the workers each time `next_run_at` comes due. */
export class AgentSchedule extends BaseModel {
  static override tableName = 'agent_schedules';
  static override jsonAttributes = ['input'];

  user_id!: string;
  type!: string;
  input!: unknown;
  cron!: string;
  timezone!: string;
  priority!: number;
  max_attempts!: number;
  paused!: boolean;
  is_default!: boolean;
  next_run_at!: Date;
  last_run_at!: Date | null;

  static override modifiers = {
    visibleTo(query: QueryBuilder<AgentSchedule>, actor: Actor) {
      query.where('agent_schedules.user_id', actor.userId);
    },
  };
}
