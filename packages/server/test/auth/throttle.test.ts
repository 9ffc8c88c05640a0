import { describe, expect, it } from 'vitest';
import { recordFailure, retryAfterSeconds } from '../../src/auth/throttle.js';
import { createCaller } from '../../src/routers/index.js';
import { createContextInner } from '../../src/trpc/context.js';
import { createUser, TEST_PASSWORD, uniqueEmail } from '../support/auth-factories.js';
import { getTestDb } from '../support/db.js';
import { startTestServer } from '../support/http.js';

async function callerFrom(ip: string) {
  return createCaller(
    createContextInner({ db: await getTestDb(), request: { ip, userAgent: 'throttle-test' } }),
  );
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; retryAfter?: number }> {
  try {
    await promise;
    return { code: 'OK' };
  } catch (err) {
    const e = err as { code?: string; cause?: { retryAfterSeconds?: number } };
    return {
      code: e.code ?? 'UNKNOWN',
      ...(e.cause?.retryAfterSeconds ? { retryAfter: e.cause.retryAfterSeconds } : {}),
    };
  }
}

describe('sign-in throttling', () => {
  it('locks an account after 10 failures in 15 minutes, even for the right password, then lets it in later', async () => {
    const db = await getTestDb();
    const user = await createUser(db);
    const caller = await callerFrom('198.51.100.1');
    for (let i = 0; i < 10; i += 1) {
      expect(
        (await failure(caller.auth.login({ email: user.email, password: 'wrong password!' }))).code,
      ).toBe('UNAUTHORIZED');
    }
    const locked = await failure(caller.auth.login({ email: user.email, password: TEST_PASSWORD }));
    expect(locked.code).toBe('TOO_MANY_REQUESTS');
    // Locked until the 15-minute window that began with the first failure ends.
    expect(locked.retryAfter).toBeGreaterThan(14 * 60);
    expect(locked.retryAfter).toBeLessThanOrEqual(15 * 60);
    // From another address too: the limit is per account.
    const elsewhere = await callerFrom('198.51.100.2');
    expect((await failure(elsewhere.auth.login({ email: user.email, password: TEST_PASSWORD }))).code).toBe(
      'TOO_MANY_REQUESTS',
    );
    // Once the lock has passed, the right password works and clears the count.
    await db('auth_throttle').update({ locked_until: new Date(Date.now() - 1000) });
    expect((await failure(caller.auth.login({ email: user.email, password: TEST_PASSWORD }))).code).toBe(
      'OK',
    );
    const events = await db('audit_events').where({ user_id: user.id }).select('event');
    expect(events.filter((e) => e.event === 'login_throttled')).toHaveLength(2);
  });

  it('throttles unknown emails exactly like known ones (no enumeration through the limiter)', async () => {
    const caller = await callerFrom('198.51.100.3');
    const email = uniqueEmail('ghost');
    for (let i = 0; i < 10; i += 1) await failure(caller.auth.login({ email, password: 'wrong password!' }));
    expect((await failure(caller.auth.login({ email, password: 'wrong password!' }))).code).toBe(
      'TOO_MANY_REQUESTS',
    );
  });

  it('backs off exponentially after the window: each further failure doubles the lock', async () => {
    const db = await getTestDb();
    const key = 'test:backoff';
    const policy = { windowS: 900, baseDelayS: 60, maxDelayS: 3600 };
    const limit = [{ key, maxFailures: 3 }];
    for (let i = 0; i < 3; i += 1) await recordFailure(db, limit, policy);
    // Pretend the window is over: the lock that followed the 3rd failure has passed.
    const past = new Date(Date.now() - 901_000);
    await db('auth_throttle')
      .where({ key })
      .update({ window_started_at: past, locked_until: new Date(Date.now() - 1) });
    const waits: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      await recordFailure(db, limit, policy);
      waits.push(await retryAfterSeconds(db, [key]));
      await db('auth_throttle')
        .where({ key })
        .update({ locked_until: new Date(Date.now() - 1) });
    }
    // 4th failure: 60·2^1, then ·2 each time, capped at an hour.
    expect(waits).toEqual([120, 240, 480, 960, 1920, 3600, 3600]);
  });

  it('starts over after a quiet window', async () => {
    const db = await getTestDb();
    const key = 'test:reset';
    const policy = { windowS: 900, baseDelayS: 60, maxDelayS: 3600 };
    for (let i = 0; i < 2; i += 1) await recordFailure(db, [{ key, maxFailures: 3 }], policy);
    await db('auth_throttle')
      .where({ key })
      .update({ last_failure_at: new Date(Date.now() - 901_000) });
    await recordFailure(db, [{ key, maxFailures: 3 }], policy);
    const row = await db('auth_throttle').where({ key }).first();
    expect(row).toMatchObject({ failures: 1, locked_until: null });
  });

  it('answers TOO_MANY_REQUESTS with a Retry-After header over HTTP', async () => {
    await using server = await startTestServer();
    const db = await getTestDb();
    const user = await createUser(db);
    const client = server.client();
    for (let i = 0; i < 10; i += 1) {
      await client.auth.login
        .mutate({ email: user.email, password: 'wrong password!' })
        .catch(() => undefined);
    }
    const res = await fetch(`${server.url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: { email: user.email, password: TEST_PASSWORD } }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await res.json()) as {
      error: { json: { data: { retryAfterSeconds: number; reason: string } } };
    };
    expect(body.error.json.data).toMatchObject({ reason: 'RATE_LIMITED' });
    expect(body.error.json.data.retryAfterSeconds).toBe(Number(res.headers.get('retry-after')));
  });
});
