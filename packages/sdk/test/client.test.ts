/**
 * createClient's options through a real HTTP server: batching, credentials, headers, base URLs
 * and errors. The requests are observed with the client's own `fetch` option.
 */
import { createClient, Decimal, describeError, isApiError, wire } from '@fo/sdk';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../../server/test/support/http.js';
import { findFreePort } from '../../server/test/support/ports.js';

interface Seen {
  url: string;
  method: string;
  headers: Headers;
}

function recordingFetch(seen: Seen[]): typeof fetch {
  return (input, init) => {
    const request = new Request(input, init);
    seen.push({ url: request.url, method: request.method, headers: request.headers });
    return fetch(request);
  };
}

describe('createClient', () => {
  it('batches concurrent calls into one HTTP request', async () => {
    await using server = await startTestServer();
    const seen: Seen[] = [];
    const fo = createClient({ url: server.url, fetch: recordingFetch(seen) });
    const [a, b, c] = await Promise.all([
      fo.system.info.query(),
      fo.system.info.query(),
      fo.system.info.query(),
    ]);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe('GET');
    expect(new URL(seen[0]?.url ?? '').pathname).toBe('/trpc/system.info,system.info,system.info');
    for (const info of [a, b, c]) expect(info.time).toBeInstanceOf(Date);
  });

  it('splits batches at maxBatchSize', async () => {
    await using server = await startTestServer();
    const seen: Seen[] = [];
    const fo = createClient({ url: server.url, fetch: recordingFetch(seen), maxBatchSize: 2 });
    await Promise.all([fo.system.info.query(), fo.system.info.query(), fo.system.info.query()]);
    expect(seen).toHaveLength(2);
  });

  it('sends the token as a Bearer credential, asking a token function on every request', async () => {
    await using server = await startTestServer();
    const seen: Seen[] = [];
    let current = 'first';
    const fo = createClient({
      url: `${server.url}/`,
      token: () => current,
      headers: { 'x-request-id': 'sdk-test-1' },
      fetch: recordingFetch(seen),
    });
    await fo.system.info.query();
    current = 'second';
    await fo.system.info.query();
    expect(seen.map((s) => s.headers.get('authorization'))).toEqual(['Bearer first', 'Bearer second']);
    expect(seen[0]?.headers.get('x-request-id')).toBe('sdk-test-1');
    expect(new URL(seen[0]?.url ?? '').pathname).toBe('/trpc/system.info');

    const fixed = createClient({ url: server.url, token: 'fo_pat_fixed', fetch: recordingFetch(seen) });
    await fixed.system.info.query();
    expect(seen.at(-1)?.headers.get('authorization')).toBe('Bearer fo_pat_fixed');

    const anonymous = createClient({ url: server.url, token: () => null, fetch: recordingFetch(seen) });
    await anonymous.system.info.query();
    expect(seen.at(-1)?.headers.has('authorization')).toBe(false);
  });

  it('reports an unreachable path as an API error', async () => {
    await using server = await startTestServer();
    const fo = createClient({ url: `${server.url}/not-the-api` });
    const err = await fo.system.info.query().catch((e: unknown) => e);
    expect(isApiError(err)).toBe(true);
  });
});

describe('describeError', () => {
  it('names the code and every field the server named', async () => {
    await using server = await startTestServer();
    const fo = createClient({ url: server.url });
    const unauthenticated = await fo.accounts.list.query({}).catch((e: unknown) => e);
    expect(describeError(unauthenticated)).toBe('UNAUTHORIZED: Authentication required');
    const invalid = await fo.auth.signup
      .mutate({ email: 'not-an-email', password: 'x' })
      .catch((e: unknown) => e);
    expect(describeError(invalid)).toMatch(/^BAD_REQUEST: email: [^;]+; password: /);
  });

  it('says when no answer came, with the socket error', async () => {
    // A port nothing listens on.
    const fo = createClient({ url: `http://127.0.0.1:${await findFreePort()}` });
    const err = await fo.system.info.query().catch((e: unknown) => e);
    expect(describeError(err)).toMatch(/^No answer from the API: .*ECONNREFUSED/);
  });

  it('passes other errors through by message', () => {
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError('plain')).toBe('plain');
  });
});

describe('wire', () => {
  it('round-trips Dates and Decimals exactly', () => {
    const value = {
      at: new Date('2026-01-02T03:04:05.678Z'),
      amount: new Decimal('12345678901234567890.123456789'),
    };
    const back = wire.parse<typeof value>(wire.stringify(value));
    expect(back.at).toBeInstanceOf(Date);
    expect(back.at.toISOString()).toBe('2026-01-02T03:04:05.678Z');
    expect(back.amount).toBeInstanceOf(Decimal);
    expect(back.amount.toFixed()).toBe('12345678901234567890.123456789');
  });
});
