/**
 * Wake-ups and live updates for the task queue, raised by the database so every writer (API,
 * workers, raw SQL) is covered:
 * - `fo_task_queued`: a task became claimable (payload: its run_at in epoch ms); idle workers wake
 *   and claim instead of waiting for their poll.
 * - `fo_schedules`: a schedule's next run moved (payload: next_run_at in epoch ms).
 * - `fo_task_cancelled`: a running task was cancelled (payload: its id); its worker aborts the handler.
 * - `fo_task_events`: a task's status or progress changed (payload: id, user id, status), for
 *   the `tasks.onUpdate` subscription.
 * NOTIFY is transactional: listeners hear of a change only once it has committed. Heartbeats touch
 * neither column the triggers watch, so they notify nobody.
 * Also indexes the earliest queued run_at, which an idle worker reads to time its next claim.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION fo_agent_tasks_notify() RETURNS trigger LANGUAGE plpgsql AS $$
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
    END $$`);
  await knex.raw(`
    CREATE TRIGGER agent_tasks_notify
    AFTER INSERT OR UPDATE OF status, progress, progress_message, run_at ON agent_tasks
    FOR EACH ROW EXECUTE FUNCTION fo_agent_tasks_notify()`);

  await knex.raw(`
    CREATE FUNCTION fo_agent_schedules_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NOT NEW.paused THEN
        PERFORM pg_notify('fo_schedules', floor(extract(epoch FROM NEW.next_run_at) * 1000)::bigint::text);
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER agent_schedules_notify
    AFTER INSERT OR UPDATE OF next_run_at, paused ON agent_schedules
    FOR EACH ROW EXECUTE FUNCTION fo_agent_schedules_notify()`);

  await knex.raw(
    `CREATE INDEX agent_tasks_queued_run_at_idx ON agent_tasks (run_at) WHERE status = 'queued'`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS agent_tasks_queued_run_at_idx');
  await knex.raw('DROP TRIGGER IF EXISTS agent_schedules_notify ON agent_schedules');
  await knex.raw('DROP FUNCTION IF EXISTS fo_agent_schedules_notify()');
  await knex.raw('DROP TRIGGER IF EXISTS agent_tasks_notify ON agent_tasks');
  await knex.raw('DROP FUNCTION IF EXISTS fo_agent_tasks_notify()');
}
