/**
 * auth.*: sign-up, sign-in, the second factor, sign-out, sessions, credential changes, MFA and the
 * audit log. Credential management is `sessionOnly`: an API token can never change what signs in.
 */
import {
  zAuditLogInput,
  zAuditLogPage,
  zChangeEmailInput,
  zChangePasswordInput,
  zChangePasswordResult,
  zLoginInput,
  zLoginResult,
  zLogoutAllResult,
  zMe,
  zMfaConfirmInput,
  zMfaDisableInput,
  zMfaEnrollment,
  zOk,
  zRecoveryCodes,
  zRegenerateRecoveryCodesInput,
  zRevokeSessionInput,
  zSessionInfo,
  zSignupInput,
  zSignupResult,
  zUser,
  zVerifyMfaInput,
} from '@fo/schema';
import { z } from 'zod';
import { clearedSessionCookie, sessionCookie } from '../auth/cookies.js';
import { listAuditEvents } from '../services/audit.js';
import {
  listSessions,
  login,
  logout,
  logoutAll,
  revokeSession,
  signup,
  verifyMfa,
} from '../services/auth.js';
import { changeEmail, changePassword } from '../services/credentials.js';
import { confirmMfa, disableMfa, enrollMfa, regenerateRecoveryCodes } from '../services/mfa.js';
import { getMe } from '../services/users.js';
import type { Context, ResponseWriter } from '../trpc/context.js';
import { authedProcedure, publicProcedure, router } from '../trpc/init.js';

export function clientOf(ctx: Pick<Context, 'request'>) {
  return { ip: ctx.request.ip, userAgent: ctx.request.userAgent };
}

function setCookie(response: ResponseWriter | null, value: string): void {
  response?.setHeader('set-cookie', value);
}

const mfaRouter = router({
  /** A new TOTP secret (pending until confirmed): the base32 secret and an otpauth:// URI. */
  enroll: authedProcedure
    .meta({ sessionOnly: true })
    .output(zMfaEnrollment)
    .mutation(({ ctx }) => enrollMfa({ db: ctx.db, actor: ctx.actor, client: clientOf(ctx) })),
  /** The first valid code turns MFA on; returns ten recovery codes, shown once. */
  confirm: authedProcedure
    .meta({ sessionOnly: true })
    .input(zMfaConfirmInput)
    .output(zRecoveryCodes)
    .mutation(({ ctx, input }) => confirmMfa({ db: ctx.db, actor: ctx.actor, client: clientOf(ctx) }, input)),
  disable: authedProcedure
    .meta({ sessionOnly: true })
    .input(zMfaDisableInput)
    .output(zOk)
    .mutation(async ({ ctx, input }) => {
      await disableMfa({ db: ctx.db, actor: ctx.actor, client: clientOf(ctx) }, input);
      return { ok: true as const };
    }),
  regenerateRecoveryCodes: authedProcedure
    .meta({ sessionOnly: true })
    .input(zRegenerateRecoveryCodesInput)
    .output(zRecoveryCodes)
    .mutation(({ ctx, input }) =>
      regenerateRecoveryCodes({ db: ctx.db, actor: ctx.actor, client: clientOf(ctx) }, input),
    ),
});

export const authRouter = router({
  /** Public: creating an account needs no credential. Same answer whether or not the email was free. */
  signup: publicProcedure
    .input(zSignupInput)
    .output(zSignupResult)
    .mutation(({ ctx, input }) => signup({ db: ctx.db, client: clientOf(ctx) }, input)),
  /** Public: exchanges email and password for a session token (also set as an HttpOnly cookie). */
  login: publicProcedure
    .input(zLoginInput)
    .output(zLoginResult)
    .mutation(async ({ ctx, input }) => {
      const result = await login({ db: ctx.db, client: clientOf(ctx) }, input);
      setCookie(ctx.response, sessionCookie(result.token, result.expiresAt));
      return result;
    }),
  /** With the pending session from auth.login: a TOTP or recovery code yields a full session. */
  verifyMfa: authedProcedure
    .meta({ allowPendingMfa: true, sessionOnly: true })
    .input(zVerifyMfaInput)
    .output(zLoginResult)
    .mutation(async ({ ctx, input }) => {
      const result = await verifyMfa({ db: ctx.db, actor: ctx.actor, client: clientOf(ctx) }, input);
      setCookie(ctx.response, sessionCookie(result.token, result.expiresAt));
      return result;
    }),
  logout: authedProcedure
    .meta({ allowPendingMfa: true, sessionOnly: true })
    .output(zOk)
    .mutation(async ({ ctx }) => {
      await logout({ db: ctx.db, actor: ctx.actor, client: clientOf(ctx) });
      setCookie(ctx.response, clearedSessionCookie());
      return { ok: true as const };
    }),
  logoutAll: authedProcedure
    .meta({ sessionOnly: true })
    .output(zLogoutAllResult)
    .mutation(async ({ ctx }) => {
      const result = await logoutAll({ db: ctx.db, actor: ctx.actor, client: clientOf(ctx) });
      setCookie(ctx.response, clearedSessionCookie());
      return result;
    }),
  /** The signed-in user and how they are authenticated (works with API tokens too). */
  me: authedProcedure.output(zMe).query(({ ctx }) => getMe({ db: ctx.db, actor: ctx.actor })),
  changePassword: authedProcedure
    .meta({ sessionOnly: true })
    .input(zChangePasswordInput)
    .output(zChangePasswordResult)
    .mutation(({ ctx, input }) =>
      changePassword({ db: ctx.db, actor: ctx.actor, client: clientOf(ctx) }, input),
    ),
  changeEmail: authedProcedure
    .meta({ sessionOnly: true })
    .input(zChangeEmailInput)
    .output(zUser)
    .mutation(({ ctx, input }) =>
      changeEmail({ db: ctx.db, actor: ctx.actor, client: clientOf(ctx) }, input),
    ),
  /** The user's live sessions, newest first. */
  sessions: authedProcedure
    .meta({ sessionOnly: true })
    .output(z.array(zSessionInfo))
    .query(({ ctx }) => listSessions({ db: ctx.db, actor: ctx.actor })),
  revokeSession: authedProcedure
    .meta({ sessionOnly: true })
    .input(zRevokeSessionInput)
    .output(zOk)
    .mutation(async ({ ctx, input }) => {
      await revokeSession({ db: ctx.db, actor: ctx.actor, client: clientOf(ctx) }, input);
      return { ok: true as const };
    }),
  /** The user's own security events, newest first. */
  auditLog: authedProcedure
    .input(zAuditLogInput)
    .output(zAuditLogPage)
    .query(({ ctx, input }) => listAuditEvents({ db: ctx.db, actor: ctx.actor }, input)),
  mfa: mfaRouter,
});
