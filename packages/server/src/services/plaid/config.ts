/**
 * Plaid configuration, from PLAID_* variables. Without PLAID_CLIENT_ID and PLAID_SECRET the
 * integration is off: the plaid.* procedures answer "Plaid is not configured" (PRECONDITION_FAILED)
 * and nothing else changes.
 */
import { CountryCode, Products } from 'plaid';
import { type Env, getEnv } from '../../env.js';
import { NotConfiguredError } from '../errors.js';

export interface PlaidSettings {
  clientId: string;
  secret: string;
  env: 'sandbox' | 'production';
  /** API host: Plaid's for the environment, or PLAID_BASE_URL. */
  basePath: string;
  webhookUrl: string | null;
  clientName: string;
  products: Products[];
  optionalProducts: Products[];
  countryCodes: CountryCode[];
  syncIntervalMs: number;
  investmentHistoryDays: number;
  /** Transactions per /transactions/sync page (Plaid allows 1..500; default 500). */
  transactionsPageSize?: number;
}

const HOSTS = { sandbox: 'https://sandbox.plaid.com', production: 'https://production.plaid.com' } as const;

function listOf<T extends string>(raw: string, allowed: Record<string, T>, variable: string): T[] {
  const values = new Set<string>(Object.values(allowed));
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      if (!values.has(s)) throw new NotConfiguredError(`${variable}: unknown value "${s}"`);
      return s as T;
    });
}

export function plaidSettingsFromEnv(env: Env): PlaidSettings | null {
  if (!env.PLAID_CLIENT_ID || !env.PLAID_SECRET) return null;
  return {
    clientId: env.PLAID_CLIENT_ID,
    secret: env.PLAID_SECRET,
    env: env.PLAID_ENV,
    basePath: (env.PLAID_BASE_URL ?? HOSTS[env.PLAID_ENV]).replace(/\/+$/, ''),
    webhookUrl: env.PLAID_WEBHOOK_URL ?? null,
    clientName: env.PLAID_CLIENT_NAME,
    products: listOf(env.PLAID_PRODUCTS, Products, 'PLAID_PRODUCTS'),
    optionalProducts: listOf(env.PLAID_OPTIONAL_PRODUCTS, Products, 'PLAID_OPTIONAL_PRODUCTS'),
    countryCodes: listOf(env.PLAID_COUNTRY_CODES, CountryCode, 'PLAID_COUNTRY_CODES'),
    syncIntervalMs: env.PLAID_SYNC_INTERVAL_HOURS * 3600_000,
    investmentHistoryDays: env.PLAID_INVESTMENT_HISTORY_DAYS,
  };
}

let override: PlaidSettings | null | undefined;
let fromEnv: PlaidSettings | null | undefined;
const listeners = new Set<() => void>();

/** The configured settings, or null when Plaid is not configured. */
export function findPlaidSettings(): PlaidSettings | null {
  if (override !== undefined) return override;
  if (fromEnv === undefined) fromEnv = plaidSettingsFromEnv(getEnv());
  return fromEnv;
}

export function getPlaidSettings(): PlaidSettings {
  const settings = findPlaidSettings();
  if (!settings) {
    throw new NotConfiguredError('Plaid is not configured: set PLAID_CLIENT_ID and PLAID_SECRET');
  }
  return settings;
}

/** Replaces the settings (tests, scripts); `undefined` goes back to the environment. */
export function setPlaidSettings(settings: PlaidSettings | null | undefined): void {
  override = settings;
  for (const listener of listeners) listener();
}

/** Called when the settings are replaced (caches of clients and keys drop their entries). */
export function onPlaidSettingsChange(listener: () => void): void {
  listeners.add(listener);
}
