import { isApiError } from '@fo/sdk';
import { describe, expect, it } from 'vitest';
import { ApiToken } from '../../src/models/index.js';
import { createCaller } from '../../src/routers/index.js';
import { createContextInner } from '../../src/trpc/context.js';
import { createUserWithSession, signUpAndLogin } from '../support/auth-factories.js';
import { callerAs } from '../support/caller.js';
import { getTestDb } from '../support/db.js';
import { startTestServer } from '../support/http.js';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (err) {
    return (err as { code?: string }).code ?? 'UNKNOWN';
  }
}

async function tokenCaller(token: string) {
  return createCaller(
    createContextInner({ db: await getTestDb(), credential: { token, transport: 'bearer' } }),
  );
}

describe('apiTokens', () => {
  it('create returns the plaintext once with the fo_pat_ prefix; only its hash is stored', async () => {
    const db = await getTestDb();
    const u = await createUserWithSession(db);
    const caller = await callerAs(u.actor);
    const created = await caller.apiTokens.create({
      name: 'nightly import',
      scopes: ['read', 'write'],
      expiresInDays: 30,
    });
    expect(created.token).toMatch(/^fo_pat_[a-z2-7]{16}_[a-z2-7]{32}$/);
    expect(created.token.startsWith(created.apiToken.prefix)).toBe(true);
    expect(created.apiToken).toMatchObject({
      name: 'nightly import',
      scopes: ['read', 'write'],
      lastUsedAt: null,
    });
    const days = (created.apiToken.expiresAt.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
    const secret = created.token.split('_').at(-1)!;
    expect(JSON.stringify(await db('api_tokens').select())).not.toContain(secret);
    const list = await caller.apiTokens.list();
    expect(list).toEqual([created.apiToken]);
    expect(JSON.stringify(list)).not.toContain(secret);
  });

  it('authenticates with its scopes only: read can query, not mutate (FORBIDDEN)', async () => {
    const db = await getTestDb();
    const u = await createUserWithSession(db);
    const { token } = await (await callerAs(u.actor)).apiTokens.create({ name: 'reader', scopes: ['read'] });
    const caller = await tokenCaller(token);
    const me = await caller.auth.me();
    expect(me.user.id).toBe(u.user.id);
    expect(me.credential).toMatchObject({ via: 'token', scopes: ['read'], sessionId: null });
    expect(await codeOf(caller.users.updateProfile({ name: 'nope' }))).toBe('FORBIDDEN');
    const { token: writer } = await (await callerAs(u.actor)).apiTokens.create({
      name: 'writer',
      scopes: ['write'],
    });
    expect(await codeOf((await tokenCaller(writer)).users.updateProfile({ name: 'ok' }))).toBe('OK');
    expect(await codeOf((await tokenCaller(writer)).auth.me())).toBe('FORBIDDEN');
  });

  it('can never manage credentials, whatever its scopes', async () => {
    const db = await getTestDb();
    const u = await createUserWithSession(db);
    const { token } = await (await callerAs(u.actor)).apiTokens.create({
      name: 'everything',
      scopes: ['read', 'write', 'tasks'],
    });
    const caller = await tokenCaller(token);
    const attempts: (() => Promise<unknown>)[] = [
      () => caller.apiTokens.create({ name: 'minted', scopes: ['read'] }),
      () => caller.apiTokens.list(),
      () => caller.apiTokens.revoke({ id: '01890a5d-ac96-774b-bcce-b302099a8057' }),
      () =>
        caller.auth.changePassword({
          currentPassword: 'whatever it is',
          newPassword: 'a brand new password',
        }),
      () => caller.auth.changeEmail({ currentPassword: 'whatever it is', newEmail: 'new@example.com' }),
      () => caller.auth.mfa.enroll(),
      () => caller.auth.mfa.disable({ password: 'whatever it is', code: '123456' }),
      () => caller.auth.logoutAll(),
      () => caller.auth.sessions(),
      () => caller.auth.revokeSession({ id: 'aaaaaaaaaaaaaaaaaaaaaaaa' }),
    ];
    for (const attempt of attempts) expect(await codeOf(attempt())).toBe('FORBIDDEN');
    expect(await ApiToken.query(db).where('user_id', u.user.id).resultSize()).toBe(1);
  });

  it('tracks last_used_at, stops working when expired or revoked', async () => {
    const db = await getTestDb();
    const u = await createUserWithSession(db);
    const owner = await callerAs(u.actor);
    const { token, apiToken } = await owner.apiTokens.create({ name: 'script', scopes: ['read'] });
    await (await tokenCaller(token)).auth.me();
    const used = await ApiToken.query(db).findById(apiToken.id);
    expect(used!.last_used_at).toBeInstanceOf(Date);

    await ApiToken.query(db)
      .patch({ expires_at: new Date(Date.now() - 1000) })
      .where('id', apiToken.id);
    expect(await codeOf((await tokenCaller(token)).auth.me())).toBe('UNAUTHORIZED');

    const second = await owner.apiTokens.create({ name: 'second', scopes: ['read'] });
    await owner.apiTokens.revoke({ id: second.apiToken.id });
    expect(await codeOf((await tokenCaller(second.token)).auth.me())).toBe('UNAUTHORIZED');
    expect(await codeOf(owner.apiTokens.revoke({ id: second.apiToken.id }))).toBe('NOT_FOUND');
  });

  it('refuses a tampered secret and tokens sent in the session cookie', async () => {
    const db = await getTestDb();
    const u = await createUserWithSession(db);
    const { token } = await (await callerAs(u.actor)).apiTokens.create({ name: 'script', scopes: ['read'] });
    const tampered = `${token.slice(0, -1)}${token.endsWith('a') ? 'b' : 'a'}`;
    expect(await codeOf((await tokenCaller(tampered)).auth.me())).toBe('UNAUTHORIZED');
    const viaCookie = createCaller(createContextInner({ db, credential: { token, transport: 'cookie' } }));
    expect(await codeOf(viaCookie.auth.me())).toBe('UNAUTHORIZED');
  });

  it('validates names, scopes and lifetime', async () => {
    const db = await getTestDb();
    const caller = await callerAs((await createUserWithSession(db)).actor);
    expect(await codeOf(caller.apiTokens.create({ name: '', scopes: ['read'] }))).toBe('BAD_REQUEST');
    expect(await codeOf(caller.apiTokens.create({ name: 'x', scopes: [] }))).toBe('BAD_REQUEST');
    expect(await codeOf(caller.apiTokens.create({ name: 'x', scopes: ['read', 'read'] }))).toBe(
      'BAD_REQUEST',
    );
    expect(await codeOf(caller.apiTokens.create({ name: 'x', scopes: ['read'], expiresInDays: 400 }))).toBe(
      'BAD_REQUEST',
    );
    await caller.apiTokens.create({ name: 'same', scopes: ['read'] });
    expect(await codeOf(caller.apiTokens.create({ name: 'same', scopes: ['read'] }))).toBe('CONFLICT');
  });

  it('works through the SDK over HTTP, created with a session and used as a Bearer token', async () => {
    await using server = await startTestServer();
    const { token: session } = await signUpAndLogin(server.client());
    const { token } = await server.client(session).apiTokens.create.mutate({ name: 'sdk', scopes: ['read'] });
    const me = await server.client(token).auth.me.query();
    expect(me.credential.via).toBe('token');
    const err = await server
      .client(token)
      .apiTokens.create.mutate({ name: 'minted', scopes: ['read'] })
      .catch((e: unknown) => e);
    expect(isApiError(err) && err.data?.code).toBe('FORBIDDEN');
    expect(isApiError(err) && err.message).toMatch(/API tokens cannot manage credentials/);
  });
});
