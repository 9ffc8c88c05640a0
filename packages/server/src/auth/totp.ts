/**
 * TOTP (RFC 6238: HMAC-SHA-1, 30-second steps, 6 digits) on @oslojs/otp's HOTP, with the time step
 * explicit so a code is accepted once: the caller stores the step it matched and refuses any
 * step at or before it. One step of clock drift either way is allowed (RFC 6238 section 5.2).
 */

import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { createTOTPKeyURI, generateHOTP } from '@oslojs/otp';

export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;
export const TOTP_DRIFT_STEPS = 1;
const SECRET_BYTES = 20;

export function timeStep(atMs: number, periodS = TOTP_PERIOD_S): number {
  return Math.floor(atMs / 1000 / periodS);
}

export function totpAtStep(key: Uint8Array, step: number, digits = TOTP_DIGITS): string {
  return generateHOTP(key, BigInt(step), digits);
}

/** The code for a moment (RFC 6238 Appendix B gives vectors for this with 8 digits). */
export function totpAt(key: Uint8Array, atMs: number, digits = TOTP_DIGITS, periodS = TOTP_PERIOD_S): string {
  return totpAtStep(key, timeStep(atMs, periodS), digits);
}

/**
 * The time step `code` matches within ±1 step of `atMs` and after `lastUsedStep`, or null.
 * Every candidate is compared (constant time), so timing does not reveal which step matched.
 */
export function matchTotp(
  key: Uint8Array,
  code: string,
  atMs: number,
  lastUsedStep: number | null,
): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const given = new TextEncoder().encode(code);
  const current = timeStep(atMs);
  let matched: number | null = null;
  for (let step = current - TOTP_DRIFT_STEPS; step <= current + TOTP_DRIFT_STEPS; step += 1) {
    const expected = new TextEncoder().encode(totpAtStep(key, step));
    const equal = constantTimeEqual(expected, given);
    if (equal && matched === null && (lastUsedStep === null || step > lastUsedStep)) matched = step;
  }
  return matched;
}

export function generateTotpKey(): Uint8Array {
  const key = new Uint8Array(SECRET_BYTES);
  crypto.getRandomValues(key);
  return key;
}

export function totpUri(issuer: string, accountName: string, key: Uint8Array): string {
  return createTOTPKeyURI(issuer, accountName, key, TOTP_PERIOD_S, TOTP_DIGITS);
}
