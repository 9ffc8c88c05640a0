/**
 * The only reader of `process.env`. Configuration is parsed once with zod; a bad value stops the
 * process with a message naming the variable.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const postgresUrl = z
  .string()
  .trim()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), { message: 'must be a postgres:// or postgresql:// URL' });

export const envSchema = z.object({
  /** `production` refuses to start without FO_ENCRYPTION_KEY; `test` is set by vitest. */
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** PostgreSQL to use. Unset: the embedded PostgreSQL in EMBEDDED_PG_DIR. */
  DATABASE_URL: postgresUrl.optional(),
  /** Tests: PostgreSQL server whose databases the test run may create and drop. Unset: embedded. */
  TEST_DATABASE_URL: postgresUrl.optional(),
  /** Data directory of the embedded PostgreSQL (created on first start, kept between runs). */
  EMBEDDED_PG_DIR: z.string().default(path.join(REPO_ROOT, '.data/postgres')),
  /** Port the embedded PostgreSQL listens on (loopback only). */
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  /** Database the embedded PostgreSQL serves the platform from (created if missing). */
  EMBEDDED_PG_DATABASE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .default('family_office'),
  /** Largest number of pooled connections per process. */
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /** Address the HTTP server binds to (`0.0.0.0` to accept connections from other machines). */
  HOST: z.string().default('127.0.0.1'),
  /** HTTP port (0: any free port, logged at start). */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Public origin the server is reached at (used for cookies and CSRF); default http://HOST:PORT. */
  PUBLIC_URL: z.url().optional(),
  /** pino log level; `info` logs every request (method, path, status, time; never headers or inputs). */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Run pending migrations when `pnpm start` boots. */
  MIGRATE_ON_START: boolish.default(true),
  /** A market price older than this many days (before the valuation day) flags its holding stale. */
  PRICE_MAX_AGE_DAYS: z.coerce.number().int().min(0).max(3650).default(5),
  /** The same for prices entered by hand (illiquid positions are priced rarely). */
  MANUAL_PRICE_MAX_AGE_DAYS: z.coerce.number().int().min(0).max(3650).default(92),
  /** Seconds to wait for in-flight requests on shutdown. */
  SHUTDOWN_TIMEOUT_S: z.coerce.number().positive().default(10),

  /**
   * Key that encrypts secrets at rest (Plaid access tokens, TOTP secrets): 32 random bytes in
   * base64, base64url or hex, optionally prefixed with a key id, `<id>:<key>`. Without an id, the
   * id is derived from the key. A comma-separated list is accepted: the first key encrypts, all
   * decrypt. `pnpm fo keys:generate` prints a fresh one.
   */
  FO_ENCRYPTION_KEY: z.string().trim().optional(),
  /** Older keys, comma-separated, same format: still decrypt until `pnpm fo keys:rotate` re-encrypts. */
  FO_ENCRYPTION_PREVIOUS_KEYS: z.string().trim().optional(),

  /** Plaid API credentials; without both, the plaid.* procedures answer "Plaid is not configured". */
  PLAID_CLIENT_ID: z.string().trim().optional(),
  /** Plaid API secret for PLAID_ENV (scrubbed from every log line). */
  PLAID_SECRET: z.string().trim().optional(),
  /** Which Plaid environment the credentials belong to. */
  PLAID_ENV: z.enum(['sandbox', 'production']).default('sandbox'),
  /** Where Plaid sends webhooks: this server's `POST /webhooks/plaid`, as reachable from Plaid. */
  PLAID_WEBHOOK_URL: z.url().optional(),
  /** Overrides the API host chosen by PLAID_ENV (tests point it at a local Plaid-compatible server). */
  PLAID_BASE_URL: z.url().optional(),
  /** Name shown in Plaid Link. */
  PLAID_CLIENT_NAME: z.string().trim().min(1).max(30).default('Family Office'),
  /** Products every linked institution must support, and those used when available. */
  PLAID_PRODUCTS: z.string().trim().default('transactions'),
  /** Products used when the institution supports them (comma-separated). */
  PLAID_OPTIONAL_PRODUCTS: z.string().trim().default('investments'),
  /** Countries whose institutions Plaid Link offers (comma-separated ISO 3166-1 alpha-2). */
  PLAID_COUNTRY_CODES: z.string().trim().default('US'),
  /** Hours between scheduled syncs of each linked institution. */
  PLAID_SYNC_INTERVAL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 7)
    .default(6),
  /** Days of investment history requested on an item's first sync (Plaid keeps up to 24 months). */
  PLAID_INVESTMENT_HISTORY_DAYS: z.coerce.number().int().min(1).max(731).default(730),

  // ── Auth (README "Authentication" explains the defaults against OWASP ASVS L2) ──
  /** A session unused this long expires (ASVS 4.0.3 V3.3.2 L2: 30 minutes of inactivity). */
  SESSION_IDLE_TIMEOUT_S: z.coerce
    .number()
    .int()
    .min(60)
    .default(30 * 60),
  /** A session expires this long after sign-in however much it is used (ASVS V3.3.2 L2: 12 hours). */
  SESSION_ABSOLUTE_LIFETIME_S: z.coerce
    .number()
    .int()
    .min(60)
    .default(12 * 60 * 60),
  /** A password-only session awaiting its TOTP code lives this long. */
  MFA_PENDING_LIFETIME_S: z.coerce
    .number()
    .int()
    .min(30)
    .max(3600)
    .default(5 * 60),
  /** Origins allowed to send cookie-authenticated mutations (comma-separated); PUBLIC_URL's is always allowed. */
  CSRF_ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url())),
  /** argon2id cost (OWASP Password Storage Cheat Sheet minimum: m=19456 KiB, t=2, p=1). Raising them rehashes on login. */
  ARGON2_MEMORY_KIB: z.coerce
    .number()
    .int()
    .min(1024)
    .max(4 * 1024 * 1024)
    .default(19456),
  /** argon2id iterations (see ARGON2_MEMORY_KIB). */
  ARGON2_TIME_COST: z.coerce.number().int().min(1).max(20).default(2),
  /** argon2id lanes (see ARGON2_MEMORY_KIB). */
  ARGON2_PARALLELISM: z.coerce.number().int().min(1).max(16).default(1),
  /**
   * Password hashes computed at once (each takes ARGON2_MEMORY_KIB and a libuv pool thread); the
   * rest wait their turn. Default: one less than the CPUs (at least one), so sign-in bursts leave a
   * core to the event loop and threads to the rest of the pool (fs, dns, zlib).
   * @default CPUs − 1, at least 1
   */
  ARGON2_MAX_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(Math.max(1, availableParallelism() - 1)),
  /** Sign-in throttling: failures counted over this window... */
  AUTH_THROTTLE_WINDOW_S: z.coerce
    .number()
    .int()
    .min(1)
    .default(15 * 60),
  /** ...at most this many per account (email) before the account's sign-ins are delayed... */
  AUTH_THROTTLE_ACCOUNT_MAX_FAILURES: z.coerce.number().int().min(1).default(10),
  /** ...and this many per client address (higher: many people may share one NAT). */
  AUTH_THROTTLE_ADDRESS_MAX_FAILURES: z.coerce.number().int().min(1).default(100),
  /** First delay once over the limit, doubled with each further failure, capped at the maximum. */
  AUTH_THROTTLE_BASE_DELAY_S: z.coerce.number().int().min(1).default(60),
  /** Longest sign-in delay the throttle imposes. */
  AUTH_THROTTLE_MAX_DELAY_S: z.coerce
    .number()
    .int()
    .min(1)
    .default(60 * 60),
  /** Longest lifetime of an API token, days. */
  API_TOKEN_MAX_LIFETIME_DAYS: z.coerce.number().int().min(1).max(3660).default(366),
  /** Development and test only: where the generated FO_ENCRYPTION_KEY is kept when none is set. */
  FO_DEV_KEY_FILE: z.string().default(path.join(REPO_ROOT, '.data/dev-encryption-key')),

  // ── Analytics (README "Analytics" states the conventions) ──
  /** Benchmark symbol for users who have not chosen one (an index ETF; its prices must be loaded). */
  ANALYTICS_BENCHMARK_SYMBOL: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9.^=_:/-]{1,32}$/)
    .default('SPY'),
  /** Annual risk-free rate (a fraction: 0.04 is 4 %) for users who have not set one. */
  ANALYTICS_RISK_FREE_RATE: z.coerce.number().gt(-1).lt(1).default(0.04),
  /** Calendar days a price or FX rate is carried forward before the gap is reported, not bridged. */
  ANALYTICS_MAX_PRICE_GAP_DAYS: z.coerce.number().int().min(1).max(60).default(5),
  /** Worker threads for analytics computations (0: compute on the main thread). */
  ANALYTICS_WORKERS: z.coerce.number().int().min(0).max(16).default(1),
  /**
   * Books smaller than this (ledger events + days × positions) are computed on the main thread:
   * under a few milliseconds, cheaper than a round trip to a worker.
   */
  ANALYTICS_INLINE_MAX_WORK: z.coerce.number().int().min(0).default(200_000),
  /** Users whose prepared analytics data is kept in memory (per process), least recently used out. */
  ANALYTICS_CACHE_USERS: z.coerce.number().int().min(0).max(100_000).default(64),
  /** Run a task worker inside `pnpm start` (the standalone one is `pnpm worker`). */
  WORKER_IN_PROCESS: boolish.default(true),
  /** Tasks a worker runs at once. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  /** How long a claimed task stays reserved without a heartbeat before another worker may take it. */
  TASK_LEASE_MS: z.coerce.number().int().min(200).default(30_000),
  /** Lease renewal interval; default a third of the lease. */
  TASK_HEARTBEAT_MS: z.coerce.number().int().min(50).optional(),
  /** Polling fallback when no LISTEN/NOTIFY wake-up arrives. */
  TASK_POLL_MS: z.coerce.number().int().min(50).default(5_000),
  /** First retry delay; doubles per attempt (with jitter) up to TASK_RETRY_MAX_MS. */
  TASK_RETRY_BASE_MS: z.coerce.number().int().min(0).default(5_000),
  /** Longest retry delay (see TASK_RETRY_BASE_MS). */
  TASK_RETRY_MAX_MS: z.coerce.number().int().min(0).default(3_600_000),
});

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  // Empty strings mean "unset", as in most shells' `VAR= cmd`.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

let cached: Env | undefined;

/** The process configuration, parsed on first use. */
export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
