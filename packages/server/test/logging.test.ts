/**
 * Secrets never reach the logs: the logger's output is captured and searched for every credential
 * a request or an error carried. Request ids travel from the caller to every log line.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildServer } from '../src/http/server.js';
import { configuredSecrets, createLogger, REDACTED } from '../src/logger.js';
import { getTestDb } from './support/db.js';

function captureLogs(secrets: string[] = []) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level: 'trace', destination, secrets });
  return { logger, lines, text: () => lines.join('\n') };
}

const SESSION_TOKEN = 'sess_4f9c2e7d1b8a6350.Zk3qWm9pXr2Lt8Vy';
const COOKIE_SECRET = 'fo_session=cookie_9d8c7b6a5f4e3d2c';
const API_KEY = 'key_71c3e5a9b2d4f608';
const PASSWORD = 'correct horse battery staple';
const PLAID_SECRET = 'plaid_sandbox_0123456789abcdef';

describe('log redaction', () => {
  it('keeps request credentials and query inputs out of the request logs', async () => {
    const capture = captureLogs();
    const app = await buildServer({
      db: await getTestDb(),
      databaseKind: 'external',
      logger: capture.logger,
    });
    try {
      const input = encodeURIComponent(JSON.stringify({ password: PASSWORD }));
      const res = await app.inject({
        method: 'GET',
        url: `/trpc/system.info?input=${input}`,
        headers: {
          authorization: `Bearer ${SESSION_TOKEN}`,
          cookie: COOKIE_SECRET,
          'x-api-key': API_KEY,
          'x-request-id': 'redaction-test-1',
        },
      });
      expect(res.statusCode).toBe(200);
      // The request was logged, by id and path ...
      const requestLines = capture.lines
        .map((l) => JSON.parse(l))
        .filter((l) => l.reqId === 'redaction-test-1');
      expect(requestLines.map((l) => l.msg)).toEqual(['incoming request', 'request completed']);
      expect(requestLines[0].req).toMatchObject({ method: 'GET', url: '/trpc/system.info' });
      // ... and nothing secret came with it.
      for (const secret of [SESSION_TOKEN, COOKIE_SECRET, API_KEY, PASSWORD, 'horse']) {
        expect(capture.text()).not.toContain(secret);
      }
    } finally {
      await app.close();
    }
  });

  it('redacts credential fields at any depth, in objects and in errors', () => {
    const capture = captureLogs();
    capture.logger.info(
      {
        input: {
          email: 'a@example.com',
          password: PASSWORD,
          mfa: { totp: '123456', recoveryCodes: ['abcd-efgh'] },
        },
        user: { profile: { credentials: { currentPassword: PASSWORD, newPassword: `${PASSWORD}!` } } },
        session: { token: SESSION_TOKEN, tokenId: 'tok_visible' },
      },
      'signup',
    );
    const err = Object.assign(new Error('Request failed with status code 400'), {
      code: 'ERR_BAD_REQUEST',
      config: {
        headers: { 'PLAID-SECRET': PLAID_SECRET, Authorization: `Bearer ${SESSION_TOKEN}` },
        client_secret: PLAID_SECRET,
      },
    });
    capture.logger.error({ err }, 'plaid call failed');

    const text = capture.text();
    for (const secret of [PASSWORD, SESSION_TOKEN, PLAID_SECRET, '123456', 'abcd-efgh']) {
      expect(text).not.toContain(secret);
    }
    const [signup, failure] = capture.lines.map((l) => JSON.parse(l));
    expect(signup.input).toMatchObject({ email: 'a@example.com', password: REDACTED });
    expect(signup.session).toEqual({ token: REDACTED, tokenId: 'tok_visible' });
    // Error codes and messages survive; only the credentials go.
    expect(failure.err).toMatchObject({
      message: 'Request failed with status code 400',
      code: 'ERR_BAD_REQUEST',
    });
    expect(failure.err.config.headers['PLAID-SECRET']).toBe(REDACTED);
  });

  it('scrubs the configured secrets wherever they appear, even inside messages and strings', () => {
    const config = {
      DATABASE_URL: 'postgres://fo:db-p%40ssw0rd-42@db.internal:5432/fo',
      PLAID_SECRET,
      FO_ENCRYPTION_KEY: 'k1:Q2hhbmdlTWVQbGVhc2UxMjM0NTY3ODkwMTIzNDU2Nzg=',
      PLAID_CLIENT_ID: 'client-id-is-not-secret',
      PORT: '3000',
    };
    const secrets = configuredSecrets(config);
    const capture = captureLogs(secrets);
    capture.logger.warn(`could not connect with ${config.DATABASE_URL}`);
    capture.logger.error({ body: JSON.stringify({ client_id: 'x', secret: PLAID_SECRET }) }, 'plaid request');
    capture.logger.info({ detail: `key Q2hhbmdlTWVQbGVhc2UxMjM0NTY3ODkwMTIzNDU2Nzg= loaded` }, 'keyring');

    const text = capture.text();
    expect(text).not.toContain('db-p%40ssw0rd-42');
    expect(text).not.toContain('db-p@ssw0rd-42');
    expect(text).not.toContain(PLAID_SECRET);
    expect(text).not.toContain('Q2hhbmdlTWVQbGVhc2UxMjM0NTY3ODkwMTIzNDU2Nzg=');
    expect(text).toContain('db.internal:5432');
    expect(secrets).not.toContain('client-id-is-not-secret');
  });
});

describe('request ids', () => {
  it('generates one when the caller sends none (or an unusable one) and logs it', async () => {
    const capture = captureLogs();
    const app = await buildServer({
      db: await getTestDb(),
      databaseKind: 'external',
      logger: capture.logger,
    });
    try {
      const plain = await app.inject({ method: 'GET', url: '/trpc/system.info' });
      const generated = plain.headers['x-request-id'];
      expect(generated).toMatch(/^[0-9a-f-]{36}$/);
      const bad = await app.inject({
        method: 'GET',
        url: '/trpc/system.info',
        headers: { 'x-request-id': 'has spaces and {json}' },
      });
      expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const ids = new Set(capture.lines.map((l) => JSON.parse(l).reqId).filter(Boolean));
      expect(ids).toEqual(new Set([generated, bad.headers['x-request-id']]));
    } finally {
      await app.close();
    }
  });
});
