/**
 * Second-factor checks shared by sign-in and the credential changes: a TOTP code (accepted once:
 * the matched time step is recorded atomically and later codes must be of a later step) or a
 * recovery code (single use: marked used atomically). The TOTP secret is stored encrypted with the
 * keyring, bound to the user's row.
 */
import { decodeBase32IgnorePadding, encodeBase32NoPadding } from '@oslojs/encoding';
import { mfaSecretContext } from '../crypto/encrypted-fields.js';
import { getKeyring } from '../crypto/keyring.js';
import type { Db } from '../db/transaction.js';
import { MfaRecoveryCode, User } from '../models/index.js';
import { randomBase32, sha256Of } from './secrets.js';
import { matchTotp } from './totp.js';

export const RECOVERY_CODE_COUNT = 10;

/** Sealed with the keyring (`fo1:<key id>:<ciphertext>`), bound to the user's row; see crypto/encrypted-fields.ts. */
export function encryptTotpKey(userId: string, key: Uint8Array): string {
  return getKeyring().seal(encodeBase32NoPadding(key), mfaSecretContext(userId));
}

export function decryptTotpKey(userId: string, stored: string): Uint8Array {
  return decodeBase32IgnorePadding(getKeyring().open(stored, mfaSecretContext(userId)));
}

/** `xxxx-xxxx-xxxx-xxxx`, 80 random bits. */
export function generateRecoveryCode(): string {
  return randomBase32(10).match(/.{4}/g)!.join('-');
}

/** Lower-case, dashes and spaces removed; null when it cannot be a recovery code. */
export function normalizeRecoveryCode(code: string): string | null {
  const compact = code.toLowerCase().replace(/[\s-]/g, '');
  return /^[a-z2-7]{16}$/.test(compact) ? compact : null;
}

function hashRecoveryCode(normalized: string): Buffer {
  return Buffer.from(sha256Of(normalized));
}

/** Replaces the user's recovery codes with ten new ones; returns them (shown once). */
export async function replaceRecoveryCodes(db: Db, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
  await MfaRecoveryCode.query(db).delete().where('user_id', userId);
  await MfaRecoveryCode.query(db).insert(
    codes.map((code) => ({ user_id: userId, code_hash: hashRecoveryCode(normalizeRecoveryCode(code)!) })),
  );
  return codes;
}

/** Accepts a TOTP code once; returns false for a wrong, stale or replayed code. */
export async function acceptTotp(db: Db, user: User, code: string, now = Date.now()): Promise<boolean> {
  if (!user.mfa_secret) return false;
  const key = decryptTotpKey(user.id, user.mfa_secret);
  const step = matchTotp(key, code, now, user.mfa_last_used_step);
  if (step === null) return false;
  // The WHERE makes the step a compare-and-set: two requests racing with one code, one wins.
  const updated = await User.query(db)
    .patch({ mfa_last_used_step: step })
    .where('id', user.id)
    .andWhere((q) => q.whereNull('mfa_last_used_step').orWhere('mfa_last_used_step', '<', step));
  if (updated === 1) user.mfa_last_used_step = step;
  return updated === 1;
}

export type SecondFactor = 'totp' | 'recovery_code';

/** Checks an enabled user's TOTP or recovery code; the code is consumed on success. */
export async function acceptSecondFactor(
  db: Db,
  user: User,
  code: string,
  now = Date.now(),
): Promise<SecondFactor | null> {
  if (!user.mfa_enabled) return null;
  const trimmed = code.trim();
  if (/^\d{6}$/.test(trimmed)) return (await acceptTotp(db, user, trimmed, now)) ? 'totp' : null;
  const normalized = normalizeRecoveryCode(trimmed);
  if (!normalized) return null;
  const used = await MfaRecoveryCode.query(db)
    .patch({ used_at: new Date(now) })
    .where({ user_id: user.id, code_hash: hashRecoveryCode(normalized) })
    .whereNull('used_at');
  return used === 1 ? 'recovery_code' : null;
}

export async function remainingRecoveryCodes(db: Db, userId: string): Promise<number> {
  const row = await MfaRecoveryCode.query(db)
    .where('user_id', userId)
    .whereNull('used_at')
    .count({ n: '*' })
    .first();
  return Number((row as unknown as { n: string | number } | undefined)?.n ?? 0);
}
