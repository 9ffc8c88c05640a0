/**
 * Recurring tasks: a schedule holds a task type, its input and a cron expression evaluated in a
 * time zone; workers enqueue one task per due schedule and move `next_run_at` to the next slot
 * after now (so a schedule missed during downtime runs once, not once per missed slot).
 * Each enqueued task points back at its schedule. Agents that recur by default (the daily
 * net-worth snapshot) get one `is_default` schedule per user, which users pause rather than delete.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('agent_schedules', (t) => {
    t.uuid('id', { primaryKey: true }).defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('user_id')
      .notNullable()
      .references('id')
      .inTable('users')
      .onDelete('CASCADE')
      .withKeyName('agent_schedules_user_fk');
    t.text('type').notNullable();
    t.jsonb('input').notNullable().defaultTo('{}');
    t.text('cron').notNullable();
    t.text('timezone').notNullable().defaultTo('UTC');
    t.integer('priority').notNullable().defaultTo(0);
    t.integer('max_attempts').notNullable().defaultTo(3);
    t.boolean('paused').notNullable().defaultTo(false);
    t.boolean('is_default').notNullable().defaultTo(false);
    t.timestamp('next_run_at', { useTz: true }).notNullable();
    t.timestamp('last_run_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('length(type) BETWEEN 1 AND 100', [], 'agent_schedules_type_length');
    t.check('length(cron) BETWEEN 1 AND 200', [], 'agent_schedules_cron_length');
    t.check('length(timezone) BETWEEN 1 AND 100', [], 'agent_schedules_timezone_length');
    t.check('max_attempts >= 1', [], 'agent_schedules_max_attempts_pos');
  });
  // The scheduler's scan: due, unpaused schedules.
  await knex.raw('CREATE INDEX agent_schedules_due_idx ON agent_schedules (next_run_at) WHERE NOT paused');
  await knex.raw(
    'CREATE INDEX agent_schedules_user_created_idx ON agent_schedules (user_id, created_at, id)',
  );
  // At most one default schedule per user and type.
  await knex.raw(
    'CREATE UNIQUE INDEX agent_schedules_user_default_uq ON agent_schedules (user_id, type) WHERE is_default',
  );
  await knex.raw(
    'CREATE TRIGGER agent_schedules_set_updated_at BEFORE UPDATE ON agent_schedules FOR EACH ROW EXECUTE FUNCTION fo_set_updated_at()',
  );

  await knex.schema.alterTable('agent_tasks', (t) => {
    t.uuid('schedule_id')
      .references('id')
      .inTable('agent_schedules')
      .onDelete('SET NULL')
      .withKeyName('agent_tasks_schedule_fk');
  });
  await knex.raw(
    'CREATE INDEX agent_tasks_schedule_idx ON agent_tasks (schedule_id, created_at) WHERE schedule_id IS NOT NULL',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS agent_tasks_schedule_idx');
  await knex.schema.alterTable('agent_tasks', (t) => {
    t.dropForeign(['schedule_id'], 'agent_tasks_schedule_fk');
    t.dropColumn('schedule_id');
  });
  await knex.schema.dropTable('agent_schedules');
}
