/**
 * Task events only for users someone is watching. A transaction that NOTIFYs takes a global lock
 * at commit (PostgreSQL keeps notifications in commit order), so notifying on every claim and
 * completion serialised the queue's commits, fsync included: ~90 tasks/s instead of ~400 with
 * ten concurrent slots. `tasks.onUpdate` servers now register the users they stream for in
 * `agent_task_watchers` (refreshed while the stream lives, expiring if the server dies), and the
 * trigger raises `fo_task_events` only for those users. Wake-ups (`fo_task_queued`) and
 * cancellations (`fo_task_cancelled`) are unchanged: they happen on insert, requeue and cancel,
 * not on the claim/complete path.
 */
import type { Knex } from 'knex';

const NOTIFY_PREVIOUS = `
    CREATE OR REPLACE FUNCTION fo_agent_tasks_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT'
         OR NEW.status IS DISTINCT FROM OLD.status
         OR NEW.progress IS DISTINCT FROM OLD.progress
         OR NEW.progress_message IS DISTINCT FROM OLD.progress_message THEN
        PERFORM pg_notify('fo_task_events',
          json_build_object('id', NEW.id, 'userId', NEW.user_id, 'status', NEW.status)::text);
      END IF;
      IF NEW.status = 'queued'
         AND (TG_OP = 'INSERT' OR OLD.status <> 'queued' OR NEW.run_at IS DISTINCT FROM OLD.run_at) THEN
        PERFORM pg_notify('fo_task_queued', floor(extract(epoch FROM NEW.run_at) * 1000)::bigint::text);
      END IF;
      IF TG_OP = 'UPDATE' AND OLD.status = 'running' AND NEW.status = 'cancelled' THEN
        PERFORM pg_notify('fo_task_cancelled', NEW.id::text);
      END IF;
      RETURN NULL;
    END $$`;

const NOTIFY_WATCHED = `
    CREATE OR REPLACE FUNCTION fo_agent_tasks_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (TG_OP = 'INSERT'
          OR NEW.status IS DISTINCT FROM OLD.status
          OR NEW.progress IS DISTINCT FROM OLD.progress
          OR NEW.progress_message IS DISTINCT FROM OLD.progress_message)
         AND EXISTS (SELECT 1 FROM agent_task_watchers w
                     WHERE w.user_id = NEW.user_id AND w.expires_at > now()) THEN
        PERFORM pg_notify('fo_task_events',
          json_build_object('id', NEW.id, 'userId', NEW.user_id, 'status', NEW.status)::text);
      END IF;
      IF NEW.status = 'queued'
         AND (TG_OP = 'INSERT' OR OLD.status <> 'queued' OR NEW.run_at IS DISTINCT FROM OLD.run_at) THEN
        PERFORM pg_notify('fo_task_queued', floor(extract(epoch FROM NEW.run_at) * 1000)::bigint::text);
      END IF;
      IF TG_OP = 'UPDATE' AND OLD.status = 'running' AND NEW.status = 'cancelled' THEN
        PERFORM pg_notify('fo_task_cancelled', NEW.id::text);
      END IF;
      RETURN NULL;
    END $$`;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('agent_task_watchers', (t) => {
    t.uuid('user_id')
      .notNullable()
      .references('id')
      .inTable('users')
      .onDelete('CASCADE')
      .withKeyName('agent_task_watchers_user_fk');
    // The watching server process (random per process).
    t.text('watcher_id').notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['user_id', 'watcher_id'], { constraintName: 'agent_task_watchers_pkey' });
    t.check('length(watcher_id) BETWEEN 1 AND 100', [], 'agent_task_watchers_watcher_id_length');
  });
  await knex.raw(
    'CREATE TRIGGER agent_task_watchers_set_updated_at BEFORE UPDATE ON agent_task_watchers FOR EACH ROW EXECUTE FUNCTION fo_set_updated_at()',
  );
  await knex.raw(NOTIFY_WATCHED);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(NOTIFY_PREVIOUS);
  await knex.schema.dropTable('agent_task_watchers');
}
