import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { EncryptedField } from '../src/crypto/encrypted-fields.js';
import {
  DecryptionError,
  fingerprint,
  generateKeySpec,
  KeyConfigError,
  Keyring,
  keyringFromEnv,
  parseKeySpec,
} from '../src/crypto/keyring.js';
import { encryptionKeyUsage, rotateEncryptionKeys } from '../src/crypto/rotate.js';
import { PlaidItem } from '../src/models/index.js';
import { getTestDatabaseUrl, getTestDb } from './support/db.js';
import { insertUser } from './support/factories.js';

const keyA = parseKeySpec(`a:${randomBytes(32).toString('base64')}`);
const keyB = parseKeySpec(`b:${randomBytes(32).toString('hex')}`);

describe('keyring', () => {
  it('round-trips under the current key and names it beside the ciphertext', () => {
    const ring = new Keyring(keyA);
    const sealed = ring.encrypt('access-sandbox-123', 'ctx:1');
    expect(sealed.keyId).toBe('a');
    expect(sealed.ciphertext).not.toContain('access-sandbox');
    expect(ring.decrypt(sealed, 'ctx:1')).toBe('access-sandbox-123');
    // A fresh IV every time: the same plaintext never gives the same ciphertext.
    expect(ring.encrypt('access-sandbox-123', 'ctx:1').ciphertext).not.toBe(sealed.ciphertext);
  });

  it('refuses a ciphertext moved to another context, tampered with, or under an unknown key', () => {
    const ring = new Keyring(keyA);
    const sealed = ring.encrypt('secret', 'ctx:1');
    expect(() => ring.decrypt(sealed, 'ctx:2')).toThrow(DecryptionError);
    const bytes = Buffer.from(sealed.ciphertext, 'base64url');
    bytes[14] = (bytes[14] ?? 0) ^ 1;
    expect(() => ring.decrypt({ ...sealed, ciphertext: bytes.toString('base64url') }, 'ctx:1')).toThrow(
      DecryptionError,
    );
    expect(() => new Keyring(keyB).decrypt(sealed, 'ctx:1')).toThrow(/FO_ENCRYPTION_PREVIOUS_KEYS/);
  });

  it('decrypts with previous keys and encrypts with the current one', () => {
    const old = new Keyring(keyA);
    const sealed = old.encrypt('secret', 'ctx');
    const rotated = new Keyring(keyB, [keyA]);
    expect(rotated.decrypt(sealed, 'ctx')).toBe('secret');
    expect(rotated.encrypt('secret', 'ctx').keyId).toBe('b');
    expect(rotated.isStale('a')).toBe(true);
  });

  it('has a one-column form', () => {
    const ring = new Keyring(keyA);
    const sealed = ring.seal('JBSWY3DPEHPK3PXP', 'users.mfa_secret:1');
    expect(sealed).toMatch(/^fo1:a:[A-Za-z0-9_-]+$/);
    expect(ring.open(sealed, 'users.mfa_secret:1')).toBe('JBSWY3DPEHPK3PXP');
  });

  it('parses keys from configuration and never echoes them in errors', () => {
    const spec = generateKeySpec();
    const parsed = parseKeySpec(spec);
    expect(parsed.key).toHaveLength(32);
    expect(parsed.id).toBe(fingerprint(parsed.key));
    expect(parseKeySpec(parsed.key.toString('base64url')).id).toBe(parsed.id);
    const ring = keyringFromEnv({
      FO_ENCRYPTION_KEY: spec,
      FO_ENCRYPTION_PREVIOUS_KEYS: ` a:${keyA.key.toString('base64')} ,`,
    });
    expect(ring?.keyIds).toEqual([parsed.id, 'a']);
    const listed = keyringFromEnv({
      FO_ENCRYPTION_KEY: `b:${keyB.key.toString('base64')},a:${keyA.key.toString('base64')}`,
      FO_ENCRYPTION_PREVIOUS_KEYS: undefined,
    });
    expect(listed?.currentKeyId).toBe('b');
    expect(listed?.keyIds).toEqual(['b', 'a']);
    expect(
      keyringFromEnv({ FO_ENCRYPTION_KEY: undefined, FO_ENCRYPTION_PREVIOUS_KEYS: undefined }),
    ).toBeNull();
    const short = randomBytes(16).toString('base64');
    let message = '';
    try {
      keyringFromEnv({ FO_ENCRYPTION_KEY: short, FO_ENCRYPTION_PREVIOUS_KEYS: undefined });
    } catch (err) {
      expect(err).toBeInstanceOf(KeyConfigError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/32 bytes/);
    expect(message).not.toContain(short);
    expect(() => new Keyring(keyA, [{ id: 'a', key: keyB.key }])).toThrow(/share the id/);
  });
});

describe('key rotation', () => {
  async function insertItem(ring: Keyring, userId: string, token: string) {
    const db = await getTestDb();
    const id = crypto.randomUUID();
    const sealed = ring.encrypt(token, `plaid_items.access_token:${id}`);
    return PlaidItem.query(db).insertAndFetch({
      id,
      user_id: userId,
      item_id: `item-${id}`,
      access_token_ciphertext: sealed.ciphertext,
      access_token_key_id: sealed.keyId,
    });
  }

  it('re-encrypts every stored secret under the current key, once', async () => {
    const db = await getTestDb();
    const user = await insertUser(db);
    const old = new Keyring(keyA);
    const items = [];
    for (let i = 0; i < 3; i++) items.push(await insertItem(old, user.id, `access-sandbox-${i}`));

    const ring = new Keyring(keyB, [keyA]);
    expect(await encryptionKeyUsage(db)).toContainEqual({ field: 'Plaid access tokens', byKeyId: { a: 3 } });
    const [first] = await rotateEncryptionKeys(db, ring);
    expect(first).toEqual({ field: 'Plaid access tokens', reEncrypted: 3, failed: [] });
    const [second] = await rotateEncryptionKeys(db, ring);
    expect(second?.reEncrypted).toBe(0);

    const onlyNew = new Keyring(keyB);
    for (const [i, item] of items.entries()) {
      const row = await PlaidItem.query(db).findById(item.id).throwIfNotFound();
      expect(row.access_token_key_id).toBe('b');
      expect(
        onlyNew.decrypt(
          { keyId: row.access_token_key_id, ciphertext: row.access_token_ciphertext },
          `plaid_items.access_token:${item.id}`,
        ),
      ).toBe(`access-sandbox-${i}`);
    }
  });

  it('reports secrets whose key is not configured and leaves them as they are', async () => {
    const db = await getTestDb();
    const user = await insertUser(db);
    const item = await insertItem(new Keyring(keyA), user.id, 'access-sandbox-x');
    const [result] = await rotateEncryptionKeys(db, new Keyring(keyB));
    expect(result?.failed).toEqual([{ id: item.id, reason: expect.stringContaining('"a"') }]);
    const row = await PlaidItem.query(db).findById(item.id).throwIfNotFound();
    expect(row.access_token_ciphertext).toBe(item.access_token_ciphertext);
  });

  it('rotates one-column sealed secrets too', async () => {
    const db = await getTestDb();
    const user = await insertUser(db);
    const field: EncryptedField = {
      kind: 'sealed',
      name: 'TOTP secrets',
      table: 'users',
      column: 'mfa_secret',
      context: (id) => `users.mfa_secret:${id}`,
    };
    await db('users')
      .where('id', user.id)
      .update({ mfa_secret: new Keyring(keyA).seal('JBSWY3DPEHPK3PXP', `users.mfa_secret:${user.id}`) });
    const ring = new Keyring(keyB, [keyA]);
    expect(await encryptionKeyUsage(db, [field])).toEqual([{ field: 'TOTP secrets', byKeyId: { a: 1 } }]);
    const [result] = await rotateEncryptionKeys(db, ring, [field]);
    expect(result?.reEncrypted).toBe(1);
    const row = await db('users').where('id', user.id).first();
    expect(row.mfa_secret).toMatch(/^fo1:b:/);
    expect(new Keyring(keyB).open(row.mfa_secret, `users.mfa_secret:${user.id}`)).toBe('JBSWY3DPEHPK3PXP');
  });
});

describe('pnpm fo keys:rotate', () => {
  const serverDir = path.resolve(import.meta.dirname, '..');
  const run = promisify(execFile);

  function fo(args: string[], env: Record<string, string>) {
    return run(path.join(serverDir, 'node_modules/.bin/tsx'), ['src/cli/fo.ts', ...args], {
      cwd: serverDir,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
  }

  it('re-encrypts the stored Plaid tokens with the configured keys, then reports them under the new key', async () => {
    const db = await getTestDb();
    const user = await insertUser(db);
    const id = crypto.randomUUID();
    const sealed = new Keyring(keyA).encrypt('access-sandbox-cli', `plaid_items.access_token:${id}`);
    await PlaidItem.query(db).insert({
      id,
      user_id: user.id,
      item_id: 'item-cli',
      access_token_ciphertext: sealed.ciphertext,
      access_token_key_id: sealed.keyId,
    });
    const env = {
      DATABASE_URL: await getTestDatabaseUrl(),
      FO_ENCRYPTION_KEY: `b:${keyB.key.toString('base64')}`,
      FO_ENCRYPTION_PREVIOUS_KEYS: `a:${keyA.key.toString('base64')}`,
    };
    const rotated = await fo(['keys:rotate'], env);
    expect(rotated.stdout).toContain('Plaid access tokens: 1 re-encrypted under b');
    const status = await fo(['keys:status'], env);
    expect(status.stdout).toContain('Plaid access tokens: b (current): 1');
    const row = await PlaidItem.query(db).findById(id).throwIfNotFound();
    expect(
      new Keyring(keyB).decrypt(
        { keyId: row.access_token_key_id, ciphertext: row.access_token_ciphertext },
        `plaid_items.access_token:${id}`,
      ),
    ).toBe('access-sandbox-cli');
    // Secrets stay out of the output.
    expect(rotated.stdout + rotated.stderr + status.stdout).not.toContain('access-sandbox-cli');
  });

  it('explains itself without a key', async () => {
    const err = await fo(['keys:rotate'], { DATABASE_URL: await getTestDatabaseUrl() }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(err).toMatchObject({ code: 1, stderr: expect.stringContaining('FO_ENCRYPTION_KEY') });
  });
});
