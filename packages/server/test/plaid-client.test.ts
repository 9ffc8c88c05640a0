/**
 * The real `plaid` client against the fake Plaid server: configuration (base path, credentials,
 * API version), every endpoint the platform uses, pagination, and error normalization.
 */
import { CountryCode, Products } from 'plaid';
import { describe, expect, it } from 'vitest';
import { parseEnv } from '../src/env.js';
import { NotConfiguredError } from '../src/services/errors.js';
import { PLAID_API_VERSION, PlaidApiError, plaidCall } from '../src/services/plaid/client.js';
import { getPlaidSettings, plaidSettingsFromEnv, setPlaidSettings } from '../src/services/plaid/config.js';
import { usePlaid } from './support/plaid.js';

describe('plaid client against the fake Plaid server', () => {
  const plaid = usePlaid();

  it('sends credentials and the API version as headers, and exchanges a sandbox public token', async () => {
    const { public_token } = await plaidCall('/sandbox/public_token/create', (api) =>
      api.sandboxPublicTokenCreate({
        institution_id: 'ins_109508',
        initial_products: [Products.Transactions],
      }),
    );
    expect(public_token).toMatch(/^public-sandbox-/);
    const exchanged = await plaidCall('/item/public_token/exchange', (api) =>
      api.itemPublicTokenExchange({ public_token }),
    );
    expect(exchanged.access_token).toMatch(/^access-sandbox-/);
    const last = plaid.fake.requests.at(-1);
    expect(last?.clientId).toBe(plaid.fake.clientId);
    expect(last?.plaidVersion).toBe(PLAID_API_VERSION);
    // A public token is single-use.
    await expect(
      plaidCall('/item/public_token/exchange', (api) => api.itemPublicTokenExchange({ public_token })),
    ).rejects.toMatchObject({ code: 'INVALID_PUBLIC_TOKEN', status: 400 });
  });

  it('creates link tokens, in update mode with an access token', async () => {
    const item = plaid.fake.createItem();
    const created = await plaidCall('/link/token/create', (api) =>
      api.linkTokenCreate({
        client_name: 'Family Office',
        language: 'en',
        country_codes: [CountryCode.Us],
        user: { client_user_id: 'u1' },
        products: [Products.Transactions],
      }),
    );
    expect(created.link_token).toMatch(/^link-sandbox-/);
    expect(Date.parse(created.expiration)).toBeGreaterThan(Date.now());
    const update = await plaidCall('/link/token/create', (api) =>
      api.linkTokenCreate({
        client_name: 'Family Office',
        language: 'en',
        country_codes: [CountryCode.Us],
        user: { client_user_id: 'u1' },
        access_token: item.accessToken,
      }),
    );
    expect(update.link_token).toMatch(/^link-sandbox-/);
  });

  it('pages /transactions/sync with added, modified and removed', async () => {
    const item = plaid.fake.createItem();
    const checking = plaid.fake.account(item.itemId, 'Plaid Checking').account_id;
    const txns = plaid.fake.addTransactions(
      item.itemId,
      Array.from({ length: 5 }, (_, i) => ({
        account_id: checking,
        amount: 10 + i,
        date: `2026-11-0${i + 1}`,
        name: `Purchase ${i}`,
      })),
    );
    plaid.fake.modifyTransaction(item.itemId, txns[1]!.transaction_id, { amount: 99 });
    plaid.fake.removeTransactions(item.itemId, [txns[2]!.transaction_id]);

    const pages = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await plaidCall('/transactions/sync', (api) =>
        api.transactionsSync({ access_token: item.accessToken, count: 3, ...(cursor ? { cursor } : {}) }),
      );
      pages.push(page);
      cursor = page.next_cursor;
      if (!page.has_more) break;
    }
    expect(pages).toHaveLength(3);
    // Page 1: three added; page 2: two added and one modified of page 1's; page 3: one removal.
    expect(pages[0]?.added.map((t) => t.name)).toEqual(['Purchase 0', 'Purchase 1', 'Purchase 2']);
    expect(pages[1]?.modified.map((t) => t.amount)).toEqual([99]);
    expect(pages[2]?.removed).toEqual([{ transaction_id: txns[2]!.transaction_id, account_id: checking }]);
    expect(pages[2]?.accounts.length).toBeGreaterThan(0);
    // From the last cursor, nothing new.
    const empty = await plaidCall('/transactions/sync', (api) =>
      api.transactionsSync({ access_token: item.accessToken, cursor }),
    );
    expect(empty).toMatchObject({
      added: [],
      modified: [],
      removed: [],
      has_more: false,
      next_cursor: cursor,
    });
  });

  it('turns item errors, rate limits, 500s and dropped connections into PlaidApiError', async () => {
    const item = plaid.fake.createItem();
    const accounts = () =>
      plaidCall('/accounts/get', (api) => api.accountsGet({ access_token: item.accessToken }));

    plaid.fake.setItemError(item.itemId, 'ITEM_LOGIN_REQUIRED');
    const reauth = await accounts().catch((e: unknown) => e);
    expect(reauth).toBeInstanceOf(PlaidApiError);
    expect(reauth).toMatchObject({ code: 'ITEM_LOGIN_REQUIRED', type: 'ITEM_ERROR', requiresReauth: true });
    plaid.fake.setItemError(item.itemId, null);

    plaid.fake.failNext('/accounts/get', 'RATE_LIMIT_EXCEEDED');
    expect(await accounts().catch((e: unknown) => e)).toMatchObject({
      status: 429,
      code: 'ACCOUNTS_LIMIT',
      transient: true,
    });
    plaid.fake.failNext('/accounts/get', 'INTERNAL_SERVER_ERROR');
    expect(await accounts().catch((e: unknown) => e)).toMatchObject({ status: 500, transient: true });
    plaid.fake.failNext('/accounts/get', 'DISCONNECT');
    const dropped = await accounts().catch((e: unknown) => e);
    expect(dropped).toMatchObject({ status: null, transient: true });
    // None of them carries the credentials or the access token.
    for (const err of [reauth, dropped]) {
      const dump = JSON.stringify(err) + String(err) + Object.keys(err as object).join();
      expect(dump).not.toContain(plaid.fake.secret);
      expect(dump).not.toContain(item.accessToken);
    }
    expect((await accounts()).accounts).toHaveLength(item.accounts.length);
  });

  it('rejects wrong credentials', async () => {
    const settings = { ...getPlaidSettings(), secret: 'wrong' };
    await expect(
      plaidCall('/item/get', (api) => api.itemGet({ access_token: 'x' }), settings),
    ).rejects.toMatchObject({ code: 'INVALID_API_KEYS' });
  });
});

describe('plaid configuration', () => {
  it('is off without credentials, and says so', () => {
    setPlaidSettings(null);
    try {
      expect(() => getPlaidSettings()).toThrow(NotConfiguredError);
      expect(() => getPlaidSettings()).toThrow('Plaid is not configured');
    } finally {
      setPlaidSettings(undefined);
    }
    expect(plaidSettingsFromEnv(parseEnv({}))).toBeNull();
  });

  it('reads PLAID_* variables', () => {
    const settings = plaidSettingsFromEnv(
      parseEnv({
        PLAID_CLIENT_ID: 'id',
        PLAID_SECRET: 'secret',
        PLAID_ENV: 'production',
        PLAID_WEBHOOK_URL: 'https://fo.example.com/webhooks/plaid',
        PLAID_SYNC_INTERVAL_HOURS: '4',
      }),
    );
    expect(settings).toMatchObject({
      basePath: 'https://production.plaid.com',
      webhookUrl: 'https://fo.example.com/webhooks/plaid',
      products: ['transactions'],
      optionalProducts: ['investments'],
      countryCodes: ['US'],
      syncIntervalMs: 4 * 3600_000,
    });
    expect(
      plaidSettingsFromEnv(
        parseEnv({ PLAID_CLIENT_ID: 'id', PLAID_SECRET: 's', PLAID_BASE_URL: 'http://127.0.0.1:9/' }),
      )?.basePath,
    ).toBe('http://127.0.0.1:9');
  });
});
