/**
 * tasks.onUpdate through the caller: the current state first, then each change, ending when the
 * task finishes; a foreign task is NOT_FOUND before anything streams.
 */
import { TRPCError } from '@trpc/server';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Knex } from '../../src/db/knex.js';
import { callerAs } from '../support/caller.js';
import { getTestDb } from '../support/db.js';
import { actorFor, insertUser } from '../support/factories.js';
import { ensureRunLog } from '../support/task-test-agents.js';
import { enqueue, startTestWorker } from '../support/tasks-factories.js';

let db: Knex;
let user: { id: string };

beforeEach(async () => {
  db = await getTestDb();
  await ensureRunLog(db);
  user = await insertUser(db);
});

describe('tasks.onUpdate', () => {
  it('streams one task from queued to succeeded, progress included, then ends', async () => {
    const caller = await callerAs(actorFor(user));
    const task = await enqueue(db, user, { type: 'test_probe', input: { progress: true, sleepMs: 200 } });
    const stream = await caller.tasks.onUpdate({ taskId: task.id });
    const seen: string[] = [];
    await using _w = await startTestWorker(db);
    for await (const update of stream) {
      expect(update.id).toBe(task.id);
      seen.push(update.progress === 0.5 ? `${update.status}:half` : update.status);
    }
    expect(seen[0]).toBe('queued');
    expect(seen.at(-1)).toBe('succeeded');
    expect(seen).toContain('running:half');
  });

  it("streams all of the caller's tasks and none of another user's", async () => {
    const caller = await callerAs(actorFor(user));
    const other = await insertUser(db);
    const stream = await caller.tasks.onUpdate({});
    const iterator = stream[Symbol.asyncIterator]();
    await enqueue(db, other, { type: 'noop' });
    const mine = await enqueue(db, user, { type: 'noop' });
    const first = await iterator.next();
    expect(first.value).toMatchObject({ id: mine.id, status: 'queued' });
    await iterator.return?.();
  });

  it("answers NOT_FOUND for another user's task", async () => {
    const owner = await insertUser(db);
    const task = await enqueue(db, owner, { type: 'noop' });
    const intruder = await callerAs(actorFor(user));
    await expect(intruder.tasks.onUpdate({ taskId: task.id })).rejects.toSatisfy(
      (err) => err instanceof TRPCError && err.code === 'NOT_FOUND',
    );
  });
});
