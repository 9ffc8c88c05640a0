/**
 * Wire contract of users, sessions, MFA, API tokens and the audit log.
 */
import { z } from 'zod';
import { zCurrency, zPage, zPageInput, zUuid } from './common.js';
import { RISK_TOLERANCES, SCOPES } from './enums.js';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

/** Email, normalized: trimmed and lower-cased (stored and compared that way). */
export const zEmail = z
  .string()
  .trim()
  .toLowerCase()
  .max(320, { message: 'Email is too long' })
  .pipe(z.email({ message: 'Expected an email address' }));

/** Length counted in Unicode code points, as NIST SP 800-63B asks. */
function codePoints(value: string): number {
  let n = 0;
  for (const _ of value) n += 1;
  return n;
}

/**
 * A new password (NIST SP 800-63B): 12-256 characters, any characters, no composition rules.
 * The service also rejects passwords containing the email's local part or on the common list.
 */
export const zNewPassword = z
  .string()
  .refine((v) => codePoints(v) >= PASSWORD_MIN_LENGTH, {
    message: `Password must have at least ${PASSWORD_MIN_LENGTH} characters`,
  })
  .refine((v) => codePoints(v) <= PASSWORD_MAX_LENGTH, {
    message: `Password must have at most ${PASSWORD_MAX_LENGTH} characters`,
  });

/** A password being checked (sign-in, re-authentication): any non-empty string of sane size. */
export const zPassword = z.string().min(1, { message: 'Password is required' }).max(1024);

/** A TOTP code (6 digits) or a recovery code (`xxxx-xxxx-xxxx-xxxx`, dashes and case optional). */
export const zOtpCode = z
  .string()
  .trim()
  .min(6)
  .max(32)
  .regex(/^[0-9A-Za-z-]+$/, { message: 'Expected a 6-digit code or a recovery code' });

export const zTotpCode = z
  .string()
  .trim()
  .regex(/^\d{6}$/, { message: 'Expected a 6-digit code' });

export const zRiskTolerance = z.enum(RISK_TOLERANCES);
export const zScope = z.enum(SCOPES);

export const zSessionId = z.string().regex(/^[a-z2-7]{24}$/, { message: 'Expected a session id' });

// ── Users ──

export const zUser = z.object({
  id: zUuid,
  email: z.string(),
  name: z.string().nullable(),
  riskTolerance: zRiskTolerance,
  investmentHorizonYears: z.number().int().nullable(),
  baseCurrency: z.string(),
  mfaEnabled: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type User = z.infer<typeof zUser>;

export const zSignupInput = z.object({
  email: zEmail,
  password: zNewPassword,
  name: z.string().trim().min(1).max(200).optional(),
  baseCurrency: zCurrency.optional(),
  riskTolerance: zRiskTolerance.optional(),
});
export type SignupInput = z.input<typeof zSignupInput>;

/**
 * The same answer whether or not the email was free (no user enumeration): the account is
 * created when it can be, and the caller signs in next.
 */
export const zSignupResult = z.object({
  status: z.literal('accepted'),
  message: z.string(),
});

export const zLoginInput = z.object({
  email: zEmail,
  password: zPassword,
});

export const zLoginResult = z.object({
  /** The session token (`<id>.<secret>`): send as `Authorization: Bearer`, or rely on the cookie. */
  token: z.string(),
  expiresAt: z.date(),
  /** True when the session still awaits a TOTP or recovery code (auth.verifyMfa). */
  mfaRequired: z.boolean(),
});
export type LoginResult = z.infer<typeof zLoginResult>;

export const zVerifyMfaInput = z.object({ code: zOtpCode });

export const zMe = z.object({
  user: zUser,
  credential: z.object({
    via: z.enum(['session', 'token', 'system']),
    scopes: z.array(zScope),
    sessionId: z.string().nullable(),
    apiTokenId: z.string().nullable(),
  }),
});
export type Me = z.infer<typeof zMe>;

export const zUpdateProfileInput = z
  .object({
    name: z.string().trim().min(1).max(200).nullable().optional(),
    riskTolerance: zRiskTolerance.optional(),
    /** Years until the money is needed, 1-100; null clears it. */
    investmentHorizonYears: z.number().int().min(1).max(100).nullable().optional(),
    baseCurrency: zCurrency.optional(),
  })
  .strict();

export const zChangePasswordInput = z.object({
  currentPassword: zPassword,
  newPassword: zNewPassword,
  /** Required when MFA is on: a TOTP code or a recovery code. */
  code: zOtpCode.optional(),
});

export const zChangeEmailInput = z.object({
  newEmail: zEmail,
  currentPassword: zPassword,
  code: zOtpCode.optional(),
});

export const zSessionInfo = z.object({
  id: zSessionId,
  current: z.boolean(),
  createdAt: z.date(),
  lastUsedAt: z.date(),
  expiresAt: z.date(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  mfaPending: z.boolean(),
});
export type SessionInfo = z.infer<typeof zSessionInfo>;

export const zRevokeSessionInput = z.object({ id: zSessionId });

export const zOk = z.object({ ok: z.literal(true) });

export const zLogoutAllResult = z.object({ revoked: z.number().int() });

// ── MFA ──

export const zMfaEnrollment = z.object({
  /** Base32 secret for manual entry. */
  secret: z.string(),
  /** `otpauth://totp/...` URI for a QR code. */
  uri: z.string(),
});

export const zMfaConfirmInput = z.object({ code: zTotpCode });

export const zRecoveryCodes = z.object({ recoveryCodes: z.array(z.string()) });

export const zMfaDisableInput = z.object({ password: zPassword, code: zOtpCode });

export const zRegenerateRecoveryCodesInput = z.object({ code: zOtpCode });

// ── API tokens ──

export const zApiToken = z.object({
  id: zUuid,
  name: z.string(),
  scopes: z.array(zScope),
  /** The token's public prefix (`fo_pat_<lookup>`), to recognize it; never the secret. */
  prefix: z.string(),
  expiresAt: z.date(),
  lastUsedAt: z.date().nullable(),
  createdAt: z.date(),
});
export type ApiToken = z.infer<typeof zApiToken>;

export const zCreateApiTokenInput = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z
    .array(zScope)
    .min(1)
    .max(SCOPES.length)
    .refine((s) => new Set(s).size === s.length, { message: 'Scopes must not repeat' }),
  /** Days until it expires (default 90; at most the server's API_TOKEN_MAX_LIFETIME_DAYS). */
  expiresInDays: z.number().int().min(1).max(3660).default(90),
});

export const zCreatedApiToken = z.object({
  apiToken: zApiToken,
  /** The plaintext token, shown once: `fo_pat_...`. */
  token: z.string(),
});

export const zRevokeApiTokenInput = z.object({ id: zUuid });

// ── Audit ──

export const AUDIT_EVENT_TYPES = [
  'signup',
  'signup_existing_email',
  'login_succeeded',
  'login_failed',
  'login_throttled',
  'mfa_challenge_passed',
  'mfa_challenge_failed',
  'mfa_enrollment_started',
  'mfa_enabled',
  'mfa_disabled',
  'recovery_code_used',
  'recovery_codes_regenerated',
  'api_token_created',
  'api_token_revoked',
  'password_changed',
  'password_rehashed',
  'email_changed',
  'profile_updated',
  'session_revoked',
  'logout',
  'logout_all',
  // The ledger's (migration 20261124120000_ledger): changes to reconciled transactions.
  'reconciled_transaction_updated',
  'reconciled_transaction_deleted',
  'reconciliation_completed',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export const zAuditEvent = z.object({
  id: zUuid,
  event: z.enum(AUDIT_EVENT_TYPES),
  at: z.date(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  sessionId: z.string().nullable(),
  apiTokenId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEvent = z.infer<typeof zAuditEvent>;

export const zAuditLogInput = zPageInput;
export const zAuditLogPage = zPage(zAuditEvent);

export const zChangePasswordResult = z.object({
  /** Other sessions ended by the change (the current one stays). */
  revokedSessions: z.number().int(),
});
