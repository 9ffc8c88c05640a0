/**
 * Executes a migration plan. Every transactional migration of a run shares ONE transaction with
 * the lock and the bookkeeping: if any step fails, the database is left exactly as it was (as
 * Alembic does on PostgreSQL). Migrations that opt out of transactions (`config.transaction =
 * false`) switch the run to one transaction per step, with Knex's committed lock flag.
 *
 * Dry runs (`--sql`) execute the plan inside a transaction that is always rolled back, recording
 * each statement; the bookkeeping writes are printed, not executed, so no sequence moves either.
 */
import type { Knex } from '../knex.js';
import {
  type AppliedRevision,
  acquireLock,
  bookkeepingDdl,
  hasBookkeeping,
  nextBatch,
  readApplied,
  recordApplied,
  recordReverted,
  releaseLock,
} from './bookkeeping.js';
import { MigrateError, MigrationFailedError } from './errors.js';
import {
  isTransactional,
  loadMigration,
  MIGRATIONS_TABLE,
  type MigrationFile,
  type MigrationModule,
} from './files.js';
import { asStatement, captureSql } from './sql-capture.js';

export type Direction = 'up' | 'down';

/** Chooses the files to run from the applied revisions; called again under the lock. */
export type Planner = (applied: AppliedRevision[]) => MigrationFile[];

export interface RunOptions {
  direction: Direction;
  plan: Planner;
  /** host:port/database, for messages. */
  target: string;
  /** Preview: print the SQL through `onSql`, change nothing. */
  dryRun?: boolean;
  onSql?: (statement: string) => void;
}

interface Step {
  migration: MigrationFile;
  module: MigrationModule;
}

/** Runs the plan; returns the revisions applied (up) or reverted (down), in execution order. */
export async function runMigrations(knex: Knex, options: RunOptions): Promise<string[]> {
  const preliminary = options.plan(await readApplied(knex));
  if (preliminary.length === 0) return [];
  const steps: Step[] = [];
  for (const migration of preliminary) steps.push({ migration, module: await loadMigration(migration) });

  if (options.dryRun) return dryRun(knex, steps, options);
  if (steps.every((s) => isTransactional(s.module))) return runInOneTransaction(knex, steps, options);
  return runStepByStep(knex, steps, options);
}

function samePlan(expected: Step[], actual: MigrationFile[]): void {
  const names = (list: { name: string }[]) => list.map((m) => m.name).join(',');
  if (names(expected.map((s) => s.migration)) !== names(actual)) {
    throw new MigrateError(
      'Another process changed the migration state while this command started. Run it again.',
    );
  }
}

type Db = Knex | Knex.Transaction;

async function record(db: Db, step: Step, direction: Direction, batch: number): Promise<void> {
  if (direction === 'up') await recordApplied(db, step.migration.name, batch);
  else await recordReverted(db, step.migration.name);
}

async function applyStep(db: Db, step: Step, direction: Direction, batch: number): Promise<void> {
  await step.module[direction](db);
  await record(db, step, direction, batch);
}

async function runInOneTransaction(knex: Knex, steps: Step[], options: RunOptions): Promise<string[]> {
  return knex.transaction(async (trx) => {
    await acquireLock(trx, options.target);
    samePlan(steps, options.plan(await readApplied(trx)));
    for (const step of steps) {
      try {
        await step.module[options.direction](trx);
      } catch (err) {
        throw new MigrationFailedError(step.migration.name, options.direction, err);
      }
    }
    // Recorded after every step succeeded: a failed run does not even advance the id sequence.
    const batch = await nextBatch(trx);
    for (const step of steps) await record(trx, step, options.direction, batch);
    await releaseLock(trx);
    return steps.map((s) => s.migration.name);
  });
}

async function runStepByStep(knex: Knex, steps: Step[], options: RunOptions): Promise<string[]> {
  await knex.transaction(async (trx) => {
    await acquireLock(trx, options.target);
    samePlan(steps, options.plan(await readApplied(trx)));
  });
  const done: string[] = [];
  try {
    const batch = await nextBatch(knex);
    for (const step of steps) {
      try {
        if (isTransactional(step.module)) {
          await knex.transaction((trx) => applyStep(trx, step, options.direction, batch));
        } else {
          await applyStep(knex, step, options.direction, batch);
        }
      } catch (err) {
        throw new MigrationFailedError(step.migration.name, options.direction, err, done);
      }
      done.push(step.migration.name);
    }
    return done;
  } finally {
    await releaseLock(knex);
  }
}

async function dryRun(knex: Knex, steps: Step[], options: RunOptions): Promise<string[]> {
  const emit = options.onSql ?? (() => {});
  const outside = steps.find((s) => !isTransactional(s.module));
  if (outside) {
    throw new MigrateError(
      `Migration ${outside.migration.name} runs outside a transaction, so its SQL cannot be previewed without running it.`,
    );
  }
  const trx = await knex.transaction();
  try {
    samePlan(steps, options.plan(await readApplied(trx)));
    if (!(await hasBookkeeping(trx))) {
      emit('-- Create the migration bookkeeping tables');
      for (const ddl of bookkeepingDdl(knex)) emit(asStatement(ddl));
    }
    const batch = await nextBatchOrFirst(trx);
    for (const step of steps) {
      const { name } = step.migration;
      emit(`-- ${options.direction === 'up' ? 'Running upgrade' : 'Running downgrade'}: ${name}`);
      try {
        await captureSql(knex, trx, emit, () => step.module[options.direction](trx));
      } catch (err) {
        throw new MigrationFailedError(name, options.direction, err);
      }
      const record =
        options.direction === 'up'
          ? knex(MIGRATIONS_TABLE).insert({ name, batch, migration_time: knex.fn.now() })
          : knex(MIGRATIONS_TABLE).where({ name }).delete();
      emit(asStatement(record.toString()));
    }
    return steps.map((s) => s.migration.name);
  } finally {
    await trx.rollback();
  }
}

async function nextBatchOrFirst(trx: Knex.Transaction): Promise<number> {
  return (await hasBookkeeping(trx)) ? nextBatch(trx) : 1;
}
