/**
 * Tasks through the real HTTP server and the SDK: create, subscribe over SSE (with the Bearer
 * credential), read the typed result, and the errors a script sees.
 */
import { isApiError, type TaskUpdate } from '@fo/sdk';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createUserWithSession } from '../support/auth-factories.js';
import { getTestDb } from '../support/db.js';
import { startTestServer } from '../support/http.js';
import { startTestWorker } from '../support/tasks-factories.js';

describe('tasks over HTTP with the SDK', () => {
  it('creates a task, streams its updates to the end and reads its typed result', async () => {
    const db = await getTestDb();
    const { token } = await createUserWithSession(db);
    await using server = await startTestServer();
    const fo = server.client(token);
    const task = await fo.tasks.create.mutate({ type: 'noop', input: { note: 'over http' } });
    expect(task.createdAt).toBeInstanceOf(Date);

    const updates: TaskUpdate[] = [];
    const stream = fo.tasks.onUpdate.subscribe({ taskId: task.id });
    await using _w = await startTestWorker(db);
    for await (const update of stream) {
      updates.push(update);
      if (update.status === 'succeeded') break;
    }
    // The stream starts with the state at connection time (queued or already running).
    expect(['queued', 'running', 'succeeded']).toContain(updates[0]?.status);
    expect(updates.every((u) => u.id === task.id)).toBe(true);
    expect(updates.at(-1)?.status).toBe('succeeded');
    expect(updates.at(-1)?.updatedAt).toBeInstanceOf(Date);

    const done = await fo.tasks.byId.query({ id: task.id });
    expect(done.status).toBe('succeeded');
    if (done.type !== 'noop') throw new Error('expected a noop task');
    expectTypeOf(done.result).toEqualTypeOf<{ ok: true; note: string | null } | null>();
    expect(done.result).toEqual({ ok: true, note: 'over http' });
    const listed = await fo.tasks.list.query({ status: 'succeeded' });
    expect(listed.items.map((t) => t.id)).toEqual([task.id]);
  });

  it('refuses a subscription without a credential, and a foreign task with NOT_FOUND', async () => {
    const db = await getTestDb();
    const owner = await createUserWithSession(db);
    const intruder = await createUserWithSession(db);
    await using server = await startTestServer();
    const task = await server.client(owner.token).tasks.create.mutate({ type: 'noop', input: {} });
    const codeOf = async (iterable: AsyncIterable<unknown>) => {
      try {
        for await (const _ of iterable) return 'OK';
      } catch (err) {
        return isApiError(err) ? err.data?.code : String(err);
      }
      return 'ENDED';
    };
    expect(await codeOf(server.client().tasks.onUpdate.subscribe({ taskId: task.id }))).toBe('UNAUTHORIZED');
    expect(await codeOf(server.client(intruder.token).tasks.onUpdate.subscribe({ taskId: task.id }))).toBe(
      'NOT_FOUND',
    );
  });
});
