import { TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { DomainError } from '../../src/services/errors.js';

/**
 * Awaits a call that must fail with a tRPC `code`; returns the paths of the fields it names
 * (zod issue paths, or the domain error's field) and its message, for assertions.
 */
export async function expectTRPCError(
  call: Promise<unknown>,
  code: TRPCError['code'],
): Promise<{ fields: string[]; message: string }> {
  let caught: unknown;
  try {
    await call;
  } catch (err) {
    caught = err;
  }
  if (!(caught instanceof TRPCError)) {
    throw new Error(`expected a TRPCError ${code}, got ${caught === undefined ? 'success' : String(caught)}`);
  }
  if (caught.code !== code) {
    throw new Error(`expected ${code}, got ${caught.code}: ${caught.message}`);
  }
  const cause = caught.cause;
  const fields =
    cause instanceof ZodError
      ? cause.issues.map((i) => i.path.map(String).join('.'))
      : cause instanceof DomainError && cause.field
        ? [cause.field]
        : [];
  return { fields, message: caught.message };
}
