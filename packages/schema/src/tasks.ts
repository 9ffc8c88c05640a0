/**
 * Background tasks: the queue's wire contract. Each task type has an input and a result schema in
 * TASK_DEFINITIONS (one file per type under task-types/); the create input, the task record and
 * the SDK's types are derived from that map, so `tasks.byId` narrows `result` by `type`.
 * Results are stored as JSON: every schema here must accept its own JSON form (Decimals as
 * strings, calendar dates as 'YYYY-MM-DD', moments as ISO strings).
 */
import { z } from 'zod';
import { zPage, zPageInput, zUuid } from './common.js';
import { TASK_STATUSES } from './enums.js';
import { zCashFlowForecastInput, zCashFlowForecastResult } from './task-types/cash-flow-forecast.js';
import { zNoopInput, zNoopResult } from './task-types/noop.js';
import { zPlaidSyncInput, zPlaidSyncResult } from './task-types/plaid-sync.js';
import { zPortfolioAnalysisInput, zPortfolioAnalysisResult } from './task-types/portfolio-analysis.js';
import { zRebalanceInput, zRebalanceResult } from './task-types/rebalance.js';
import { zRefreshNetWorthInput, zRefreshNetWorthResult } from './task-types/refresh-net-worth.js';
import { zTaxLossHarvestInput, zTaxLossHarvestResult } from './task-types/tax-loss-harvest.js';

export const TASK_DEFINITIONS = {
  noop: { input: zNoopInput, result: zNoopResult },
  portfolio_analysis: { input: zPortfolioAnalysisInput, result: zPortfolioAnalysisResult },
  cash_flow_forecast: { input: zCashFlowForecastInput, result: zCashFlowForecastResult },
  rebalance: { input: zRebalanceInput, result: zRebalanceResult },
  refresh_net_worth: { input: zRefreshNetWorthInput, result: zRefreshNetWorthResult },
  tax_loss_harvest: { input: zTaxLossHarvestInput, result: zTaxLossHarvestResult },
  plaid_sync: { input: zPlaidSyncInput, result: zPlaidSyncResult },
} as const;

export type TaskType = keyof typeof TASK_DEFINITIONS;
export const TASK_TYPES = Object.keys(TASK_DEFINITIONS) as [TaskType, ...TaskType[]];
export const zTaskType = z.enum(TASK_TYPES);

/** What a handler receives (after parsing) for task type T. */
export type TaskInput<T extends TaskType> = z.output<(typeof TASK_DEFINITIONS)[T]['input']>;
/** What a task of type T stores as its result. */
export type TaskResult<T extends TaskType> = z.output<(typeof TASK_DEFINITIONS)[T]['result']>;

export const zTaskStatus = z.enum(TASK_STATUSES);

/** An IANA time zone name PostgreSQL and Intl both know, e.g. 'Europe/Paris' or 'UTC'. */
export const zTimeZone = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .refine(
    (tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    },
    { message: 'Unknown time zone; use an IANA name such as Europe/Paris' },
  );

/** A five-field cron expression (minute hour day-of-month month day-of-week), or six with seconds. */
export const zCron = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((v) => /^\S+(\s+\S+){4,5}$/.test(v) || /^@\w+$/.test(v), {
    message: "Expected a cron expression such as '0 6 * * *'",
  });

const zEnqueueOptions = z.object({
  /** Not before this moment (default now). */
  runAt: z.coerce.date().optional(),
  /** Higher runs first (default 0). */
  priority: z.number().int().min(-1000).max(1000).default(0),
  /** Claims allowed before the task is marked failed (default 3). */
  maxAttempts: z.number().int().min(1).max(25).default(3),
  /** Repeating a key (per user) returns the task created with it instead of a new one. */
  idempotencyKey: z.string().trim().min(1).max(200).optional(),
});

type Definitions = typeof TASK_DEFINITIONS;
/**
 * Spells a type out as a plain object (distributing over unions), so declarations that infer
 * from these schemas (the SDK's) print the shape instead of naming an alias that leads to zod.
 */
type Plain<T> = { [K in keyof T]: T[K] } & {};

// The unions below are built at run time from TASK_DEFINITIONS; their static types are spelled
// out per task type (mapped types), because TypeScript does not narrow a union derived from
// `ReturnType<typeof variant<K>>` by its discriminant.
function createVariant(type: TaskType) {
  return zEnqueueOptions.extend({ type: z.literal(type), input: TASK_DEFINITIONS[type].input });
}
type EnqueueIn = z.input<typeof zEnqueueOptions>;
type EnqueueOut = z.output<typeof zEnqueueOptions>;
/** tasks.create's input as callers write it: `input` is checked against `type`'s schema. */
export type CreateTaskInput = {
  [K in TaskType]: EnqueueIn & { type: K; input: z.input<Definitions[K]['input']> };
}[TaskType];
export type CreateTaskParsed = { [K in TaskType]: EnqueueOut & { type: K; input: TaskInput<K> } }[TaskType];
export const zCreateTaskInput = z.discriminatedUnion(
  'type',
  TASK_TYPES.map(createVariant) as unknown as [ReturnType<typeof createVariant>],
) as unknown as z.ZodType<Plain<CreateTaskParsed>, Plain<CreateTaskInput>>;

function scheduleVariant(type: TaskType) {
  return zScheduleOptions.extend({ type: z.literal(type), input: TASK_DEFINITIONS[type].input });
}
const zScheduleOptions = z.object({
  cron: zCron,
  timezone: zTimeZone.default('UTC'),
  priority: z.number().int().min(-1000).max(1000).default(0),
  maxAttempts: z.number().int().min(1).max(25).default(3),
});
type ScheduleIn = z.input<typeof zScheduleOptions>;
type ScheduleOut = z.output<typeof zScheduleOptions>;
export type ScheduleTaskInput = {
  [K in TaskType]: ScheduleIn & { type: K; input: z.input<Definitions[K]['input']> };
}[TaskType];
export type ScheduleTaskParsed = {
  [K in TaskType]: ScheduleOut & { type: K; input: TaskInput<K> };
}[TaskType];
export const zScheduleTaskInput = z.discriminatedUnion(
  'type',
  TASK_TYPES.map(scheduleVariant) as unknown as [ReturnType<typeof scheduleVariant>],
) as unknown as z.ZodType<Plain<ScheduleTaskParsed>, Plain<ScheduleTaskInput>>;

const zTaskFields = z.object({
  id: zUuid,
  status: zTaskStatus,
  priority: z.number().int(),
  runAt: z.date(),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  /** Fraction done, 0..1, as the handler reported it. */
  progress: z.number().min(0).max(1),
  progressMessage: z.string().nullable(),
  lastError: z.string().nullable(),
  /** Worker holding the task while it runs. */
  workerId: z.string().nullable(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  scheduleId: zUuid.nullable(),
  cron: z.string().nullable(),
  timezone: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

function taskVariant(type: TaskType) {
  return zTaskFields.extend({
    type: z.literal(type),
    input: TASK_DEFINITIONS[type].input,
    result: TASK_DEFINITIONS[type].result.nullable(),
  });
}
type TaskFields = z.output<typeof zTaskFields>;
/** A task with its input and result, typed by `type`. */
export type Task = {
  [K in TaskType]: TaskFields & { type: K; input: TaskInput<K>; result: TaskResult<K> | null };
}[TaskType];
export const zTask = z.discriminatedUnion(
  'type',
  TASK_TYPES.map(taskVariant) as unknown as [ReturnType<typeof taskVariant>],
) as unknown as z.ZodType<Plain<Task>>;
/** A task of one type, e.g. `TaskOf<'portfolio_analysis'>`. */
export type TaskOf<T extends TaskType> = Extract<Task, { type: T }>;

/** A task in a list: no input or result (fetch those with tasks.byId). */
export const zTaskSummary = zTaskFields.extend({ type: z.string() });
export type TaskSummary = z.output<typeof zTaskSummary>;

export const zTaskListInput = zPageInput.extend({
  status: z.union([zTaskStatus, z.array(zTaskStatus).min(1).max(5)]).optional(),
  type: z.string().min(1).max(100).optional(),
  scheduleId: zUuid.optional(),
  /** Created at or after this moment. */
  createdFrom: z.coerce.date().optional(),
  /** Created before this moment. */
  createdTo: z.coerce.date().optional(),
});
export type TaskListInput = z.input<typeof zTaskListInput>;
export const zTaskPage = zPage(zTaskSummary);

export const zTaskIdInput = z.object({ id: zUuid });

/** One event of tasks.onUpdate. */
export const zTaskUpdate = z.object({
  id: zUuid,
  type: z.string(),
  status: zTaskStatus,
  progress: z.number().min(0).max(1),
  progressMessage: z.string().nullable(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  updatedAt: z.date(),
});
export type TaskUpdate = z.output<typeof zTaskUpdate>;

/** One task (`taskId`), ending once it is finished, or every task of the caller's. */
export const zTaskUpdatesInput = z.object({ taskId: zUuid.optional() }).default({});

export const TERMINAL_TASK_STATUSES = ['succeeded', 'failed', 'cancelled'] as const;
export function isTerminalTaskStatus(status: string): boolean {
  return (TERMINAL_TASK_STATUSES as readonly string[]).includes(status);
}

export const zTaskSchedule = z.object({
  id: zUuid,
  type: z.string(),
  input: z.unknown(),
  cron: z.string(),
  timezone: z.string(),
  priority: z.number().int(),
  maxAttempts: z.number().int(),
  paused: z.boolean(),
  /** Created by the platform for an agent that recurs by default; pause it rather than delete it. */
  isDefault: z.boolean(),
  nextRunAt: z.date(),
  lastRunAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type TaskSchedule = z.output<typeof zTaskSchedule>;
export const zTaskSchedulePage = zPage(zTaskSchedule);
export const zTaskScheduleListInput = zPageInput.extend({ type: z.string().min(1).max(100).optional() });

export const WORKER_STATES = ['active', 'stale', 'stopped'] as const;
export const zTaskWorker = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number().int(),
  concurrency: z.number().int(),
  taskTypes: z.array(z.string()),
  startedAt: z.date(),
  lastHeartbeatAt: z.date(),
  stoppedAt: z.date().nullable(),
  /** `stale`: no heartbeat for a few lease periods (the process probably died). */
  state: z.enum(WORKER_STATES),
});
export type TaskWorker = z.output<typeof zTaskWorker>;
export const zTaskWorkerList = z.object({ items: z.array(zTaskWorker) });
