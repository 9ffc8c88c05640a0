/**
 * Task workers register themselves so operators can see who is running: identity (host, pid),
 * start time, concurrency, the task types they run, and a heartbeat. A worker that stops cleanly
 * sets `stopped_at`; one whose heartbeat is old has died. Rows of long-gone workers are pruned
 * by the workers themselves.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('agent_workers', (t) => {
    // host:pid:random, also written into agent_tasks.locked_by.
    t.text('id').primary({ constraintName: 'agent_workers_pkey' });
    t.text('host').notNullable();
    t.integer('pid').notNullable();
    t.integer('concurrency').notNullable();
    // Its heartbeat interval: a worker silent for a few of these is presumed dead.
    t.integer('heartbeat_ms').notNullable();
    t.specificType('task_types', 'text[]').notNullable().defaultTo('{}');
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_heartbeat_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('stopped_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('length(id) BETWEEN 1 AND 300', [], 'agent_workers_id_length');
    t.check('concurrency >= 1', [], 'agent_workers_concurrency_pos');
    t.check('pid > 0', [], 'agent_workers_pid_pos');
    t.check('heartbeat_ms > 0', [], 'agent_workers_heartbeat_ms_pos');
  });
  await knex.raw('CREATE INDEX agent_workers_heartbeat_idx ON agent_workers (last_heartbeat_at)');
  await knex.raw(
    'CREATE TRIGGER agent_workers_set_updated_at BEFORE UPDATE ON agent_workers FOR EACH ROW EXECUTE FUNCTION fo_set_updated_at()',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('agent_workers');
}
