/**
 * Plaid in tests: a fake Plaid server per test file, with the platform's Plaid settings and
 * encryption key pointed at it. Use inside a describe block:
 *
 *   const plaid = usePlaid();
 *   it('...', async () => { const item = plaid.fake.createItem(); ... });
 */
import { randomBytes } from 'node:crypto';
import { CountryCode, Products } from 'plaid';
import { afterAll, beforeAll } from 'vitest';
import { findKeyring, Keyring, parseKeySpec, setKeyring } from '../../src/crypto/keyring.js';
import { type PlaidSettings, setPlaidSettings } from '../../src/services/plaid/config.js';
import { type FakePlaid, startFakePlaid } from './fake-plaid/server.js';

export function plaidSettingsFor(fake: FakePlaid, overrides: Partial<PlaidSettings> = {}): PlaidSettings {
  return {
    clientId: fake.clientId,
    secret: fake.secret,
    env: 'sandbox',
    basePath: fake.url,
    webhookUrl: 'https://fo.example.com/webhooks/plaid',
    clientName: 'Family Office',
    products: [Products.Transactions],
    optionalProducts: [Products.Investments],
    countryCodes: [CountryCode.Us],
    syncIntervalMs: 6 * 3600_000,
    investmentHistoryDays: 730,
    ...overrides,
  };
}

export const TEST_KEYRING = new Keyring(parseKeySpec(`test:${randomBytes(32).toString('base64')}`));

export interface PlaidTestContext {
  readonly fake: FakePlaid;
  readonly settings: PlaidSettings;
}

export function usePlaid(overrides: Partial<PlaidSettings> = {}): PlaidTestContext {
  let fake: FakePlaid | null = null;
  let settings: PlaidSettings | null = null;
  let previousKeyring: Keyring | null = null;
  beforeAll(async () => {
    previousKeyring = findKeyring();
    fake = await startFakePlaid();
    settings = plaidSettingsFor(fake, overrides);
    setPlaidSettings(settings);
    setKeyring(TEST_KEYRING);
  });
  afterAll(async () => {
    setPlaidSettings(undefined);
    setKeyring(previousKeyring);
    await fake?.[Symbol.asyncDispose]();
  });
  return {
    get fake() {
      if (!fake) throw new Error('usePlaid: the fake Plaid server is not started yet');
      return fake;
    },
    get settings() {
      if (!settings) throw new Error('usePlaid: not started yet');
      return settings;
    },
  };
}

let shared: Promise<FakePlaid> | null = null;

/**
 * One fake Plaid server for the whole test process, with the Plaid settings pointed at it: for
 * tests that cannot scope a server to a describe block (the isolation harness's cases).
 */
export function sharedFakePlaid(): Promise<FakePlaid> {
  shared ??= startFakePlaid();
  return shared.then((fake) => {
    setPlaidSettings(plaidSettingsFor(fake));
    return fake;
  });
}
