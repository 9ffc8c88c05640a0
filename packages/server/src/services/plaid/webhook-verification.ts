/**
 * Verification of Plaid webhooks, as Plaid specifies it
 * (https://plaid.com/docs/api/webhooks/webhook-verification/):
 *
 * 1. The `Plaid-Verification` header is a JWT whose header must say `alg: ES256` and name a `kid`.
 * 2. The public key for that kid comes from /webhook_verification_key/get; keys are cached by kid
 *    (a day at most), and a key with `expired_at` set is refused. As in Plaid's example, a kid not
 *    in the cache also refreshes the cached keys not yet known to be expired: Plaid starts signing
 *    with a new key when it retires an old one, and this is how the old one's expiry is learnt.
 * 3. The signature is checked (ES256 only), and `iat` must be at most 5 minutes old.
 * 4. The SHA-256 of the exact body received must equal the `request_body_sha256` claim
 *    (compared in constant time).
 *
 * Anything else is unverified; the route answers 401 and changes nothing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { type CryptoKey, decodeProtectedHeader, importJWK, type JWTPayload, jwtVerify } from 'jose';
import type { JWKPublicKey } from 'plaid';
import { PlaidApiError, plaidCall } from './client.js';
import { onPlaidSettingsChange } from './config.js';

export const WEBHOOK_MAX_AGE_S = 5 * 60;
/** Clock skew allowed for an `iat` slightly in the future. */
const FUTURE_SKEW_S = 60;
/** A kid Plaid does not know is not asked about again for this long (no amplification). */
const UNKNOWN_KID_TTL_MS = 5 * 60_000;
const MAX_UNKNOWN_KIDS = 1_000;

export type WebhookVerification =
  | { ok: true; payload: Record<string, unknown> }
  | { ok: false; reason: string };

interface CachedKey {
  jwk: JWKPublicKey;
  key: CryptoKey | Uint8Array;
  fetchedAt: number;
}

const KEY_CACHE_TTL_MS = 24 * 3600_000;

const keys = new Map<string, CachedKey>();
const unknownKids = new Map<string, number>();
onPlaidSettingsChange(() => {
  keys.clear();
  unknownKids.clear();
});

async function fetchKey(kid: string): Promise<CachedKey | null> {
  try {
    const { key: jwk } = await plaidCall('/webhook_verification_key/get', (api) =>
      api.webhookVerificationKeyGet({ key_id: kid }),
    );
    if (jwk.kid !== kid || jwk.kty !== 'EC' || jwk.crv !== 'P-256') return null;
    const key = await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, 'ES256');
    const entry = { jwk, key, fetchedAt: Date.now() };
    keys.set(kid, entry);
    return entry;
  } catch (err) {
    // Plaid does not know the kid: remember that for a while. Other failures are not cached.
    if (err instanceof PlaidApiError && !err.transient) {
      if (unknownKids.size >= MAX_UNKNOWN_KIDS) unknownKids.clear();
      unknownKids.set(kid, Date.now() + UNKNOWN_KID_TTL_MS);
      return null;
    }
    throw err;
  }
}

async function verificationKey(kid: string): Promise<CachedKey | null> {
  const cached = keys.get(kid);
  if (cached && Date.now() - cached.fetchedAt < KEY_CACHE_TTL_MS) return cached;
  const missUntil = unknownKids.get(kid);
  if (missUntil && missUntil > Date.now()) return null;
  if (!cached) {
    for (const [otherKid, other] of keys) {
      if (other.jwk.expired_at === null) await fetchKey(otherKid);
    }
  }
  return fetchKey(kid);
}

function sha256Matches(body: string, claimed: unknown): boolean {
  if (typeof claimed !== 'string' || !/^[0-9a-f]{64}$/i.test(claimed)) return false;
  const actual = createHash('sha256').update(body, 'utf8').digest();
  return timingSafeEqual(actual, Buffer.from(claimed, 'hex'));
}

/** Checks a webhook's signature, age and body hash; the payload is parsed only once verified. */
export async function verifyPlaidWebhook(
  rawBody: string,
  token: string | undefined,
  now: Date = new Date(),
): Promise<WebhookVerification> {
  if (!token) return { ok: false, reason: 'missing Plaid-Verification header' };
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return { ok: false, reason: 'Plaid-Verification is not a JWT' };
  }
  if (header.alg !== 'ES256') return { ok: false, reason: 'algorithm is not ES256' };
  if (typeof header.kid !== 'string' || header.kid.length === 0 || header.kid.length > 200) {
    return { ok: false, reason: 'no key id' };
  }
  const key = await verificationKey(header.kid);
  if (!key) return { ok: false, reason: 'unknown key id' };
  if (key.jwk.expired_at !== null && key.jwk.expired_at <= Math.floor(now.getTime() / 1000)) {
    return { ok: false, reason: 'verification key has expired' };
  }
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, key.key, { algorithms: ['ES256'], currentDate: now }));
  } catch {
    return { ok: false, reason: 'bad signature' };
  }
  // Age, from the signed `iat`: at most 5 minutes old, and not from the future beyond clock skew.
  const nowS = Math.floor(now.getTime() / 1000);
  if (typeof claims.iat !== 'number') return { ok: false, reason: 'no issued-at time' };
  if (claims.iat > nowS + FUTURE_SKEW_S) return { ok: false, reason: 'issued in the future' };
  if (nowS - claims.iat > WEBHOOK_MAX_AGE_S) return { ok: false, reason: 'too old' };
  if (!sha256Matches(rawBody, claims.request_body_sha256)) return { ok: false, reason: 'body hash mismatch' };
  try {
    const payload: unknown = JSON.parse(rawBody);
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
      return { ok: false, reason: 'body is not a JSON object' };
    }
    return { ok: true, payload: payload as Record<string, unknown> };
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
}
