/**
 * Plaid's error responses: the HTTP status and body Plaid sends for each error code the fake can
 * produce (https://plaid.com/docs/errors/). The body is the `PlaidError` schema.
 */
import type { PlaidError } from 'plaid';
import { PlaidErrorType } from 'plaid';
import { requestId } from './fixtures.js';

interface ErrorSpec {
  status: number;
  type: PlaidErrorType;
  message: string;
  display: string | null;
}

export const PLAID_ERRORS = {
  ITEM_LOGIN_REQUIRED: {
    status: 400,
    type: PlaidErrorType.ItemError,
    message:
      "the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link's update mode to restore the item to a good state",
    display: 'The login details of this item have changed. Please sign in again.',
  },
  RATE_LIMIT_EXCEEDED: {
    status: 429,
    type: PlaidErrorType.RateLimitExceeded,
    message: 'rate limit exceeded for attempts to access this item. please try again later',
    display: null,
  },
  INTERNAL_SERVER_ERROR: {
    status: 500,
    type: PlaidErrorType.ApiError,
    message: 'an unexpected error occurred',
    display: null,
  },
  INSTITUTION_DOWN: {
    status: 400,
    type: PlaidErrorType.InstitutionError,
    message: 'this institution is not currently responding to this request. please try again soon',
    display: 'This financial institution is not currently responding to requests.',
  },
  TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION: {
    status: 400,
    type: PlaidErrorType.TransactionsError,
    message:
      'Underlying transaction data changed since last page was fetched. Please restart pagination from last update.',
    display: null,
  },
  INVALID_ACCESS_TOKEN: {
    status: 400,
    type: PlaidErrorType.InvalidInput,
    message:
      'provided access token is in an invalid format. expected format: access-<environment>-<identifier>',
    display: null,
  },
  INVALID_PUBLIC_TOKEN: {
    status: 400,
    type: PlaidErrorType.InvalidInput,
    message:
      'provided public token is expired. Public tokens expire 30 minutes after creation at which point they can no longer be exchanged',
    display: null,
  },
  INVALID_API_KEYS: {
    status: 400,
    type: PlaidErrorType.InvalidInput,
    message: 'invalid client_id or secret provided',
    display: null,
  },
  INVALID_FIELD: {
    status: 400,
    type: PlaidErrorType.InvalidRequest,
    message: 'a field in the request is invalid',
    display: null,
  },
  MISSING_FIELDS: {
    status: 400,
    type: PlaidErrorType.InvalidRequest,
    message: 'the following required fields are missing',
    display: null,
  },
  NO_INVESTMENT_ACCOUNTS: {
    status: 400,
    type: PlaidErrorType.ItemError,
    message: 'no investment accounts for this item',
    display: null,
  },
  PRODUCTS_NOT_SUPPORTED: {
    status: 400,
    type: PlaidErrorType.ItemError,
    message: 'the requested product is not supported for this item',
    display: null,
  },
} satisfies Record<string, ErrorSpec>;

export type PlaidErrorCode = keyof typeof PLAID_ERRORS;

/** Codes Plaid uses for rate limits, by endpoint. */
const RATE_LIMIT_CODES: Record<string, string> = {
  '/transactions/sync': 'TRANSACTIONS_SYNC_LIMIT',
  '/accounts/get': 'ACCOUNTS_LIMIT',
  '/accounts/balance/get': 'BALANCE_LIMIT',
  '/item/get': 'ITEM_GET_LIMIT',
};

export class PlaidHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: PlaidError,
  ) {
    super(body.error_message);
  }
}

export function plaidError(code: PlaidErrorCode, path: string, detail?: string): PlaidHttpError {
  const spec: ErrorSpec = PLAID_ERRORS[code];
  const errorCode = code === 'RATE_LIMIT_EXCEEDED' ? (RATE_LIMIT_CODES[path] ?? 'RATE_LIMIT') : code;
  return new PlaidHttpError(spec.status, {
    error_type: spec.type,
    error_code: errorCode,
    error_code_reason: null,
    error_message: detail ? `${spec.message}: ${detail}` : spec.message,
    display_message: spec.display,
    request_id: requestId(),
    causes: [],
    status: spec.status,
    documentation_url: `https://plaid.com/docs/errors/${spec.type.toLowerCase().replace(/_error$/, '')}/#${errorCode.toLowerCase()}`,
    suggested_action: null,
  });
}
