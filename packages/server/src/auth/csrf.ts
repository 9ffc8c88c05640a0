/**
 * CSRF defence for cookie-authenticated mutations (OWASP CSRF Prevention Cheat Sheet, "Verifying
 * origin with standard headers" and "Fetch Metadata"): a browser names the page that sent a request
 * in `Origin`, and modern ones say in `Sec-Fetch-Site` whether it is same-origin. A mutation riding
 * on the session cookie must come from an allowed origin; Bearer requests carry their credential
 * explicitly (a browser never attaches it by itself) and are not subject to the check.
 */
import { getEnv } from '../env.js';

/** `allowed`: from an allowed origin; `denied`: a browser says it is from elsewhere; `absent`: no browser headers. */
export type OriginVerdict = 'allowed' | 'denied' | 'absent';

export function allowedOrigins(extra: readonly string[] = []): Set<string> {
  const env = getEnv();
  const publicUrl = env.PUBLIC_URL ?? `http://${env.HOST}:${env.PORT}`;
  return new Set([publicUrl, ...env.CSRF_ALLOWED_ORIGINS, ...extra].map((u) => new URL(u).origin));
}

export function originVerdict(
  headers: { origin: string | null; secFetchSite: string | null },
  allowed: ReadonlySet<string>,
): OriginVerdict {
  if (headers.origin) {
    // "null" (sandboxed frames, some redirects) is never allowed.
    return allowed.has(headers.origin) ? 'allowed' : 'denied';
  }
  if (headers.secFetchSite) return headers.secFetchSite === 'same-origin' ? 'allowed' : 'denied';
  return 'absent';
}

/**
 * Whether a mutation may proceed. Cookie: only from an allowed origin. No credential (sign-in,
 * sign-up): refused when a browser says it comes from elsewhere (login CSRF). Bearer: always.
 */
export function mutationAllowed(transport: 'cookie' | 'bearer' | null, verdict: OriginVerdict): boolean {
  if (transport === 'bearer') return true;
  if (transport === 'cookie') return verdict === 'allowed';
  return verdict !== 'denied';
}
