/**
 * Development and test convenience: with no FO_ENCRYPTION_KEY, a key is generated once and kept
 * (mode 0600) in FO_DEV_KEY_FILE (default .data/dev-encryption-key), so MFA works out of the box
 * and survives restarts. Production refuses to start without a configured key.
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, type Env } from '../env.js';
import { findKeyring, generateKeySpec, Keyring, parseKeySpec, setKeyring } from './keyring.js';

function readOrCreateSpec(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const spec = generateKeySpec();
  try {
    // 'wx': when a concurrent process created the file first, use theirs.
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, `${spec}\n`);
    } finally {
      closeSync(fd);
    }
    return spec;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw err;
  }
}

/**
 * Makes sure the process has a keyring: the configured one; else, outside production, the
 * development key. Throws ConfigError in production without FO_ENCRYPTION_KEY.
 */
export function ensureKeyring(env: Pick<Env, 'NODE_ENV' | 'FO_DEV_KEY_FILE'>): Keyring {
  const configured = findKeyring();
  if (configured) return configured;
  if (env.NODE_ENV === 'production') {
    throw new ConfigError(
      'FO_ENCRYPTION_KEY is required in production (TOTP secrets and provider tokens are encrypted with it); generate one with `pnpm fo keys:generate`',
    );
  }
  const keyring = new Keyring(parseKeySpec(readOrCreateSpec(env.FO_DEV_KEY_FILE)));
  setKeyring(keyring);
  return keyring;
}
