/**
 * Sessions over the real HTTP server and the SDK: Bearer tokens, the HttpOnly cookie, CSRF checks
 * on cookie-authenticated mutations, Retry-After on throttled sign-ins.
 */
import { isApiError } from '@fo/sdk';
import { describe, expect, it } from 'vitest';
import { signUpAndLogin, uniqueEmail } from '../support/auth-factories.js';
import { startTestServer } from '../support/http.js';

async function trpcPost(url: string, path: string, input: unknown, headers: Record<string, string> = {}) {
  return fetch(`${url}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ json: input }),
  });
}

async function trpcGet(url: string, path: string, headers: Record<string, string> = {}) {
  return fetch(`${url}/trpc/${path}`, { headers });
}

describe('sessions over HTTP', () => {
  it('signs up, logs in and calls auth.me with the Bearer token through the SDK', async () => {
    await using server = await startTestServer();
    const { email, token } = await signUpAndLogin(server.client());
    const me = await server.client(token).auth.me.query();
    expect(me.user.email).toBe(email);
    expect(me.user.createdAt).toBeInstanceOf(Date);
    expect(me.credential.via).toBe('session');
  });

  it('refuses a missing, malformed or tampered token with UNAUTHORIZED', async () => {
    await using server = await startTestServer();
    const { token } = await signUpAndLogin(server.client());
    const tampered = `${token.slice(0, -1)}${token.endsWith('a') ? 'b' : 'a'}`;
    for (const bad of [undefined, 'garbage', tampered]) {
      const err = await server
        .client(bad)
        .auth.me.query()
        .catch((e: unknown) => e);
      expect(isApiError(err) && err.data?.code).toBe('UNAUTHORIZED');
    }
  });

  it('logout through the SDK ends the session', async () => {
    await using server = await startTestServer();
    const { token } = await signUpAndLogin(server.client());
    await server.client(token).auth.logout.mutate();
    const err = await server
      .client(token)
      .auth.me.query()
      .catch((e: unknown) => e);
    expect(isApiError(err) && err.data?.code).toBe('UNAUTHORIZED');
  });

  it('sets an HttpOnly SameSite=Lax cookie that authenticates queries', async () => {
    await using server = await startTestServer();
    const email = uniqueEmail();
    await server.client().auth.signup.mutate({ email, password: 'cookie test password' });
    const res = await trpcPost(server.url, 'auth.login', { email, password: 'cookie test password' });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(
      /^fo_session=[a-z2-7]{24}\.[a-z2-7]{32}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/,
    );
    const cookie = setCookie.split(';')[0]!;
    const me = await trpcGet(server.url, 'auth.me', { cookie });
    expect(me.status).toBe(200);
    expect(JSON.stringify(await me.json())).toContain(email);
  });

  it('refuses cookie-authenticated mutations from another origin, allows same-origin and Bearer', async () => {
    await using server = await startTestServer();
    const { token } = await signUpAndLogin(server.client());
    const cookie = `fo_session=${token}`;
    const input = { name: 'Renamed' };

    const crossSite = await trpcPost(server.url, 'users.updateProfile', input, {
      cookie,
      origin: 'https://evil.example',
    });
    expect(crossSite.status).toBe(403);
    const fetchMeta = await trpcPost(server.url, 'users.updateProfile', input, {
      cookie,
      'sec-fetch-site': 'cross-site',
    });
    expect(fetchMeta.status).toBe(403);
    const noHeaders = await trpcPost(server.url, 'users.updateProfile', input, { cookie });
    expect(noHeaders.status).toBe(403);

    const sameOrigin = await trpcPost(server.url, 'users.updateProfile', input, {
      cookie,
      origin: server.url,
    });
    expect(sameOrigin.status).toBe(200);
    const sameOriginMeta = await trpcPost(server.url, 'users.updateProfile', input, {
      cookie,
      'sec-fetch-site': 'same-origin',
    });
    expect(sameOriginMeta.status).toBe(200);
    // Bearer is not subject to the check: a browser never attaches it on its own.
    const bearer = await trpcPost(server.url, 'users.updateProfile', input, {
      authorization: `Bearer ${token}`,
      origin: 'https://evil.example',
    });
    expect(bearer.status).toBe(200);
    // Queries are not mutations: a cross-site GET with the cookie still reads (SameSite=Lax governs it).
    const read = await trpcGet(server.url, 'auth.me', { cookie, origin: 'https://evil.example' });
    expect(read.status).toBe(200);
  });

  it('refuses a cross-site sign-in (login CSRF)', async () => {
    await using server = await startTestServer();
    const email = uniqueEmail();
    await server.client().auth.signup.mutate({ email, password: 'login csrf password' });
    const res = await trpcPost(
      server.url,
      'auth.login',
      { email, password: 'login csrf password' },
      { origin: 'https://evil.example' },
    );
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});
