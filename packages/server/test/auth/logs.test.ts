/**
 * Secrets never reach the logs: a server logging at `trace` through the production logger
 * configuration (logger.ts and its redaction list) serves sign-up, sign-in, MFA, password change
 * and API tokens over real HTTP, and the captured output holds none of the passwords, tokens,
 * TOTP secret or codes, recovery codes, or the Authorization/Cookie header values.
 */
import { Writable } from 'node:stream';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { describe, expect, it } from 'vitest';
import { totpAt } from '../../src/auth/totp.js';
import { createLogger } from '../../src/logger.js';
import { uniqueEmail } from '../support/auth-factories.js';
import { startTestServer } from '../support/http.js';

function capture() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level: 'trace', destination: stream }), text: () => chunks.join('') };
}

describe('logs', () => {
  it('never contain passwords, tokens, TOTP secrets or codes, or Authorization/Cookie values', async () => {
    const { logger, text } = capture();
    await using server = await startTestServer({ logger });
    const secrets: string[] = [];
    const email = uniqueEmail('logs');
    const password = 'log-test password 42';
    const newPassword = 'log-test password 43';
    secrets.push(password, newPassword);

    const anon = server.client();
    await anon.auth.signup.mutate({ email, password });
    await anon.auth.login.mutate({ email, password: 'wrong password here' }).catch(() => undefined);
    const { token } = await anon.auth.login.mutate({ email, password });
    secrets.push(token, token.split('.')[1]!);
    const me = server.client(token);
    await me.auth.me.query();

    const { secret } = await me.auth.mfa.enroll.mutate();
    const key = decodeBase32IgnorePadding(secret);
    const confirmCode = totpAt(key, Date.now());
    const { recoveryCodes } = await me.auth.mfa.confirm.mutate({ code: confirmCode });
    secrets.push(secret, confirmCode, ...recoveryCodes);

    const pending = await anon.auth.login.mutate({ email, password });
    const verifyCode = totpAt(key, Date.now() + 30_000);
    await server
      .client(pending.token)
      .auth.verifyMfa.mutate({ code: '000000' })
      .catch(() => undefined);
    const full = await server.client(pending.token).auth.verifyMfa.mutate({ code: verifyCode });
    secrets.push(pending.token, verifyCode, full.token);

    const session = server.client(full.token);
    await session.auth.changePassword.mutate({
      currentPassword: password,
      newPassword,
      code: recoveryCodes[0],
    });
    const { token: apiToken } = await session.apiTokens.create.mutate({ name: 'logs', scopes: ['read'] });
    secrets.push(apiToken);
    await server.client(apiToken).auth.me.query();
    // The cookie transport too.
    await fetch(`${server.url}/trpc/auth.me`, { headers: { cookie: `fo_session=${full.token}` } });

    const output = text();
    expect(output.length).toBeGreaterThan(0);
    // The server did log these requests (so the check below is about content, not silence).
    expect(output).toContain('auth.verifyMfa');
    for (const s of secrets)
      expect(output, `log output contains a secret (${s.slice(0, 4)}…)`).not.toContain(s);
  });

  it('redacts credentials wherever a component logs them', () => {
    const { logger, text } = capture();
    logger.info(
      {
        upstream: { headers: { authorization: 'Bearer abc.def', cookie: 'fo_session=abc.def' } },
        input: { password: 'hunter2 hunter2', token: 'fo_pat_x', recoveryCodes: ['aaaa-bbbb-cccc-dddd'] },
      },
      'a careless log line',
    );
    const line = JSON.parse(text()) as {
      upstream: { headers: Record<string, string> };
      input: Record<string, unknown>;
    };
    expect(line.upstream.headers).toEqual({ authorization: '[redacted]', cookie: '[redacted]' });
    expect(line.input).toEqual({ password: '[redacted]', token: '[redacted]', recoveryCodes: '[redacted]' });
    expect(text()).not.toContain('aaaa-bbbb');
  });
});
