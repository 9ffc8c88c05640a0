/**
 * The session cookie for web apps: HttpOnly (no script reads it), SameSite=Lax, Path=/, and
 * Secure with the `__Host-` prefix when the server is reached over https (PUBLIC_URL), which also
 * forbids a Domain attribute, so sibling subdomains cannot plant or read it.
 */
import { getEnv } from '../env.js';

export const PLAIN_COOKIE = 'fo_session';
export const SECURE_COOKIE = '__Host-fo_session';

export function cookieIsSecure(): boolean {
  const url = getEnv().PUBLIC_URL;
  return url ? new URL(url).protocol === 'https:' : false;
}

export function sessionCookie(token: string, expiresAt: Date, now = new Date()): string {
  const secure = cookieIsSecure();
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
  return [
    `${secure ? SECURE_COOKIE : PLAIN_COOKIE}=${token}`,
    'Path=/',
    `Max-Age=${maxAge}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

export function clearedSessionCookie(): string {
  const secure = cookieIsSecure();
  return [
    `${secure ? SECURE_COOKIE : PLAIN_COOKIE}=`,
    'Path=/',
    'Max-Age=0',
    'HttpOnly',
    'SameSite=Lax',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/** The session token from a Cookie header, if any. */
export function sessionTokenFromCookieHeader(header: string | undefined): string | null {
  if (!header) return null;
  const wanted = cookieIsSecure() ? SECURE_COOKIE : PLAIN_COOKIE;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === wanted) {
      const value = part.slice(eq + 1).trim();
      return value || null;
    }
  }
  return null;
}
