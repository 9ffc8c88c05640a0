/**
 * Encryption of secrets at rest (Plaid access tokens, TOTP secrets): AES-256-GCM with keys from
 * configuration. Every ciphertext carries the id of the key that sealed it, so keys can rotate:
 * the current key encrypts, previous keys still decrypt until `pnpm fo keys:rotate` has re-sealed
 * everything under the current one.
 *
 * Each ciphertext is bound to where it is stored by additional authenticated data (for example
 * `plaid_items.access_token:<row id>`): a ciphertext copied into another row does not decrypt.
 *
 * Two storage forms:
 * - a pair of columns, `{ keyId, ciphertext }` (`encrypt`/`decrypt`), used by plaid_items;
 * - one text column, `fo1:<keyId>:<ciphertext>` (`seal`/`open`), for tables that have one column.
 * The ciphertext is base64url of iv (12 bytes) ‖ encrypted bytes ‖ GCM tag (16 bytes).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { type Env, getEnv } from '../env.js';
import { NotConfiguredError } from '../services/errors.js';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,40}$/;
const SEALED_PREFIX = 'fo1';

export interface EncryptionKey {
  readonly id: string;
  readonly key: Buffer;
}

export interface Sealed {
  keyId: string;
  ciphertext: string;
}

export class KeyConfigError extends Error {
  override name = 'KeyConfigError';
}

/** A ciphertext that does not open: unknown key id, wrong key, tampered bytes or wrong context. */
export class DecryptionError extends Error {
  override name = 'DecryptionError';
}

function decodeKeyMaterial(text: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    throw new KeyConfigError('an encryption key must be 32 bytes in base64, base64url or hex');
  }
  const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length !== KEY_BYTES) {
    throw new KeyConfigError(`an encryption key must be ${KEY_BYTES} bytes; this one has ${bytes.length}`);
  }
  return bytes;
}

/** The id of a key given without one: a fingerprint that reveals nothing of a 256-bit random key. */
export function fingerprint(key: Buffer): string {
  return `k${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

/** Parses `<id>:<key>` or `<key>`. */
export function parseKeySpec(spec: string): EncryptionKey {
  const text = spec.trim();
  const colon = text.indexOf(':');
  const id = colon >= 0 ? text.slice(0, colon) : null;
  const key = decodeKeyMaterial(colon >= 0 ? text.slice(colon + 1) : text);
  if (id !== null && !KEY_ID.test(id)) {
    throw new KeyConfigError('a key id may hold letters, digits, "-" and "_" (at most 40)');
  }
  return { id: id ?? fingerprint(key), key };
}

/** A fresh key in the `<id>:<base64>` form FO_ENCRYPTION_KEY takes. */
export function generateKeySpec(): string {
  const key = randomBytes(KEY_BYTES);
  return `${fingerprint(key)}:${key.toString('base64')}`;
}

export class Keyring {
  private readonly byId: ReadonlyMap<string, EncryptionKey>;

  constructor(
    readonly current: EncryptionKey,
    previous: readonly EncryptionKey[] = [],
  ) {
    const byId = new Map<string, EncryptionKey>();
    for (const k of [current, ...previous]) {
      const existing = byId.get(k.id);
      if (existing && !existing.key.equals(k.key)) {
        throw new KeyConfigError(`two different keys share the id "${k.id}"`);
      }
      byId.set(k.id, k);
    }
    this.byId = byId;
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  get keyIds(): string[] {
    return [...this.byId.keys()];
  }

  has(keyId: string): boolean {
    return this.byId.has(keyId);
  }

  /** Encrypts under the current key. `context` names where the ciphertext will be stored. */
  encrypt(plaintext: string, context: string): Sealed {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.current.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const payload = Buffer.concat([iv, body, cipher.getAuthTag()]);
    return { keyId: this.current.id, ciphertext: payload.toString('base64url') };
  }

  decrypt(sealed: Sealed, context: string): string {
    const entry = this.byId.get(sealed.keyId);
    if (!entry) {
      throw new DecryptionError(
        `no configured key has the id "${sealed.keyId}" (set it in FO_ENCRYPTION_PREVIOUS_KEYS)`,
      );
    }
    const payload = Buffer.from(sealed.ciphertext, 'base64url');
    if (payload.length < IV_BYTES + TAG_BYTES) throw new DecryptionError('ciphertext is truncated');
    const iv = payload.subarray(0, IV_BYTES);
    const tag = payload.subarray(payload.length - TAG_BYTES);
    const body = payload.subarray(IV_BYTES, payload.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv(ALGORITHM, entry.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      throw new DecryptionError(`ciphertext under key "${sealed.keyId}" failed authentication`);
    }
  }

  /** One-column form: `fo1:<keyId>:<ciphertext>`. */
  seal(plaintext: string, context: string): string {
    const { keyId, ciphertext } = this.encrypt(plaintext, context);
    return `${SEALED_PREFIX}:${keyId}:${ciphertext}`;
  }

  open(sealed: string, context: string): string {
    return this.decrypt(parseSealed(sealed), context);
  }

  /** True when a stored value needs re-encryption under the current key. */
  isStale(keyId: string): boolean {
    return keyId !== this.current.id;
  }
}

/** Splits the one-column form into its key id and ciphertext. */
export function parseSealed(sealed: string): Sealed {
  const parts = sealed.split(':');
  if (parts.length !== 3 || parts[0] !== SEALED_PREFIX || !parts[1] || !parts[2]) {
    throw new DecryptionError('not a sealed value');
  }
  return { keyId: parts[1], ciphertext: parts[2] };
}

export function isSealed(value: string): boolean {
  return value.startsWith(`${SEALED_PREFIX}:`) && value.split(':').length === 3;
}

/**
 * Builds the keyring from FO_ENCRYPTION_KEY (one key, or a comma-separated list whose first entry
 * encrypts) and FO_ENCRYPTION_PREVIOUS_KEYS (more decrypt-only keys); null when no key is set.
 */
export function keyringFromEnv(
  env: Pick<Env, 'FO_ENCRYPTION_KEY' | 'FO_ENCRYPTION_PREVIOUS_KEYS'>,
): Keyring | null {
  const specs = [env.FO_ENCRYPTION_KEY ?? '', env.FO_ENCRYPTION_PREVIOUS_KEYS ?? '']
    .join(',')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!env.FO_ENCRYPTION_KEY?.trim() || specs.length === 0) return null;
  try {
    const [current, ...previous] = specs.map(parseKeySpec);
    return new Keyring(current!, previous);
  } catch (err) {
    if (err instanceof KeyConfigError) {
      // Never echo the value: it is the secret.
      throw new KeyConfigError(`FO_ENCRYPTION_KEY / FO_ENCRYPTION_PREVIOUS_KEYS: ${err.message}`);
    }
    throw err;
  }
}

let override: Keyring | null | undefined;
let fromEnv: Keyring | null | undefined;

/**
 * The process keyring, built from configuration on first use. Throws NotConfiguredError when no
 * key is configured: features that store secrets say so instead of storing them in the clear.
 */
export function getKeyring(): Keyring {
  const keyring = findKeyring();
  if (!keyring) {
    throw new NotConfiguredError(
      'Encryption at rest is not configured: set FO_ENCRYPTION_KEY (generate one with `pnpm fo keys:generate`)',
    );
  }
  return keyring;
}

/** The keyring, or null when none is configured. */
export function findKeyring(): Keyring | null {
  if (override !== undefined) return override;
  if (fromEnv === undefined) fromEnv = keyringFromEnv(getEnv());
  return fromEnv;
}

/** Replaces the process keyring (tests, `pnpm fo`); `undefined` goes back to configuration. */
export function setKeyring(keyring: Keyring | null | undefined): void {
  override = keyring;
}
