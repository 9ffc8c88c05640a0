import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { totpAt } from '../../../src/auth/totp.js';
import { TEST_PASSWORD, uniqueEmail } from '../../support/auth-factories.js';
import type { Caller, IsolationCases, IsolationEnv } from '../types.js';

/** Turns MFA on for the caller's user; returns a fresh code source and the recovery codes. */
export async function enableMfa(caller: Caller) {
  const { secret } = await caller.auth.mfa.enroll();
  const key = decodeBase32IgnorePadding(secret);
  const { recoveryCodes } = await caller.auth.mfa.confirm({ code: totpAt(key, Date.now()) });
  return { key, recoveryCodes };
}

/** Records of the owner's that the auth procedures could leak: audit events, MFA, a token. */
async function ownerSecurityRecords({ ownerCaller }: IsolationEnv) {
  await ownerCaller.users.updateProfile({ name: 'Owner renamed' });
  await ownerCaller.apiTokens.create({ name: 'owner script', scopes: ['read'] });
  return enableMfa(ownerCaller);
}

export const authCases: IsolationCases = {
  'auth.signup': {
    kind: 'public',
    reason: 'creating an account needs no credential; answers the same for any email',
  },
  'auth.login': {
    kind: 'public',
    reason: 'exchanges email and password for a session; needs no prior credential',
  },
  'auth.verifyMfa': {
    // The intruder's full session is not waiting for a second factor: the owner's valid code is refused.
    kind: 'foreign',
    expect: 'FORBIDDEN',
    arrange: async (env) => {
      const { key } = await ownerSecurityRecords(env);
      return { code: totpAt(key, Date.now() + 30_000) };
    },
  },
  'auth.logout': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerSecurityRecords(env);
      return undefined;
    },
  },
  'auth.logoutAll': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerSecurityRecords(env);
      return undefined;
    },
  },
  'auth.me': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerSecurityRecords(env);
      return undefined;
    },
  },
  'auth.changePassword': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerSecurityRecords(env);
      return { currentPassword: TEST_PASSWORD, newPassword: 'the intruder has a new one' };
    },
  },
  'auth.changeEmail': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerSecurityRecords(env);
      return { currentPassword: TEST_PASSWORD, newEmail: uniqueEmail('moved') };
    },
  },
  'auth.sessions': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerSecurityRecords(env);
      return undefined;
    },
  },
  'auth.revokeSession': {
    kind: 'foreign',
    arrange: async (env) => {
      await ownerSecurityRecords(env);
      return { id: env.owner.sessionId };
    },
  },
  'auth.auditLog': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerSecurityRecords(env);
      return { limit: 100 };
    },
  },
  'auth.mfa.enroll': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerSecurityRecords(env);
      return undefined;
    },
  },
  'auth.mfa.confirm': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerSecurityRecords(env);
      const { secret } = await env.intruderCaller.auth.mfa.enroll();
      return { code: totpAt(decodeBase32IgnorePadding(secret), Date.now()) };
    },
  },
  'auth.mfa.disable': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerSecurityRecords(env);
      const { recoveryCodes } = await enableMfa(env.intruderCaller);
      return { password: TEST_PASSWORD, code: recoveryCodes[0] };
    },
  },
  'auth.mfa.regenerateRecoveryCodes': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerSecurityRecords(env);
      const { recoveryCodes } = await enableMfa(env.intruderCaller);
      return { code: recoveryCodes[0] };
    },
  },
};
