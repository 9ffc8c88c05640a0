import { z } from 'zod';

const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));

/** An ISO 4217 currency code; lower case is accepted and upper-cased. */
export const zCurrency = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, { message: 'Expected a three-letter ISO 4217 currency code' })
  .refine((code) => ISO_4217.has(code), { message: 'Not an ISO 4217 currency code' });

export const zUuid = z.uuid({ message: 'Expected a UUID' });

/** Opaque keyset cursor returned by list procedures. */
export const zCursor = z.string().min(1).max(512);

export const zPageInput = z.object({
  limit: z.number().int().min(1).max(500).default(50),
  cursor: zCursor.optional(),
});

export function zPage<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
