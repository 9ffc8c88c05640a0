/**
 * Password hashing with argon2id (@node-rs/argon2; OWASP's minimum m=19456 KiB, t=2, p=1 by
 * default, configurable). The PHC string keeps the parameters, so raising them later is a config
 * change: a hash made with other parameters is rehashed at the next successful sign-in.
 *
 * The password policy follows NIST SP 800-63B: length only (12-256 code points, checked by the
 * schema), no composition rules; passwords are NFKC-normalized before hashing (800-63B 5.1.1.2);
 * a password containing the email's local part, or on a short list of the most common long
 * passwords, is refused.
 */
import { hash, verify } from '@node-rs/argon2';
import { getEnv } from '../env.js';
import { ValidationError } from '../services/errors.js';

export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export function configuredParams(): Argon2Params {
  const env = getEnv();
  return {
    memoryCost: env.ARGON2_MEMORY_KIB,
    timeCost: env.ARGON2_TIME_COST,
    parallelism: env.ARGON2_PARALLELISM,
  };
}

// @node-rs/argon2's `Algorithm` is an ambient const enum (unusable under verbatimModuleSyntax): 2 = Argon2id.
const ARGON2ID = 2;

/** At most ARGON2_MAX_CONCURRENCY hashes at a time; the others queue (first come, first served). */
let running = 0;
const waiting: (() => void)[] = [];
let maxOverride: number | undefined;

/** Overrides ARGON2_MAX_CONCURRENCY for this process (benchmarks compare settings); undefined restores it. */
export function setArgon2MaxConcurrency(max: number | undefined): void {
  maxOverride = max;
}

async function limited<T>(work: () => Promise<T>): Promise<T> {
  const max = maxOverride ?? getEnv().ARGON2_MAX_CONCURRENCY;
  if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
  else running += 1;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    // The slot passes straight to the next waiter, so `running` stays counted.
    if (next) next();
    else running -= 1;
  }
}

function normalize(password: string): string {
  return password.normalize('NFKC');
}

export function hashPassword(password: string, params: Argon2Params = configuredParams()): Promise<string> {
  return limited(() => hash(normalize(password), { algorithm: ARGON2ID, ...params }));
}

/** False for a wrong password and for a hash that is not a valid argon2 PHC string. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  if (!passwordHash.startsWith('$argon2')) return false;
  try {
    return await limited(() => verify(passwordHash, normalize(password)));
  } catch {
    return false;
  }
}

/** Parameters of a PHC string `$argon2id$v=19$m=19456,t=2,p=1$salt$hash`, or null. */
export function paramsOf(passwordHash: string): (Argon2Params & { algorithm: string }) | null {
  const match = /^\$(argon2(?:id|i|d))\$v=\d+\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(passwordHash);
  if (!match) return null;
  return {
    algorithm: match[1]!,
    memoryCost: Number(match[2]),
    timeCost: Number(match[3]),
    parallelism: Number(match[4]),
  };
}

export function needsRehash(passwordHash: string, params: Argon2Params = configuredParams()): boolean {
  const current = paramsOf(passwordHash);
  if (!current) return true;
  return (
    current.algorithm !== 'argon2id' ||
    current.memoryCost !== params.memoryCost ||
    current.timeCost !== params.timeCost ||
    current.parallelism !== params.parallelism
  );
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the time of a real verification when there is no account to check against, so an
 * unknown email answers as slowly as a known one (no enumeration by timing).
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('dummy password for timing equalization');
  await verifyPassword(await dummyHash, password);
  return false;
}

// The most common passwords of 12+ characters in public breach corpora (SecLists top lists);
// the full check against breached-password corpora belongs to a service such as HIBP's k-anonymity API.
const COMMON_PASSWORDS = new Set([
  '123456789012',
  '1234567890123',
  '12345678901234',
  '123456789123',
  '111111111111',
  '000000000000',
  '123123123123',
  'qwertyuiopas',
  'qwertyuiop123',
  'qwerty123456',
  '1q2w3e4r5t6y',
  '1qaz2wsx3edc',
  'password1234',
  'password123456',
  'passwordpassword',
  'iloveyou1234',
  'abcdefghijkl',
  'abc123abc123',
  'letmein12345',
  'welcome12345',
  'administrator',
  'trustno1trustno1',
  'correcthorsebatterystaple',
  'correct horse battery staple',
]);

/** Checks that need more than the schema: the email's local part, common passwords. */
export function assertAcceptablePassword(password: string, email: string, field = 'password'): void {
  const normalized = normalize(password).toLowerCase();
  const localPart = email.split('@')[0]?.toLowerCase() ?? '';
  // Very short local parts ("a@...") would forbid half the alphabet; three characters is a name.
  if (localPart.length >= 3 && normalized.includes(localPart)) {
    throw new ValidationError([field], 'Password must not contain your email address');
  }
  if (COMMON_PASSWORDS.has(normalized)) {
    throw new ValidationError([field], 'This password is too common; choose another');
  }
}
