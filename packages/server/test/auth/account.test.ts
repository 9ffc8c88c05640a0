import { describe, expect, it } from 'vitest';
import { hashPassword, paramsOf } from '../../src/auth/passwords.js';
import { createSession } from '../../src/auth/sessions.js';
import { AuditEvent, Session, User } from '../../src/models/index.js';
import { createUserWithSession, TEST_PASSWORD, uniqueEmail } from '../support/auth-factories.js';
import { anonymousCaller, callerAs } from '../support/caller.js';
import { getTestDb } from '../support/db.js';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (err) {
    return (err as { code?: string }).code ?? 'UNKNOWN';
  }
}

describe('users.updateProfile', () => {
  it('updates name, risk tolerance, investment horizon and base currency', async () => {
    const db = await getTestDb();
    const u = await createUserWithSession(db);
    const caller = await callerAs(u.actor);
    const updated = await caller.users.updateProfile({
      name: 'Ada Lovelace',
      riskTolerance: 'growth',
      investmentHorizonYears: 25,
      baseCurrency: 'chf',
    });
    expect(updated).toMatchObject({
      name: 'Ada Lovelace',
      riskTolerance: 'growth',
      investmentHorizonYears: 25,
      baseCurrency: 'CHF',
    });
    expect(
      (await caller.users.updateProfile({ investmentHorizonYears: null })).investmentHorizonYears,
    ).toBeNull();
    expect((await caller.auth.me()).user.baseCurrency).toBe('CHF');
  });

  it('rejects unknown currencies, risk tolerances, horizons out of range and unknown fields', async () => {
    const db = await getTestDb();
    const caller = await callerAs((await createUserWithSession(db)).actor);
    expect(await codeOf(caller.users.updateProfile({ baseCurrency: 'XYZ' }))).toBe('BAD_REQUEST');
    expect(await codeOf(caller.users.updateProfile({ riskTolerance: 'yolo' as 'growth' }))).toBe(
      'BAD_REQUEST',
    );
    expect(await codeOf(caller.users.updateProfile({ investmentHorizonYears: 0 }))).toBe('BAD_REQUEST');
    expect(await codeOf(caller.users.updateProfile({ investmentHorizonYears: 2.5 }))).toBe('BAD_REQUEST');
    expect(await codeOf(caller.users.updateProfile({ email: 'x@example.com' } as never))).toBe('BAD_REQUEST');
  });
});

describe('auth.changePassword', () => {
  it('needs the current password, applies the policy, and ends every other session', async () => {
    const db = await getTestDb();
    const u = await createUserWithSession(db);
    const other = await createSession(db, u.user.id);
    const caller = await callerAs(u.actor);
    expect(
      await codeOf(
        caller.auth.changePassword({ currentPassword: 'not the password', newPassword: 'new long password' }),
      ),
    ).toBe('BAD_REQUEST');
    expect(
      await codeOf(caller.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: 'short' })),
    ).toBe('BAD_REQUEST');
    const result = await caller.auth.changePassword({
      currentPassword: TEST_PASSWORD,
      newPassword: 'new long password',
    });
    expect(result.revokedSessions).toBe(1);
    expect(await Session.query(db).findById(other.session.id)).toBeUndefined();
    expect(await Session.query(db).findById(u.actor.sessionId!)).toBeDefined();
    const anon = await anonymousCaller();
    expect(await codeOf(anon.auth.login({ email: u.user.email, password: TEST_PASSWORD }))).toBe(
      'UNAUTHORIZED',
    );
    expect(await codeOf(anon.auth.login({ email: u.user.email, password: 'new long password' }))).toBe('OK');
  });
});

describe('auth.changeEmail', () => {
  it('needs the current password, normalizes the new email and refuses a taken one', async () => {
    const db = await getTestDb();
    const u = await createUserWithSession(db);
    const other = await createUserWithSession(db);
    const caller = await callerAs(u.actor);
    const next = uniqueEmail('moved');
    expect(
      await codeOf(caller.auth.changeEmail({ currentPassword: 'wrong password!', newEmail: next })),
    ).toBe('BAD_REQUEST');
    const updated = await caller.auth.changeEmail({
      currentPassword: TEST_PASSWORD,
      newEmail: ` ${next.toUpperCase()} `,
    });
    expect(updated.email).toBe(next);
    const conflict = await caller.auth
      .changeEmail({ currentPassword: TEST_PASSWORD, newEmail: other.user.email })
      .catch((e: unknown) => e as { code: string; message: string });
    expect(conflict).toMatchObject({ code: 'CONFLICT' });
    expect((conflict as { message: string }).message).toMatch(/email/);
    const event = await AuditEvent.query(db).findOne({ user_id: u.user.id, event: 'email_changed' });
    expect(event?.details).toMatchObject({ previous: u.user.email, current: next });
  });
});

describe('password hashing parameters', () => {
  it('rehashes on login when the stored hash uses other argon2 parameters', async () => {
    const db = await getTestDb();
    const email = uniqueEmail('legacy');
    const legacy = await hashPassword('legacy long password', {
      memoryCost: 4096,
      timeCost: 1,
      parallelism: 1,
    });
    const user = await User.query(db).insertAndFetch({ email, password_hash: legacy });
    await (await anonymousCaller()).auth.login({ email, password: 'legacy long password' });
    const after = await User.query(db).findById(user.id);
    expect(after!.password_hash).not.toBe(legacy);
    expect(paramsOf(after!.password_hash)).toMatchObject({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(
      await AuditEvent.query(db).findOne({ user_id: user.id, event: 'password_rehashed' }),
    ).toBeDefined();
  });
});

describe('auth.auditLog', () => {
  it("pages through the user's own events, newest first", async () => {
    const db = await getTestDb();
    const u = await createUserWithSession(db);
    const other = await createUserWithSession(db);
    const caller = await callerAs(u.actor);
    for (let i = 0; i < 5; i += 1) await caller.users.updateProfile({ name: `Name ${i}` });
    await (await callerAs(other.actor)).users.updateProfile({ name: 'Other' });
    const first = await caller.auth.auditLog({ limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = await caller.auth.auditLog({ limit: 2, cursor: first.nextCursor! });
    const third = await caller.auth.auditLog({ limit: 2, cursor: second.nextCursor! });
    const all = [...first.items, ...second.items, ...third.items];
    expect(all).toHaveLength(5);
    expect(third.nextCursor).toBeNull();
    expect(new Set(all.map((e) => e.id)).size).toBe(5);
    for (let i = 1; i < all.length; i += 1) expect(all[i - 1]!.at >= all[i]!.at).toBe(true);
    expect(all.every((e) => e.event === 'profile_updated')).toBe(true);
    expect(await codeOf(caller.auth.auditLog({ limit: 2, cursor: 'garbage' }))).toBe('BAD_REQUEST');
  });
});
