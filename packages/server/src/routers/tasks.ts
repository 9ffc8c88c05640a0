import {
  zCreateTaskInput,
  zScheduleTaskInput,
  zTask,
  zTaskIdInput,
  zTaskListInput,
  zTaskPage,
  zTaskSchedule,
  zTaskScheduleListInput,
  zTaskSchedulePage,
  zTaskUpdatesInput,
  zTaskWorkerList,
} from '@fo/schema';
import {
  cancelTask,
  createTask,
  deleteSchedule,
  getTask,
  listSchedules,
  listTasks,
  listWorkers,
  pauseSchedule,
  resumeSchedule,
  retryTask,
  scheduleTask,
  watchTasks,
} from '../services/tasks.js';
import { authedProcedure, router } from '../trpc/init.js';

/** Changing tasks needs the `tasks` scope; reading them needs `read`. */
const taskMutation = authedProcedure.meta({ scope: 'tasks' });

export const tasksRouter = router({
  create: taskMutation
    .input(zCreateTaskInput)
    .output(zTask)
    .mutation(({ ctx, input }) => createTask(ctx, input)),
  schedule: taskMutation
    .input(zScheduleTaskInput)
    .output(zTaskSchedule)
    .mutation(({ ctx, input }) => scheduleTask(ctx, input)),
  list: authedProcedure
    .input(zTaskListInput)
    .output(zTaskPage)
    .query(({ ctx, input }) => listTasks(ctx, input)),
  byId: authedProcedure
    .input(zTaskIdInput)
    .output(zTask)
    .query(({ ctx, input }) => getTask(ctx, input)),
  /** Server-sent events: the SDK subscribes with `tasks.onUpdate.subscribe(...)`. */
  onUpdate: authedProcedure
    .input(zTaskUpdatesInput)
    .subscription(({ ctx, input, signal }) => watchTasks(ctx, input, signal)),
  cancel: taskMutation
    .input(zTaskIdInput)
    .output(zTask)
    .mutation(({ ctx, input }) => cancelTask(ctx, input)),
  retry: taskMutation
    .input(zTaskIdInput)
    .output(zTask)
    .mutation(({ ctx, input }) => retryTask(ctx, input)),
  workers: authedProcedure.output(zTaskWorkerList).query(({ ctx }) => listWorkers(ctx)),
  schedules: router({
    list: authedProcedure
      .input(zTaskScheduleListInput)
      .output(zTaskSchedulePage)
      .query(({ ctx, input }) => listSchedules(ctx, input)),
    pause: taskMutation
      .input(zTaskIdInput)
      .output(zTaskSchedule)
      .mutation(({ ctx, input }) => pauseSchedule(ctx, input)),
    resume: taskMutation
      .input(zTaskIdInput)
      .output(zTaskSchedule)
      .mutation(({ ctx, input }) => resumeSchedule(ctx, input)),
    delete: taskMutation
      .input(zTaskIdInput)
      .output(zTaskSchedule)
      .mutation(({ ctx, input }) => deleteSchedule(ctx, input)),
  }),
});
