/**
 * The official `plaid` client, configured from PlaidSettings, and one wrapper every call goes
 * through. The wrapper turns the client's errors (axios errors, which carry the request's headers
 * with PLAID-SECRET and its body with the access token) into PlaidApiError, which carries only
 * Plaid's error type, code, message and request id: nothing secret can reach a log or a task's
 * last_error through an error object.
 */
import { Configuration, PlaidApi } from 'plaid';
import { RateLimitedError, UpstreamError, ValidationError } from '../errors.js';
import { findPlaidSettings, getPlaidSettings, type PlaidSettings } from './config.js';

/** The API version the response shapes in this code (and the plaid package's types) follow. */
export const PLAID_API_VERSION = '2020-09-14';

const REQUEST_TIMEOUT_MS = 60_000;

/** Item errors only the account holder can fix, by signing in again through Link's update mode. */
const REAUTH_CODES = new Set([
  'ITEM_LOGIN_REQUIRED',
  'INVALID_CREDENTIALS',
  'INVALID_MFA',
  'INVALID_UPDATED_USERNAME',
  'INSUFFICIENT_CREDENTIALS',
  'ITEM_LOCKED',
  'USER_SETUP_REQUIRED',
  'MFA_NOT_SUPPORTED',
  'NO_ACCOUNTS',
  'ACCESS_NOT_GRANTED',
  'PASSWORD_RESET_REQUIRED',
  'USER_PERMISSION_REVOKED',
  'USER_ACCOUNT_REVOKED',
]);

export class PlaidApiError extends Error {
  override name = 'PlaidApiError';
  constructor(
    /** The endpoint, e.g. `/transactions/sync`. */
    readonly operation: string,
    /** HTTP status, or null when no response arrived. */
    readonly status: number | null,
    readonly type: string,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
  ) {
    super(`Plaid ${operation}: ${code}: ${message}`);
  }

  /** The item needs its owner to re-link it (update mode); retrying cannot help. */
  get requiresReauth(): boolean {
    return REAUTH_CODES.has(this.code);
  }

  /** Worth retrying later: rate limits, Plaid or institution outages, network failures. */
  get transient(): boolean {
    return (
      this.status === null ||
      this.status === 429 ||
      this.status >= 500 ||
      this.type === 'RATE_LIMIT_EXCEEDED' ||
      this.type === 'INSTITUTION_ERROR' ||
      this.type === 'API_ERROR' ||
      this.code === 'PRODUCT_NOT_READY'
    );
  }
}

export function isReauthCode(code: string): boolean {
  return REAUTH_CODES.has(code);
}

interface AxiosLikeError {
  isAxiosError?: boolean;
  code?: string;
  response?: { status?: number; data?: unknown };
}

function toPlaidApiError(operation: string, err: unknown): PlaidApiError {
  const e = (err ?? {}) as AxiosLikeError;
  const status = e.response?.status ?? null;
  const data = (e.response?.data ?? null) as Record<string, unknown> | null;
  if (data && typeof data.error_code === 'string') {
    return new PlaidApiError(
      operation,
      status,
      String(data.error_type ?? 'UNKNOWN'),
      data.error_code,
      String(data.error_message ?? ''),
      typeof data.request_id === 'string' ? data.request_id : null,
    );
  }
  if (status !== null) {
    return new PlaidApiError(operation, status, 'API_ERROR', `HTTP_${status}`, 'unexpected response', null);
  }
  // No response: the connection failed. Only the error code is kept (ECONNRESET, ETIMEDOUT...).
  const code = typeof e.code === 'string' && /^[A-Z_]+$/.test(e.code) ? e.code : 'NETWORK_ERROR';
  return new PlaidApiError(operation, null, 'NETWORK_ERROR', code, 'no response from Plaid', null);
}

const clients = new WeakMap<PlaidSettings, PlaidApi>();

export function plaidApiFor(settings: PlaidSettings): PlaidApi {
  let api = clients.get(settings);
  if (!api) {
    api = new PlaidApi(
      new Configuration({
        basePath: settings.basePath,
        baseOptions: {
          timeout: REQUEST_TIMEOUT_MS,
          headers: {
            'PLAID-CLIENT-ID': settings.clientId,
            'PLAID-SECRET': settings.secret,
            'Plaid-Version': PLAID_API_VERSION,
          },
        },
      }),
    );
    clients.set(settings, api);
  }
  return api;
}

/** Calls Plaid with the configured client; errors come back as PlaidApiError. */
export async function plaidCall<T>(
  operation: string,
  call: (api: PlaidApi) => Promise<{ data: T }>,
  settings: PlaidSettings = getPlaidSettings(),
): Promise<T> {
  try {
    const response = await call(plaidApiFor(settings));
    return response.data;
  } catch (err) {
    throw toPlaidApiError(operation, err);
  }
}

export function plaidConfigured(): boolean {
  return findPlaidSettings() !== null;
}

/**
 * What a procedure tells its caller when Plaid refuses: a public token that is expired or used is
 * the caller's input; rate limits ask to wait; anything else is Plaid failing (BAD_GATEWAY).
 * Messages carry Plaid's code and request id (for support), never credentials or tokens.
 */
export function plaidFailure(err: unknown, field?: string): unknown {
  if (!(err instanceof PlaidApiError)) return err;
  if (err.code === 'INVALID_PUBLIC_TOKEN') {
    return new ValidationError([field ?? 'publicToken'], 'The public token is expired or was already used');
  }
  if (err.status === 429 || err.type === 'RATE_LIMIT_EXCEEDED') {
    return new RateLimitedError(`Plaid is rate limiting requests (${err.code}); try again shortly`, 60);
  }
  const ref = err.requestId ? ` (Plaid request ${err.requestId})` : '';
  return new UpstreamError(`Plaid could not complete ${err.operation}: ${err.code}${ref}`);
}
