/**
 * A task worker: claims due tasks (FOR UPDATE SKIP LOCKED), runs their handlers with bounded
 * concurrency, renews their leases while they run, and records each outcome behind a fence.
 *
 * Wake-ups come from LISTEN/NOTIFY (a task became due, a running task was cancelled), with a
 * polling fallback for when the listening connection is down. Idle, the worker sleeps until the
 * earliest known due time, a notification, or the poll interval, whichever comes first.
 *
 * Exactly-once to success: a claim bumps `attempts` and draws a token, every later write names that
 * claim, and a worker that cannot renew its lease aborts its handler before the lease can expire
 * and another worker take the task over. Workers also run the housekeeping (expired leases, due
 * schedules).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { systemActor } from '../../actor.js';
import type { Knex } from '../../db/knex.js';
import type { Logger } from '../../logger.js';
import { NotFoundError, ValidationError } from '../../services/errors.js';
import { type AbortCause, type Agent, PermanentError, retryDelayMs, TaskAbortedError } from './definition.js';
import { connectionConfigOf, PgListener } from './listener.js';
import { enqueueDueSchedules, ensureDefaultSchedules } from './schedules.js';
import {
  type ClaimedTask,
  claimTasks,
  completeTask,
  type Fence,
  failTask,
  markWorkerStopped,
  nextDueTimes,
  pruneWorkers,
  registerWorker,
  releaseTask,
  renewLeases,
  reportProgress,
  requeueExpiredLeases,
} from './store.js';

export interface WorkerOptions {
  db: Knex;
  agents: readonly Agent[];
  logger: Logger;
  concurrency: number;
  /** How long a claim holds without renewal. */
  leaseMs: number;
  /** Lease renewal interval (default leaseMs / 3). */
  heartbeatMs?: number | undefined;
  /** Polling fallback. */
  pollMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Enqueue due schedules, create default ones and run the agents' sweeps (default true). */
  runSchedules?: boolean;
  id?: string;
}

interface Running {
  task: ClaimedTask;
  fence: Fence;
  controller: AbortController;
  /** performance.now() until which the lease is known to hold. */
  leaseValidUntil: number;
  abortCause: AbortCause | null;
  done: Promise<void>;
}

const DEFAULT_SCHEDULES_EVERY_MS = 60_000;

export function defaultWorkerId(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/** Retrying cannot fix these: bad input, or records that do not exist. */
function isPermanent(err: unknown): boolean {
  return err instanceof PermanentError || err instanceof ValidationError || err instanceof NotFoundError;
}

export class Worker {
  readonly id: string;
  readonly startedAt = new Date();
  private readonly agents: Map<string, Agent>;
  private readonly types: string[];
  private readonly heartbeatMs: number;
  private readonly maintenanceEveryMs: number;
  /**
   * Runs in progress by claim token. A task can have two here: a cancelled run whose handler has
   * not stopped yet, and the run of its retry claimed since.
   */
  private readonly running = new Map<string, Running>();
  private readonly listener: PgListener;
  private state: 'new' | 'running' | 'draining' | 'stopped' = 'new';
  private loopDone: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | null = null;
  private pendingWake = false;
  private earliestTaskAt = Number.POSITIVE_INFINITY;
  private earliestScheduleAt = Number.POSITIVE_INFINITY;
  private nextMaintenanceAt = 0;
  private nextDefaultSchedulesAt = 0;
  private needDueTimes = true;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private heartbeatInFlight = false;
  private readonly claims = new Set<Promise<void>>();
  /** Slots promised to claims still in flight. */
  private reservedSlots = 0;
  private errorDelay = 0;
  private pausedUntil = 0;
  private readonly log: Logger;

  constructor(private readonly opts: WorkerOptions) {
    this.id = opts.id ?? defaultWorkerId();
    this.agents = new Map(opts.agents.map((a) => [a.type, a]));
    this.types = [...this.agents.keys()];
    this.heartbeatMs = opts.heartbeatMs ?? Math.max(50, Math.floor(opts.leaseMs / 3));
    this.maintenanceEveryMs = Math.min(opts.pollMs, Math.max(100, Math.floor(opts.leaseMs / 4)));
    this.log = opts.logger.child({ component: 'worker', workerId: this.id });
    this.listener = new PgListener({
      connection: connectionConfigOf(opts.db, 'fo-worker-listen'),
      channels: ['fo_task_queued', 'fo_task_cancelled', 'fo_schedules'],
      logger: this.log,
      onNotification: (channel, payload) => this.onNotification(channel, payload),
      // Anything could have happened while deaf: look again.
      onConnect: () => {
        this.needDueTimes = true;
        this.nextMaintenanceAt = 0;
        this.wake();
      },
    });
  }

  /** Tasks this worker is running now. */
  get inFlight(): number {
    return this.running.size;
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error('A worker starts once');
    await registerWorker(this.opts.db, {
      id: this.id,
      host: os.hostname(),
      pid: process.pid,
      concurrency: this.opts.concurrency,
      heartbeatMs: this.heartbeatMs,
      taskTypes: this.types,
    });
    await pruneWorkers(this.opts.db).catch((err: unknown) =>
      this.log.warn({ err }, 'pruning workers failed'),
    );
    this.state = 'running';
    // Do not wait for the listener: until it connects, polling covers.
    void this.listener.start();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.heartbeatMs);
    this.loopDone = this.loop();
    this.log.info(
      { concurrency: this.opts.concurrency, types: this.types, leaseMs: this.opts.leaseMs },
      'worker started',
    );
  }

  /**
   * Stops claiming, lets in-flight handlers finish for most of `deadlineMs`, then aborts the rest
   * and gives their tasks back to the queue (released untried).
   */
  async stop(deadlineMs: number): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'draining';
    const started = performance.now();
    this.wake();
    await this.loopDone;
    const drained = () => Promise.all([...this.running.values()].map((r) => r.done)).then(() => true);
    const within = (ms: number) =>
      Promise.race([drained(), new Promise<false>((r) => setTimeout(() => r(false), Math.max(0, ms)))]);
    this.log.info({ inFlight: this.running.size }, 'worker draining');
    if (!(await within(deadlineMs * 0.7))) {
      for (const r of this.running.values()) this.abort(r, 'shutdown');
      const left = deadlineMs - (performance.now() - started);
      if (!(await within(left * 0.5))) {
        // Handlers that ignore their signal: release their tasks anyway; their late writes are fenced off.
        for (const r of this.running.values()) {
          await releaseTask(this.opts.db, r.fence).catch((err: unknown) =>
            this.log.warn({ err, taskId: r.task.id }, 'could not release task; its lease will expire'),
          );
        }
      }
    }
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    await this.listener.stop();
    await markWorkerStopped(this.opts.db, this.id).catch((err: unknown) =>
      this.log.warn({ err }, 'could not mark the worker stopped'),
    );
    this.state = 'stopped';
    this.log.info('worker stopped');
  }

  private wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  private onNotification(channel: string, payload: string): void {
    if (channel === 'fo_task_cancelled') {
      for (const r of this.running.values()) if (r.task.id === payload) this.abort(r, 'cancelled');
      return;
    }
    const at = Number(payload);
    if (!Number.isFinite(at)) {
      this.wake();
      return;
    }
    if (channel === 'fo_schedules') {
      if (at < this.earliestScheduleAt) {
        this.earliestScheduleAt = at;
        this.wake();
      }
      return;
    }
    if (at <= Date.now()) this.wake();
    else if (at < this.earliestTaskAt) {
      this.earliestTaskAt = at;
      this.wake();
    }
  }

  /**
   * Maintenance and sleeping happen here; claims run alongside (one per batch of free slots), so a
   * slow commit of one claim never holds up the next: as handlers finish, their slots are refilled
   * by overlapping claims, the way independent workers would.
   */
  private async loop(): Promise<void> {
    while (this.state === 'running') {
      this.pendingWake = false;
      try {
        if (this.maintenanceDue()) await this.maintenance();
      } catch (err) {
        this.backOff(err);
      }
      const free = this.opts.concurrency - this.running.size - this.reservedSlots;
      if (free > 0 && Date.now() >= this.pausedUntil) {
        if (this.earliestTaskAt <= Date.now()) {
          this.earliestTaskAt = Number.POSITIVE_INFINITY;
          this.needDueTimes = true;
        }
        this.claim(free);
      }
      await this.sleep(this.idleMs(), true);
    }
    await Promise.all(this.claims);
  }

  private backOff(err: unknown): void {
    this.errorDelay = Math.min(this.opts.pollMs, Math.max(50, this.errorDelay * 2));
    this.pausedUntil = Date.now() + this.errorDelay;
    this.log.warn({ err: errorMessage(err), retryInMs: this.errorDelay }, 'worker loop error');
  }

  private claim(limit: number): void {
    this.reservedSlots += limit;
    const claiming = claimTasks(this.opts.db, {
      workerId: this.id,
      types: this.types,
      limit,
      leaseMs: this.opts.leaseMs,
    })
      .then(
        async (tasks) => {
          this.reservedSlots -= limit;
          this.errorDelay = 0;
          if (this.state !== 'running') {
            // Claimed while shutting down: hand them straight back.
            for (const task of tasks) {
              await releaseTask(this.opts.db, { id: task.id, claimToken: task.claim_token });
            }
            return;
          }
          for (const task of tasks) this.launch(task);
          // A full batch: there may be more waiting.
          if (tasks.length === limit) this.wake();
          else if (this.needDueTimes) await this.readDueTimes();
        },
        (err: unknown) => {
          this.reservedSlots -= limit;
          this.backOff(err);
          // Re-plan the sleep around the pause.
          this.wake();
        },
      )
      .catch((err: unknown) => this.backOff(err))
      .finally(() => this.claims.delete(claiming));
    this.claims.add(claiming);
  }

  private async readDueTimes(): Promise<void> {
    const due = await nextDueTimes(this.opts.db, this.types);
    this.needDueTimes = false;
    if (due.taskAt) this.earliestTaskAt = Math.min(this.earliestTaskAt, due.taskAt.getTime());
    if (due.scheduleAt) this.earliestScheduleAt = Math.min(this.earliestScheduleAt, due.scheduleAt.getTime());
  }

  private idleMs(): number {
    const now = Date.now();
    let until = now + this.opts.pollMs;
    if (this.running.size + this.reservedSlots < this.opts.concurrency)
      until = Math.min(until, this.earliestTaskAt);
    if (this.pausedUntil > now) until = Math.min(until, this.pausedUntil);
    until = Math.min(until, this.nextMaintenanceAt, this.earliestScheduleAt);
    return Math.max(0, until - now);
  }

  /** Sleeps `ms`, or until woken when `wakeable`. A poll-timeout re-reads the due times. */
  private sleep(ms: number, wakeable: boolean): Promise<void> {
    if (wakeable && this.pendingWake) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeUp = null;
        if (ms >= this.opts.pollMs) this.needDueTimes = true;
        resolve();
      }, ms);
      if (wakeable) {
        this.wakeUp = () => {
          clearTimeout(timer);
          this.wakeUp = null;
          resolve();
        };
      }
    });
  }

  private maintenanceDue(): boolean {
    const now = Date.now();
    return now >= this.nextMaintenanceAt || this.earliestScheduleAt <= now;
  }

  /** Expired leases, then due schedules (and, now and then, the default schedules of new users). */
  private async maintenance(): Promise<void> {
    const now = Date.now();
    this.nextMaintenanceAt = now + this.maintenanceEveryMs;
    this.earliestScheduleAt = Number.POSITIVE_INFINITY;
    const requeued = await requeueExpiredLeases(this.opts.db);
    if (requeued) this.log.warn({ requeued }, 'requeued tasks whose lease expired');
    if (this.opts.runSchedules === false) return;
    if (now >= this.nextDefaultSchedulesAt) {
      this.nextDefaultSchedulesAt = now + DEFAULT_SCHEDULES_EVERY_MS;
      await ensureDefaultSchedules(this.opts.db, this.opts.agents);
    }
    const enqueued = await enqueueDueSchedules(this.opts.db, this.log);
    if (enqueued) this.log.info({ enqueued }, 'enqueued scheduled tasks');
    for (const agent of this.opts.agents) {
      if (agent.sweep) await agent.sweep(this.opts.db, this.log);
    }
    this.needDueTimes = true;
  }

  private launch(task: ClaimedTask): void {
    const running: Running = {
      task,
      fence: { id: task.id, claimToken: task.claim_token },
      controller: new AbortController(),
      leaseValidUntil: performance.now() + this.opts.leaseMs,
      abortCause: null,
      done: Promise.resolve(),
    };
    this.running.set(task.claim_token, running);
    running.done = this.execute(running).finally(() => {
      this.running.delete(task.claim_token);
      this.wake();
    });
  }

  private abort(r: Running, cause: AbortCause): void {
    if (r.abortCause) return;
    r.abortCause = cause;
    r.controller.abort(new TaskAbortedError(cause));
  }

  private async execute(r: Running): Promise<void> {
    const { task, fence } = r;
    const log = this.log.child({ taskId: task.id, type: task.type, attempt: task.attempts });
    const agent = this.agents.get(task.type);
    let outcome: { ok: true; result: unknown } | { ok: false; error: unknown };
    try {
      if (!agent) throw new PermanentError(`No handler for task type ${task.type}`);
      if (!task.user_id) throw new PermanentError('The task has no owner');
      const result = await agent.run({
        rawInput: task.input,
        actor: systemActor(task.user_id),
        db: this.opts.db,
        signal: r.controller.signal,
        progress: async (fraction, message) => {
          await reportProgress(this.opts.db, fence, fraction, message ?? null);
        },
        task: {
          id: task.id,
          attempt: task.attempts,
          maxAttempts: task.max_attempts,
          scheduleId: task.schedule_id,
        },
        logger: log,
      });
      outcome = { ok: true, result };
    } catch (err) {
      outcome = { ok: false, error: err };
    }

    if (r.abortCause === 'cancelled' || (r.abortCause === 'lease_lost' && outcome.ok === false)) {
      // Cancelled: the row already says so. Lease lost: the task is someone else's now.
      log.info({ cause: r.abortCause }, 'task aborted');
      if (r.abortCause === 'lease_lost') {
        // If the lease was only at risk (database unreachable), hand the task back as a failed attempt.
        await this.persist(r, log, () =>
          failTask(this.opts.db, fence, {
            error: 'The worker could not renew its lease',
            permanent: false,
            retryInMs: 0,
          }),
        );
      }
      return;
    }
    if (r.abortCause === 'shutdown' && !outcome.ok) {
      await this.persist(r, log, () => releaseTask(this.opts.db, fence));
      log.info('task released at shutdown');
      return;
    }
    if (outcome.ok) {
      const stored = await this.persist(r, log, () => completeTask(this.opts.db, fence, outcome.result));
      if (stored) log.debug('task succeeded');
      return;
    }
    const permanent = isPermanent(outcome.error);
    const message = errorMessage(outcome.error);
    const status = await this.persist(r, log, () =>
      failTask(this.opts.db, fence, {
        error: message,
        permanent,
        retryInMs: retryDelayMs(task.attempts, this.opts.retryBaseMs, this.opts.retryMaxMs),
      }),
    );
    if (status === 'failed') log.warn({ error: message, permanent }, 'task failed');
    else if (status === 'queued') log.info({ error: message }, 'task will be retried');
  }

  /**
   * Writes an outcome, retrying through connection errors for as long as the lease lasts. A null
   * or false answer means the task is no longer ours: nothing was written.
   */
  private async persist<T>(r: Running, log: Logger, write: () => Promise<T>): Promise<T | null> {
    let delay = 25;
    for (;;) {
      try {
        const result = await write();
        if (result === null || result === false) log.info('outcome not stored: the task is no longer held');
        return result;
      } catch (err) {
        if (performance.now() + delay >= r.leaseValidUntil) {
          log.error({ err: errorMessage(err) }, 'could not store the outcome before the lease ran out');
          return null;
        }
        log.warn({ err: errorMessage(err), retryInMs: delay }, 'storing the outcome failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(1_000, delay * 2);
      }
    }
  }

  private async heartbeat(): Promise<void> {
    if (this.heartbeatInFlight) return;
    this.heartbeatInFlight = true;
    const snapshot = [...this.running.values()];
    const sentAt = performance.now();
    try {
      const held = await renewLeases(this.opts.db, {
        workerId: this.id,
        claims: snapshot.map((r) => r.fence),
        leaseMs: this.opts.leaseMs,
      });
      for (const r of snapshot) {
        if (held.has(r.fence.claimToken)) r.leaseValidUntil = sentAt + this.opts.leaseMs;
        else if (this.running.has(r.fence.claimToken)) this.abort(r, 'lease_lost');
      }
    } catch (err) {
      this.log.warn({ err: errorMessage(err) }, 'heartbeat failed');
    } finally {
      this.heartbeatInFlight = false;
    }
    // Abort before the lease can lapse, so no second worker ever runs the task alongside this one.
    const margin = Math.min(this.heartbeatMs, this.opts.leaseMs / 4);
    const now = performance.now();
    for (const r of this.running.values()) {
      if (now >= r.leaseValidUntil - margin) this.abort(r, 'lease_lost');
    }
  }
}
