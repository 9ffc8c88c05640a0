/**
 * Structured logs (pino). Secrets never reach them, whatever component logs them. Three layers,
 * because each one alone has a gap:
 *
 * 1. Path redaction (pino's `redact`) for the places credentials are known to sit: request and
 *    response headers and a few top-level names. Handles any value type (an object, an array).
 * 2. A key scrub on every finished line: a string value under a credential-like key (`password`,
 *    `*Token`, `*_secret`, `authorization`, ...) is replaced AT ANY DEPTH, which path patterns
 *    cannot express (`{ err: { config: { headers: { 'PLAID-SECRET': ... } } } }`).
 * 3. A value scrub: the process's own configured secrets (the database password, encryption
 *    keys, API secrets; see `configuredSecrets`) are replaced wherever they appear, even inside
 *    an error message or a serialized request body.
 *
 * Requests are logged by method, path and client, never by headers or query string (tRPC GET
 * requests carry their input in the query).
 */
import type { IncomingMessage } from 'node:http';
import pino, { type Logger } from 'pino';

export const REDACTED = '[redacted]';

/**
 * Exact paths only: wildcard paths (`*.password`) cost pino about 8 µs more per line, and the key
 * scrub below covers credential fields at every depth anyway.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'password',
  'token',
  'secret',
  'DATABASE_URL',
  'FO_ENCRYPTION_KEY',
  'PLAID_SECRET',
];

/**
 * Keys whose string values are credentials wherever they appear. Matches `password`,
 * `currentPassword`, `client_secret`, `PLAID-SECRET`, `accessToken`, `public_token`,
 * `password_hash`, `authorization`, `x-api-key`, `recoveryCodes`... but not `tokenId`, `code` or
 * `reason` (a bare `code` is an error code far more often than an MFA code).
 */
const SENSITIVE_KEY =
  /^(?:[\w-]*(?:password|passwd|secret|token)(?:[-_]?hash)?|authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|recovery[-_]?codes?|totp(?:[-_]?code)?|mfa[-_]?code|(?:encryption|private|signing)[-_]?keys?)$/i;

/**
 * A JSON key and a scalar value (string or number) or an array of strings, as pino writes them
 * (no whitespace). Objects under a sensitive key keep their shape; their members are scrubbed in
 * turn by their own names.
 */
const JSON_SCALAR_MEMBER = /"([\w-]{1,64})":("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|\[(?:"(?:[^"\\]|\\.)*",?)*\])/g;

/** The shortest configured value treated as a secret; shorter ones would redact ordinary words. */
const MIN_SECRET_LENGTH = 6;

function scrubLine(line: string, secrets: readonly string[]): string {
  let out = line.replace(JSON_SCALAR_MEMBER, (member, key: string) =>
    SENSITIVE_KEY.test(key) ? `"${key}":"${REDACTED}"` : member,
  );
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** The forms a secret can take in a JSON log line: as is, and JSON-escaped. */
function secretForms(secrets: readonly (string | undefined)[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * The configured secrets of a process, read from its parsed configuration: every value whose
 * name says it is one (`*SECRET*`, `*KEY*`, `*PASSWORD*`, `*TOKEN*`), each comma-separated part
 * of it (key lists), and the password of every URL-valued setting.
 */
export function configuredSecrets(config: Record<string, unknown>): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(config)) {
    if (typeof value !== 'string' || !value) continue;
    if (/SECRET|KEY|PASSWORD|TOKEN/i.test(name)) {
      found.push(value);
      for (const part of value.split(',')) {
        const trimmed = part.trim();
        found.push(trimmed);
        // `<key id>:<key>` entries: the key part alone is the secret.
        const colon = trimmed.indexOf(':');
        if (colon > 0) found.push(trimmed.slice(colon + 1));
      }
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
      try {
        const password = new URL(value).password;
        if (password) found.push(password, decodeURIComponent(password));
      } catch {
        // Not a URL after all.
      }
    }
  }
  return found;
}

/** What a request looks like in the logs: no headers, no query string. */
function serializeRequest(req: IncomingMessage & { ip?: string; routeOptions?: unknown }) {
  const url = req.url ?? '';
  const queryAt = url.indexOf('?');
  return {
    method: req.method,
    url: queryAt === -1 ? url : url.slice(0, queryAt),
    remoteAddress: req.ip ?? req.socket?.remoteAddress,
    userAgent: req.headers?.['user-agent'],
  };
}

export interface LoggerOptions {
  level: string;
  /**
   * Default: stdout, written asynchronously. Lines logged while a write is in progress go out
   * together in the next one (fewer system calls under load, no delay when quiet); pino flushes
   * what is left when the process exits.
   */
  destination?: pino.DestinationStream;
  /** Values scrubbed from every line (see `configuredSecrets`). */
  secrets?: readonly (string | undefined)[];
}

export function createLogger({ level, destination, secrets = [] }: LoggerOptions): Logger {
  const forms = secretForms(secrets);
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      base: { service: 'fo-server' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { req: serializeRequest, err: pino.stdSerializers.err },
      hooks: { streamWrite: (line) => scrubLine(line, forms) },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

export type { Logger };
