/**
 * @fo/sdk: the typed client of the Family Office Platform.
 *
 *   const fo = createClient({ url: 'http://localhost:3000', token: process.env.FO_TOKEN });
 *   const info = await fo.system.info.query();
 *
 * Inputs are checked at compile time, outputs are typed, Dates and Decimals arrive as real objects,
 * and errors are `TRPCClientError`s carrying a stable `data.code` and `data.reason`.
 *
 * Subscriptions (`tasks.onUpdate`) stream over Server-Sent Events with the same credential:
 *
 *   for await (const update of fo.tasks.onUpdate.subscribe({ taskId })) console.log(update.status);
 *
 * The published package is built by tsup (ESM + CJS) and scripts/build-dts.ts (declarations with
 * the router types inlined), so consumers need neither @fo/server nor @fo/schema.
 */

import { transformer } from '@fo/schema/transformer';
import type { AppRouter } from '@fo/server';
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
  TRPCClientError,
} from '@trpc/client';
// Node 20 has no global EventSource; this one also lets subscriptions send the Bearer header.
import { EventSource } from 'eventsource';

export { Decimal } from '@fo/schema/transformer';
export type { AppRouter, RouterInputs, RouterOutputs } from '@fo/server';
export {
  type CsvMapping,
  type CsvRowError,
  type DateFormat,
  type ImportCsvOptions,
  type ImportCsvSummary,
  type ImportProgress,
  type ImportRow,
  importCsv,
  normalizeDate,
  normalizeNumber,
  parseCsv,
  rowsFromCsv,
} from './csv.js';
export type * from './types.js';
export { TRPCClientError };

export interface ClientOptions {
  /** Base URL of the server, e.g. http://localhost:3000 (the API is served under /trpc). */
  url: string;
  /** Session token or API token (`fo_pat_...`), sent as `Authorization: Bearer`. A function is called per request. */
  token?: string | (() => string | null | undefined);
  /** Extra headers for every request. */
  headers?: Record<string, string>;
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof globalThis.fetch;
  /** Largest number of calls batched into one HTTP request (default 50). */
  maxBatchSize?: number;
}

export type Client = TRPCClient<AppRouter>;

export function trpcUrl(url: string): string {
  return `${url.replace(/\/+$/, '')}/trpc`;
}

export function createClient(options: ClientOptions): Client {
  const { token } = options;
  const headers = (): Record<string, string> => {
    const value = typeof token === 'function' ? token() : token;
    return { ...options.headers, ...(value ? { authorization: `Bearer ${value}` } : {}) };
  };
  const fetchImpl = options.fetch ?? globalThis.fetch;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url: trpcUrl(options.url),
          transformer,
          EventSource,
          // Asked again on every (re)connection, so a token function's new value is used.
          eventSourceOptions: () => ({
            fetch: (url, init) => fetchImpl(url, { ...init, headers: { ...init.headers, ...headers() } }),
          }),
        }),
        false: httpBatchLink({
          url: trpcUrl(options.url),
          transformer,
          maxItems: options.maxBatchSize ?? 50,
          ...(options.fetch ? { fetch: options.fetch } : {}),
          headers,
        }),
      }),
    ],
  });
}

/** Narrows an unknown error to an API error with its tRPC code and reason. */
export function isApiError(err: unknown): err is TRPCClientError<AppRouter> {
  return err instanceof TRPCClientError;
}

/**
 * One line for a log or a terminal, whatever was thrown by a call:
 * - an API answer: `BAD_REQUEST: rows.1.amount: Expected a decimal` (each field the server named,
 *   and when to retry after a rate limit);
 * - no answer at all: `No answer from the API: connect ECONNREFUSED 127.0.0.1:3000`;
 * - anything else: its message.
 */
export function describeError(err: unknown): string {
  if (isApiError(err)) {
    const data = err.data as
      | {
          code?: string;
          issues?: { path: (string | number)[]; message: string }[] | null;
          retryAfterSeconds?: number | null;
        }
      | undefined;
    if (!data?.code) return `No answer from the API: ${rootCause(err)}`;
    const issues = data.issues?.length
      ? data.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')
      : err.message;
    const retry = data.retryAfterSeconds ? ` (retry after ${data.retryAfterSeconds} s)` : '';
    return `${data.code}: ${issues}${retry}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** The innermost cause's message: fetch's "fetch failed" wraps the socket error that says why. */
function rootCause(err: Error): string {
  let current: unknown = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  const code = (current as { code?: unknown }).code;
  const message = current instanceof Error ? current.message : String(current);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

/**
 * The API's wire format (JSON with Dates and Decimals tagged), for storing or forwarding API
 * payloads without losing their types: `wire.parse(wire.stringify(info)).time` is a Date again.
 */
export const wire: {
  stringify(value: unknown): string;
  parse<T = unknown>(text: string): T;
} = {
  stringify: (value) => transformer.stringify(value),
  parse: (text) => transformer.parse(text),
};
