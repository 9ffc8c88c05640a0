import { describe, expect, it } from 'vitest';
import { createSession, type SessionPolicy, validateSessionToken } from '../../src/auth/sessions.js';
import { Session } from '../../src/models/index.js';
import { createUser, createUserWithSession, TEST_PASSWORD } from '../support/auth-factories.js';
import { anonymousCaller, callerAs } from '../support/caller.js';
import { getTestDb } from '../support/db.js';

const MIN = 60_000;
const policy: SessionPolicy = {
  idleTimeoutMs: 30 * MIN,
  absoluteLifetimeMs: 12 * 60 * MIN,
  mfaPendingLifetimeMs: 5 * MIN,
};

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (err) {
    return (err as { code?: string }).code ?? 'UNKNOWN';
  }
}

describe('sessions', () => {
  it('tokens are <24 base32 id>.<32 base32 secret> (160-bit secret), unique, stored as SHA-256', async () => {
    const db = await getTestDb();
    const user = await createUser(db);
    const tokens = await Promise.all(Array.from({ length: 5 }, () => createSession(db, user.id)));
    expect(new Set(tokens.map((t) => t.token)).size).toBe(5);
    for (const { token, session } of tokens) {
      const [id, secret] = token.split('.');
      expect(id).toMatch(/^[a-z2-7]{24}$/);
      expect(secret).toMatch(/^[a-z2-7]{32}$/);
      expect(session.id).toBe(id);
      const expected = new Uint8Array(
        await crypto.subtle.digest('SHA-256', new TextEncoder().encode(secret)),
      );
      expect(new Uint8Array(session.secret_hash)).toEqual(expected);
    }
  });

  it('slides the idle expiry with use, at most up to the absolute lifetime', async () => {
    const db = await getTestDb();
    const user = await createUser(db);
    const t0 = new Date('2026-11-24T08:00:00Z');
    const { token } = await createSession(db, user.id, { now: t0, policy });
    // 29 minutes later: still alive, pushed to 29 + 30 minutes.
    const t1 = new Date(t0.getTime() + 29 * MIN);
    const s1 = await validateSessionToken(db, token, { now: t1, policy });
    expect(s1?.expires_at.toISOString()).toBe(new Date(t1.getTime() + 30 * MIN).toISOString());
    expect(s1?.last_used_at.toISOString()).toBe(t1.toISOString());
    // Keep using it every 25 minutes: the idle expiry stops at the absolute one (12 h).
    let now = t1;
    for (;;) {
      now = new Date(now.getTime() + 25 * MIN);
      if (now.getTime() >= t0.getTime() + 12 * 60 * MIN) break;
      const s = await validateSessionToken(db, token, { now, policy });
      expect(s).not.toBeNull();
      expect(s!.expires_at.getTime()).toBeLessThanOrEqual(t0.getTime() + 12 * 60 * MIN);
    }
    expect(await validateSessionToken(db, token, { now, policy })).toBeNull();
  });

  it('expires after the idle timeout and deletes the row', async () => {
    const db = await getTestDb();
    const user = await createUser(db);
    const t0 = new Date('2026-11-24T08:00:00Z');
    const { token, session } = await createSession(db, user.id, { now: t0, policy });
    expect(
      await validateSessionToken(db, token, { now: new Date(t0.getTime() + 30 * MIN), policy }),
    ).toBeNull();
    expect(await Session.query(db).findById(session.id)).toBeUndefined();
  });

  it('refuses a token whose secret does not match, and malformed tokens', async () => {
    const db = await getTestDb();
    const user = await createUser(db);
    const { token } = await createSession(db, user.id);
    const [id] = token.split('.');
    expect(await validateSessionToken(db, `${id}.${'a'.repeat(32)}`)).toBeNull();
    for (const bad of [
      '',
      '.',
      `${id}.`,
      `${id}`,
      `${token}x`,
      token.toUpperCase(),
      `${id}.${'a'.repeat(31)}1`,
    ]) {
      expect(await validateSessionToken(db, bad)).toBeNull();
    }
    expect(await validateSessionToken(db, token)).not.toBeNull();
  });
});

describe('housekeeping', () => {
  it('a sign-in purges expired sessions and stale throttle keys of anyone', async () => {
    const db = await getTestDb();
    const idle = await createUser(db);
    const dead = await createSession(db, idle.id, { now: new Date(Date.now() - 13 * 60 * MIN) });
    const live = await createSession(db, idle.id);
    await db('auth_throttle').insert([
      { key: 'test:stale', failures: 3, last_failure_at: new Date(Date.now() - 16 * MIN) },
      { key: 'test:fresh', failures: 3, last_failure_at: new Date() },
    ]);
    const u = await createUser(db);
    await (await anonymousCaller()).auth.login({ email: u.email, password: TEST_PASSWORD });
    expect(await Session.query(db).findById(dead.session.id)).toBeUndefined();
    expect(await Session.query(db).findById(live.session.id)).toBeDefined();
    expect((await db('auth_throttle').select('key')).map((r) => r.key)).toEqual(['test:fresh']);
  });
});

describe('auth.sessions and auth.revokeSession', () => {
  it('lists own live sessions with address, user agent and which is current', async () => {
    const db = await getTestDb();
    const u = await createUserWithSession(db);
    await createSession(db, u.user.id, { ip: '192.0.2.4', userAgent: 'other device' });
    const expired = await createSession(db, u.user.id, { now: new Date(Date.now() - 13 * 60 * MIN) });
    const list = await (await callerAs(u.actor)).auth.sessions();
    expect(list).toHaveLength(2);
    expect(list.map((s) => s.id)).not.toContain(expired.session.id);
    const current = list.find((s) => s.current)!;
    expect(current).toMatchObject({
      id: u.actor.sessionId,
      ip: '127.0.0.1',
      userAgent: 'vitest',
      mfaPending: false,
    });
    expect(list.find((s) => !s.current)).toMatchObject({ ip: '192.0.2.4', userAgent: 'other device' });
    expect(current.createdAt).toBeInstanceOf(Date);
    expect(JSON.stringify(list)).not.toMatch(/secret|hash/);
  });

  it("revokes one of its own sessions; someone else's is NOT_FOUND and survives", async () => {
    const db = await getTestDb();
    const a = await createUserWithSession(db);
    const b = await createUserWithSession(db);
    const other = await createSession(db, a.user.id);
    const caller = await callerAs(a.actor);
    await caller.auth.revokeSession({ id: other.session.id });
    expect(await Session.query(db).findById(other.session.id)).toBeUndefined();
    expect(await codeOf(caller.auth.revokeSession({ id: b.actor.sessionId! }))).toBe('NOT_FOUND');
    expect(await Session.query(db).findById(b.actor.sessionId!)).toBeDefined();
  });
});
