/**
 * API tokens: `fo_pat_<lookup>_<secret>` — a recognizable prefix (secret scanners and people can
 * tell what leaked), a public lookup id (80 bits) and a secret (160 bits) stored as SHA-256 only.
 */
import type { Scope } from '@fo/schema';
import type { Db } from '../db/transaction.js';
import { ApiToken } from '../models/index.js';
import { hashesEqual, randomBase32, sha256Of } from './secrets.js';

export const API_TOKEN_PREFIX = 'fo_pat_';
const TOKEN = /^fo_pat_([a-z2-7]{16})_([a-z2-7]{32})$/;
const LAST_USED_RESOLUTION_MS = 60_000;

export function generateApiToken(): { token: string; lookup: string; secretHash: Buffer } {
  const lookup = randomBase32(10);
  const secret = randomBase32(20);
  return {
    token: `${API_TOKEN_PREFIX}${lookup}_${secret}`,
    lookup,
    secretHash: Buffer.from(sha256Of(secret)),
  };
}

export function looksLikeApiToken(token: string): boolean {
  return token.startsWith(API_TOKEN_PREFIX);
}

export function publicPrefix(lookup: string): string {
  return `${API_TOKEN_PREFIX}${lookup}`;
}

/** The unexpired token a plaintext names (its last_used_at refreshed), or null. */
export async function validateApiToken(db: Db, token: string, now = new Date()): Promise<ApiToken | null> {
  const match = TOKEN.exec(token);
  if (!match) return null;
  const [, lookup, secret] = match as unknown as [string, string, string];
  const row = await ApiToken.query(db).findOne({ lookup });
  if (!row) return null;
  if (!hashesEqual(sha256Of(secret), row.secret_hash)) return null;
  if (now >= row.expires_at) return null;
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() >= LAST_USED_RESOLUTION_MS) {
    await ApiToken.query(db).patch({ last_used_at: now }).where('id', row.id);
    row.last_used_at = now;
  }
  return row;
}

export function scopesOf(row: ApiToken): Set<Scope> {
  return new Set(row.scopes as Scope[]);
}
