/**
 * A token per claim, so a worker's writes to a task it claimed are fenced by that claim alone.
 * The fence used to be (worker, attempt number), but tasks.retry starts the attempt count again:
 * a worker that re-claimed a retried task while the cancelled run of it was still going held the
 * same (worker, attempt) twice, and the old run's completion counted for the new claim. Every claim
 * draws a fresh token; completions, failures, progress, releases and lease renewals name it.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('agent_tasks', (t) => {
    // Null until the first claim; the fence also requires status 'running'.
    t.uuid('claim_token');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('agent_tasks', (t) => {
    t.dropColumn('claim_token');
  });
}
