import type { IsolationCases, IsolationEnv } from '../types.js';

async function ownerTask(env: IsolationEnv, status?: 'failed') {
  const task = await env.ownerCaller.tasks.create({ type: 'noop', input: { note: 'owner' } });
  if (status)
    await env.db('agent_tasks').where({ id: task.id }).update({ status, finished_at: env.db.fn.now() });
  return task;
}

async function ownerSchedule(env: IsolationEnv) {
  return env.ownerCaller.tasks.schedule({ type: 'noop', input: {}, cron: '0 6 * * *' });
}

export const tasksCases: IsolationCases = {
  'tasks.create': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerTask(env);
      // The same idempotency key as the owner's must not return the owner's task.
      await env.ownerCaller.tasks.create({ type: 'noop', input: {}, idempotencyKey: 'shared-key' });
      return { type: 'noop', input: {}, idempotencyKey: 'shared-key' };
    },
  },
  'tasks.schedule': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerSchedule(env);
      return { type: 'noop', input: {}, cron: '0 6 * * *' };
    },
  },
  'tasks.list': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerTask(env);
      return {};
    },
  },
  'tasks.byId': { kind: 'foreign', arrange: async (env) => ({ id: (await ownerTask(env)).id }) },
  'tasks.onUpdate': { kind: 'foreign', arrange: async (env) => ({ taskId: (await ownerTask(env)).id }) },
  'tasks.cancel': { kind: 'foreign', arrange: async (env) => ({ id: (await ownerTask(env)).id }) },
  'tasks.retry': { kind: 'foreign', arrange: async (env) => ({ id: (await ownerTask(env, 'failed')).id }) },
  'tasks.workers': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerTask(env);
      return undefined;
    },
  },
  'tasks.schedules.list': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerSchedule(env);
      return {};
    },
  },
  'tasks.schedules.pause': {
    kind: 'foreign',
    arrange: async (env) => ({ id: (await ownerSchedule(env)).id }),
  },
  'tasks.schedules.resume': {
    kind: 'foreign',
    arrange: async (env) => ({ id: (await ownerSchedule(env)).id }),
  },
  'tasks.schedules.delete': {
    kind: 'foreign',
    arrange: async (env) => ({ id: (await ownerSchedule(env)).id }),
  },
};
