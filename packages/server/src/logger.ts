/**
 * Structured logs (pino). Secrets never reach them: credentials in headers, bodies and errors are
 * redacted by path, whatever component logs them.
 */
import pino, { type Logger } from 'pino';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.token',
  '*.accessToken',
  '*.access_token',
  '*.refreshToken',
  '*.secret',
  '*.code',
  '*.recoveryCode',
  '*.totp',
  '*.mfaSecret',
  '*.mfa_secret',
  '*.password_hash',
  '*.publicToken',
  '*.public_token',
  'password',
  'token',
  'secret',
  'DATABASE_URL',
  '*.DATABASE_URL',
  'FO_ENCRYPTION_KEY',
  'PLAID_SECRET',
];

export interface LoggerOptions {
  level: string;
  destination?: pino.DestinationStream;
}

export function createLogger({ level, destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'fo-server' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

export type { Logger };
