/**
 * Random identifiers and secrets, and their hashes. Secrets come from the CSPRNG
 * (crypto.getRandomValues), are encoded in lower-case base32 (@oslojs/encoding) so they survive
 * URLs, headers and copy-paste, and are stored only as SHA-256 (@oslojs/crypto). Comparisons of
 * hashes are constant-time.
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';

/** `bytes` random bytes as lower-case base32 (8 characters per 5 bytes). */
export function randomBase32(bytes: number): string {
  const buffer = new Uint8Array(bytes);
  crypto.getRandomValues(buffer);
  return encodeBase32LowerCaseNoPadding(buffer);
}

export function sha256Of(value: string): Uint8Array {
  return sha256(new TextEncoder().encode(value));
}

export function hashesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && constantTimeEqual(a, b);
}

export function sha256Hex(value: string): string {
  return Buffer.from(sha256Of(value)).toString('hex');
}
