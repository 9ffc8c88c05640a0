/**
 * A user never sees, changes or cancels another user's tasks or schedules: every tasks.* case of
 * the isolation harness, run here on its own.
 */
import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { tasksCases } from '../harness/cases/tasks.js';
import type { IsolationEnv } from '../harness/types.js';
import { callerAs } from '../support/caller.js';
import { getTestDb } from '../support/db.js';
import { actorFor, insertUser } from '../support/factories.js';

async function snapshot(env: IsolationEnv) {
  const tasks = await env.db('agent_tasks').orderBy('id');
  const schedules = await env.db('agent_schedules').orderBy('id');
  return JSON.stringify({ tasks, schedules });
}

function procedure(caller: unknown, path: string): (input: unknown) => Promise<unknown> {
  const fn = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
  return fn as (input: unknown) => Promise<unknown>;
}

describe('tasks isolation', () => {
  for (const [path, spec] of Object.entries(tasksCases)) {
    it(`${path}: ${spec.kind}`, async () => {
      const db = await getTestDb();
      const owner = actorFor(await insertUser(db));
      const intruder = actorFor(await insertUser(db));
      const env: IsolationEnv = {
        db,
        owner,
        intruder,
        ownerCaller: await callerAs(owner),
        intruderCaller: await callerAs(intruder),
      };
      if (spec.kind === 'public') return;
      const input = await spec.arrange(env);
      const ownerIds = [
        ...(await db('agent_tasks').where({ user_id: owner.userId }).pluck('id')),
        ...(await db('agent_schedules').where({ user_id: owner.userId }).pluck('id')),
      ];
      const before = await snapshot(env);
      const call = procedure(env.intruderCaller, path);
      if (spec.kind === 'foreign') {
        const error = await call(input).then(
          () => null,
          (err: unknown) => err,
        );
        expect(error).toBeInstanceOf(TRPCError);
        expect((error as TRPCError).code).toBe(spec.expect ?? 'NOT_FOUND');
        expect(await snapshot(env)).toBe(before);
      } else {
        const answer = JSON.stringify(await call(input));
        for (const id of ownerIds) expect(answer).not.toContain(id);
        const ownerRowsAfter = await db('agent_tasks').where({ user_id: owner.userId }).orderBy('id');
        const ownerSchedulesAfter = await db('agent_schedules')
          .where({ user_id: owner.userId })
          .orderBy('id');
        const parsed = JSON.parse(before) as {
          tasks: { user_id: string }[];
          schedules: { user_id: string }[];
        };
        expect(JSON.stringify(ownerRowsAfter)).toBe(
          JSON.stringify(parsed.tasks.filter((t) => t.user_id === owner.userId)),
        );
        expect(JSON.stringify(ownerSchedulesAfter)).toBe(
          JSON.stringify(parsed.schedules.filter((s) => s.user_id === owner.userId)),
        );
      }
    });
  }
});
