import { describe, expect, it } from 'vitest';
import { paramsOf } from '../../src/auth/passwords.js';
import { createSession } from '../../src/auth/sessions.js';
import { AuditEvent, Session, User } from '../../src/models/index.js';
import { createCaller } from '../../src/routers/index.js';
import { createContextInner } from '../../src/trpc/context.js';
import { createUserWithSession, uniqueEmail } from '../support/auth-factories.js';
import { anonymousCaller, callerAs } from '../support/caller.js';
import { getTestDb } from '../support/db.js';

const PASSWORD = 'sixteen chars ok!';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    return (err as { code?: string }).code ?? 'UNKNOWN';
  }
  return 'OK';
}

describe('auth.signup', () => {
  it('creates the user with a normalized email and an argon2id hash carrying its parameters', async () => {
    const caller = await anonymousCaller();
    const email = uniqueEmail('Signup');
    const answer = await caller.auth.signup({
      email: `  ${email.toUpperCase()} `,
      password: PASSWORD,
      name: 'Ada',
    });
    expect(answer.status).toBe('accepted');
    const user = await User.query(await getTestDb()).findOne({ email: email.toLowerCase() });
    expect(user?.name).toBe('Ada');
    expect(paramsOf(user!.password_hash)).toEqual({
      algorithm: 'argon2id',
      memoryCost: 19456,
      timeCost: 2,
      parallelism: 1,
    });
    expect(user!.password_hash).not.toContain(PASSWORD);
  });

  it('answers a taken email exactly like a free one, and tells the owner in their audit log', async () => {
    const db = await getTestDb();
    const caller = await anonymousCaller();
    const email = uniqueEmail();
    const first = await caller.auth.signup({ email, password: PASSWORD });
    const second = await caller.auth.signup({
      email: email.toUpperCase(),
      password: 'another long password',
    });
    expect(second).toEqual(first);
    expect(await User.query(db).where({ email }).resultSize()).toBe(1);
    const user = await User.query(db).findOne({ email });
    const events = await AuditEvent.query(db).where('user_id', user!.id).orderBy('created_at');
    expect(events.map((e) => e.event)).toEqual(['signup', 'signup_existing_email']);
  });

  it('applies the NIST password rules: 12-256 code points, not the email local part, not a common one', async () => {
    const caller = await anonymousCaller();
    expect(await codeOf(caller.auth.signup({ email: uniqueEmail(), password: 'short pass' }))).toBe(
      'BAD_REQUEST',
    );
    expect(await codeOf(caller.auth.signup({ email: uniqueEmail(), password: 'x'.repeat(257) }))).toBe(
      'BAD_REQUEST',
    );
    // 12 code points although 24 UTF-16 units: emoji count as one character each.
    expect(await codeOf(caller.auth.signup({ email: uniqueEmail(), password: '😀'.repeat(12) }))).toBe('OK');
    expect(await codeOf(caller.auth.signup({ email: uniqueEmail(), password: '😀'.repeat(11) }))).toBe(
      'BAD_REQUEST',
    );
    expect(
      await codeOf(caller.auth.signup({ email: 'margaret@example.com', password: 'i am Margaret forever' })),
    ).toBe('BAD_REQUEST');
    expect(await codeOf(caller.auth.signup({ email: uniqueEmail(), password: 'password1234' }))).toBe(
      'BAD_REQUEST',
    );
    // No composition rules: all lower-case letters and spaces are fine.
    expect(
      await codeOf(caller.auth.signup({ email: uniqueEmail(), password: 'plain lowercase words' })),
    ).toBe('OK');
  });
});

describe('auth.login', () => {
  it('returns a new session token each time (no fixation), stored only as a hash', async () => {
    const db = await getTestDb();
    const caller = await anonymousCaller();
    const email = uniqueEmail();
    await caller.auth.signup({ email, password: PASSWORD });
    const a = await caller.auth.login({ email, password: PASSWORD });
    const b = await caller.auth.login({ email: ` ${email.toUpperCase()}`, password: PASSWORD });
    expect(a.token).toMatch(/^[a-z2-7]{24}\.[a-z2-7]{32}$/);
    expect(a.token).not.toBe(b.token);
    expect(a.mfaRequired).toBe(false);
    const [id, secret] = a.token.split('.') as [string, string];
    const row = await Session.query(db).findById(id);
    expect(row).toBeDefined();
    expect(JSON.stringify(await db('sessions').select())).not.toContain(secret);
    expect(row!.secret_hash.length).toBe(32);
  });

  it('fails an unknown email exactly like a wrong password (no enumeration)', async () => {
    const caller = await anonymousCaller();
    const email = uniqueEmail();
    await caller.auth.signup({ email, password: PASSWORD });
    const wrong = await caller.auth.login({ email, password: 'not the password!' }).catch((e: unknown) => e);
    const unknown = await caller.auth
      .login({ email: uniqueEmail(), password: 'not the password!' })
      .catch((e: unknown) => e);
    const shape = (e: unknown) => {
      const err = e as { code: string; message: string };
      return { code: err.code, message: err.message };
    };
    expect(shape(wrong)).toEqual({ code: 'UNAUTHORIZED', message: 'Email or password is incorrect' });
    expect(shape(unknown)).toEqual(shape(wrong));
  });

  it('records successes and failures in the audit log with address and user agent', async () => {
    const db = await getTestDb();
    const caller = createCaller(
      createContextInner({ db, request: { ip: '203.0.113.7', userAgent: 'audit-test/1.0' } }),
    );
    const email = uniqueEmail();
    await caller.auth.signup({ email, password: PASSWORD });
    await caller.auth.login({ email, password: 'wrong password here' }).catch(() => undefined);
    await caller.auth.login({ email, password: PASSWORD });
    const user = await User.query(db).findOne({ email });
    const events = await AuditEvent.query(db).where('user_id', user!.id).orderBy('created_at');
    expect(events.map((e) => e.event)).toEqual(['signup', 'login_failed', 'login_succeeded']);
    expect(events[2]).toMatchObject({ ip: '203.0.113.7', user_agent: 'audit-test/1.0' });
  });
});

describe('auth.me, auth.logout, auth.logoutAll', () => {
  it('me describes the user and the credential', async () => {
    const db = await getTestDb();
    const { user, actor } = await createUserWithSession(db, { name: 'Grace' });
    const me = await (await callerAs(actor)).auth.me();
    expect(me.user).toMatchObject({ id: user.id, email: user.email, name: 'Grace', mfaEnabled: false });
    expect(me.credential).toEqual({
      via: 'session',
      scopes: ['read', 'tasks', 'write'],
      sessionId: actor.sessionId,
      apiTokenId: null,
    });
  });

  it('logout ends this session only; logoutAll ends every one', async () => {
    const db = await getTestDb();
    const a = await createUserWithSession(db);
    const other = await createSession(db, a.user.id);
    const third = await createSession(db, a.user.id);
    await (await callerAs(a.actor)).auth.logout();
    expect(await Session.query(db).findById(a.actor.sessionId!)).toBeUndefined();
    expect(await Session.query(db).where('user_id', a.user.id).resultSize()).toBe(2);
    const result = await (await callerAs({ ...a.actor, sessionId: other.session.id })).auth.logoutAll();
    expect(result.revoked).toBe(2);
    expect(await Session.query(db).findById(third.session.id)).toBeUndefined();
  });
});
