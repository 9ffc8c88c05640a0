import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { describe, expect, it } from 'vitest';
import { createSession } from '../../src/auth/sessions.js';
import { timeStep, totpAt } from '../../src/auth/totp.js';
import { getKeyring } from '../../src/crypto/keyring.js';
import { MfaRecoveryCode, Session, User } from '../../src/models/index.js';
import { createCaller } from '../../src/routers/index.js';
import { createContextInner } from '../../src/trpc/context.js';
import { createUserWithSession, TEST_PASSWORD } from '../support/auth-factories.js';
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

/** A caller that authenticates with a session token, as the HTTP layer would. */
async function callerWithToken(token: string) {
  return createCaller(
    createContextInner({ db: await getTestDb(), credential: { token, transport: 'bearer' } }),
  );
}

async function enabledUser() {
  const db = await getTestDb();
  const u = await createUserWithSession(db);
  const caller = await callerAs(u.actor);
  const enrollment = await caller.auth.mfa.enroll();
  const key = decodeBase32IgnorePadding(enrollment.secret);
  const { recoveryCodes } = await caller.auth.mfa.confirm({ code: totpAt(key, Date.now()) });
  return { ...u, caller, key, enrollment, recoveryCodes };
}

describe('auth.mfa', () => {
  it('enroll returns a secret and an otpauth URI; the secret is stored encrypted, bound to the user', async () => {
    const db = await getTestDb();
    const u = await createUserWithSession(db);
    const enrollment = await (await callerAs(u.actor)).auth.mfa.enroll();
    expect(enrollment.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrollment.uri).toMatch(/^otpauth:\/\/totp\/Family%20Office:/);
    expect(enrollment.uri).toContain(`secret=${enrollment.secret}`);
    const row = await User.query(db).findById(u.user.id);
    expect(row!.mfa_enabled).toBe(false);
    expect(row!.mfa_secret).toMatch(/^fo1:/);
    expect(row!.mfa_secret).not.toContain(enrollment.secret);
    expect(getKeyring().open(row!.mfa_secret!, `users.mfa_secret:${u.user.id}`)).toBe(enrollment.secret);
    expect(() => getKeyring().open(row!.mfa_secret!, 'users.mfa_secret:someone-else')).toThrow();
  });

  it('confirm turns MFA on with ten single-use recovery codes, stored hashed', async () => {
    const db = await getTestDb();
    const { user, recoveryCodes } = await enabledUser();
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const c of recoveryCodes) expect(c).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    const rows = await MfaRecoveryCode.query(db).where('user_id', user.id);
    expect(rows).toHaveLength(10);
    const stored = JSON.stringify(rows);
    for (const c of recoveryCodes) expect(stored).not.toContain(c.replaceAll('-', ''));
    const fresh = await User.query(db).findById(user.id);
    expect(fresh).toMatchObject({ mfa_enabled: true, mfa_last_used_step: timeStep(Date.now()) });
  });

  it('confirm refuses a wrong code and leaves MFA off', async () => {
    const db = await getTestDb();
    const u = await createUserWithSession(db);
    const caller = await callerAs(u.actor);
    await caller.auth.mfa.enroll();
    expect(await codeOf(caller.auth.mfa.confirm({ code: '000000' }))).toBe('BAD_REQUEST');
    expect((await User.query(db).findById(u.user.id))!.mfa_enabled).toBe(false);
  });

  it('login with MFA on gives a pending session limited to verifyMfa; a code gives a full new one', async () => {
    const db = await getTestDb();
    const { user, key } = await enabledUser();
    const anon = await anonymousCaller();
    const pending = await anon.auth.login({ email: user.email, password: TEST_PASSWORD });
    expect(pending.mfaRequired).toBe(true);
    const pendingCaller = await callerWithToken(pending.token);
    expect(await codeOf(pendingCaller.auth.me())).toBe('UNAUTHORIZED');
    expect(await codeOf(pendingCaller.users.updateProfile({ name: 'x' }))).toBe('UNAUTHORIZED');
    expect(await codeOf(pendingCaller.auth.verifyMfa({ code: '123456' }))).toBe('BAD_REQUEST');

    // The confirm code used the current step: the next step's code (drift +1) is still valid.
    const full = await pendingCaller.auth.verifyMfa({ code: totpAt(key, Date.now() + 30_000) });
    expect(full.mfaRequired).toBe(false);
    expect(full.token).not.toBe(pending.token);
    expect(await codeOf(pendingCaller.auth.me())).toBe('UNAUTHORIZED');
    const me = await (await callerWithToken(full.token)).auth.me();
    expect(me.user.mfaEnabled).toBe(true);
    expect(await Session.query(db).findById(pending.token.split('.')[0]!)).toBeUndefined();
  });

  it('accepts a TOTP code once', async () => {
    const { user, key } = await enabledUser();
    const anon = await anonymousCaller();
    const code = totpAt(key, Date.now() + 30_000);
    const first = await callerWithToken(
      (await anon.auth.login({ email: user.email, password: TEST_PASSWORD })).token,
    );
    await first.auth.verifyMfa({ code });
    const second = await callerWithToken(
      (await anon.auth.login({ email: user.email, password: TEST_PASSWORD })).token,
    );
    expect(await codeOf(second.auth.verifyMfa({ code }))).toBe('BAD_REQUEST');
  });

  it('accepts each recovery code once, in any case and with or without dashes, and audits it', async () => {
    const db = await getTestDb();
    const { user, recoveryCodes } = await enabledUser();
    const anon = await anonymousCaller();
    const login = async () =>
      callerWithToken((await anon.auth.login({ email: user.email, password: TEST_PASSWORD })).token);
    const code = recoveryCodes[3]!;
    expect(
      (await (await login()).auth.verifyMfa({ code: code.toUpperCase().replaceAll('-', '') })).mfaRequired,
    ).toBe(false);
    expect(await codeOf((await login()).auth.verifyMfa({ code }))).toBe('BAD_REQUEST');
    const used = await MfaRecoveryCode.query(db).where('user_id', user.id).whereNotNull('used_at');
    expect(used).toHaveLength(1);
    const events = await db('audit_events').where({ user_id: user.id, event: 'recovery_code_used' });
    expect(events).toHaveLength(1);
  });

  it('verifyMfa is refused for a session that is not pending', async () => {
    const { caller, key } = await enabledUser();
    expect(await codeOf(caller.auth.verifyMfa({ code: totpAt(key, Date.now() + 30_000) }))).toBe('FORBIDDEN');
  });

  it('disable needs the password and a code; it ends other sessions and removes secret and codes', async () => {
    const db = await getTestDb();
    const { user, caller, recoveryCodes, actor } = await enabledUser();
    await createSession(db, user.id);
    expect(
      await codeOf(caller.auth.mfa.disable({ password: 'wrong password!', code: recoveryCodes[0]! })),
    ).toBe('BAD_REQUEST');
    expect(await codeOf(caller.auth.mfa.disable({ password: TEST_PASSWORD, code: '000000' }))).toBe(
      'BAD_REQUEST',
    );
    await caller.auth.mfa.disable({ password: TEST_PASSWORD, code: recoveryCodes[0]! });
    const row = await User.query(db).findById(user.id);
    expect(row).toMatchObject({ mfa_enabled: false, mfa_secret: null, mfa_last_used_step: null });
    expect(await MfaRecoveryCode.query(db).where('user_id', user.id).resultSize()).toBe(0);
    expect((await Session.query(db).where('user_id', user.id)).map((s) => s.id)).toEqual([actor.sessionId]);
  });

  it('regenerateRecoveryCodes replaces every code after a valid code', async () => {
    const { caller, recoveryCodes } = await enabledUser();
    const { recoveryCodes: fresh } = await caller.auth.mfa.regenerateRecoveryCodes({
      code: recoveryCodes[1]!,
    });
    expect(fresh).toHaveLength(10);
    expect(fresh.some((c) => recoveryCodes.includes(c))).toBe(false);
    // The old ones died with the regeneration.
    expect(await codeOf(caller.auth.mfa.regenerateRecoveryCodes({ code: recoveryCodes[2]! }))).toBe(
      'BAD_REQUEST',
    );
  });

  it('changing password or email with MFA on requires a code', async () => {
    const { caller, recoveryCodes } = await enabledUser();
    expect(
      await codeOf(
        caller.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: 'new long password!' }),
      ),
    ).toBe('BAD_REQUEST');
    const result = await caller.auth.changePassword({
      currentPassword: TEST_PASSWORD,
      newPassword: 'new long password!',
      code: recoveryCodes[0]!,
    });
    expect(result.revokedSessions).toBe(0);
  });

  it('enrolling again while on is a CONFLICT', async () => {
    const { caller } = await enabledUser();
    expect(await codeOf(caller.auth.mfa.enroll())).toBe('CONFLICT');
  });
});
