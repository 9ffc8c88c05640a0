/**
 * Webhook signing as Plaid does it (https://plaid.com/docs/api/webhooks/webhook-verification/):
 * an ES256 JWT in the `Plaid-Verification` header, whose header names the key (`kid`) and whose
 * claims hold `iat` and `request_body_sha256`, the hex SHA-256 of the exact body sent.
 * The fake serves the public half from /webhook_verification_key/get.
 */
import { createHash, randomUUID } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { JWKPublicKey } from 'plaid';

export interface WebhookSigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWKPublicKey;
}

export async function generateWebhookKey(): Promise<WebhookSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const exported = await exportJWK(publicKey);
  const kid = randomUUID();
  return {
    kid,
    privateKey,
    jwk: {
      alg: 'ES256',
      crv: exported.crv ?? 'P-256',
      kid,
      kty: exported.kty ?? 'EC',
      use: 'sig',
      x: exported.x ?? '',
      y: exported.y ?? '',
      created_at: Math.floor(Date.now() / 1000),
      expired_at: null,
    },
  };
}

export interface SignOptions {
  /** Issued-at, seconds since the epoch (default now). */
  iat?: number;
  /** Sign with this key instead (e.g. one the fake does not serve). */
  key?: WebhookSigningKey;
  /** Put this hash in the claims instead of the body's. */
  bodySha256?: string;
  /** JWT algorithm header to claim (signing still uses ES256). */
  alg?: string;
}

export function sha256Hex(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

export async function signWebhook(
  body: string,
  key: WebhookSigningKey,
  options: SignOptions = {},
): Promise<string> {
  const signingKey = options.key ?? key;
  return new SignJWT({ request_body_sha256: options.bodySha256 ?? sha256Hex(body) })
    .setProtectedHeader({ alg: 'ES256', kid: signingKey.kid, typ: 'JWT' })
    .setIssuedAt(options.iat ?? Math.floor(Date.now() / 1000))
    .sign(signingKey.privateKey);
}
