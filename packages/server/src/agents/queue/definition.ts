/**
 * What a task type is: an input schema, a result schema and a handler. Adding an agent is one file
 * that calls `defineTask` (types from @fo/schema's TASK_DEFINITIONS) or `defineAgent` (any zod
 * schemas), plus its line in agents/index.ts.
 *
 * Results are stored as JSON and parsed again when read, so a result must survive the trip:
 * `run` checks that before anything is stored.
 */
import { TASK_DEFINITIONS, type TaskInput, type TaskResult, type TaskType } from '@fo/schema';
import { ZodError, type z } from 'zod';
import type { Actor } from '../../actor.js';
import type { Knex } from '../../db/knex.js';
import type { Logger } from '../../logger.js';

/** A failure retrying cannot fix (invalid input, missing data): the task fails at once. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

/** Why a running handler's signal fired. */
export type AbortCause = 'cancelled' | 'lease_lost' | 'shutdown';

export class TaskAbortedError extends Error {
  override name = 'TaskAbortedError';
  constructor(readonly abortCause: AbortCause) {
    super(
      abortCause === 'cancelled'
        ? 'The task was cancelled'
        : abortCause === 'shutdown'
          ? 'The worker is shutting down'
          : 'The worker lost its lease on the task',
    );
  }
}

export interface TaskInfo {
  id: string;
  /** 1 for the first claim, 2 for the next, ... */
  attempt: number;
  maxAttempts: number;
  scheduleId: string | null;
}

export interface AgentContext<I> {
  input: I;
  /** The task's owner, with the scopes a session has. */
  actor: Actor;
  db: Knex;
  /** Fires when the task is cancelled, its lease is lost or the worker shuts down. */
  signal: AbortSignal;
  /** Reports progress (0..1) and what the handler is doing; tasks.onUpdate streams it. */
  progress(fraction: number, message?: string): Promise<void>;
  task: TaskInfo;
  logger: Logger;
}

export interface AgentRunContext extends Omit<AgentContext<unknown>, 'input'> {
  rawInput: unknown;
}

export interface DefaultSchedule {
  cron: string;
  timezone: string;
}

/**
 * Enqueues the agent's due work during the workers' housekeeping (every few seconds), for agents
 * whose recurrence is per record rather than per user (e.g. each linked institution's sync
 * interval). Returns the number of tasks enqueued. Must be safe with several workers sweeping.
 */
export type Sweep = (db: Knex, logger: Logger) => Promise<number>;

/** A task type as the worker sees it, its types erased behind `run`. */
export interface Agent {
  readonly type: string;
  /** Created for every user unless they pause it. */
  readonly defaultSchedule?: DefaultSchedule;
  readonly sweep?: Sweep;
  /** Parses the input (a ZodError becomes a PermanentError), runs the handler, returns JSON. */
  run(ctx: AgentRunContext): Promise<unknown>;
}

export interface AgentSpec<IS extends z.ZodType, RS extends z.ZodType> {
  type: string;
  input: IS;
  result: RS;
  defaultSchedule?: DefaultSchedule;
  sweep?: Sweep;
  handler(ctx: AgentContext<z.output<IS>>): Promise<z.input<RS>>;
}

function describeZod(err: ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

export function defineAgent<IS extends z.ZodType, RS extends z.ZodType>(spec: AgentSpec<IS, RS>): Agent {
  return {
    type: spec.type,
    ...(spec.defaultSchedule ? { defaultSchedule: spec.defaultSchedule } : {}),
    ...(spec.sweep ? { sweep: spec.sweep } : {}),
    async run({ rawInput, ...ctx }) {
      const parsedInput = spec.input.safeParse(rawInput);
      if (!parsedInput.success) {
        throw new PermanentError(`Invalid input for ${spec.type}: ${describeZod(parsedInput.error)}`);
      }
      const value = await spec.handler({ ...ctx, input: parsedInput.data });
      let json: unknown;
      try {
        json = JSON.parse(JSON.stringify(spec.result.parse(value)));
        spec.result.parse(json);
      } catch (err) {
        const detail = err instanceof ZodError ? describeZod(err) : String(err);
        throw new PermanentError(`The ${spec.type} handler returned an invalid result: ${detail}`);
      }
      return json;
    },
  };
}

/** An agent for one of the platform's task types: schemas come from @fo/schema. */
export function defineTask<T extends TaskType>(
  type: T,
  spec: {
    defaultSchedule?: DefaultSchedule;
    sweep?: Sweep;
    handler(ctx: AgentContext<TaskInput<T>>): Promise<TaskResult<T>>;
  },
): Agent {
  const schemas = TASK_DEFINITIONS[type];
  return defineAgent({
    type,
    input: schemas.input as unknown as z.ZodType<TaskInput<T>>,
    result: schemas.result as z.ZodType<unknown>,
    ...(spec.defaultSchedule ? { defaultSchedule: spec.defaultSchedule } : {}),
    ...(spec.sweep ? { sweep: spec.sweep } : {}),
    handler: spec.handler,
  });
}

/** Exponential backoff with equal jitter: half the step, plus up to half again at random. */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const step = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}
