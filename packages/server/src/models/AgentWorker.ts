import objection from 'objection';

/** A running (or recently stopped) task worker. Infrastructure, not user data: no owner. */
export class AgentWorker extends objection.Model {
  static override tableName = 'agent_workers';

  id!: string;
  host!: string;
  pid!: number;
  concurrency!: number;
  heartbeat_ms!: number;
  task_types!: string[];
  started_at!: Date;
  last_heartbeat_at!: Date;
  stopped_at!: Date | null;
  created_at!: Date;
  updated_at!: Date;
}
