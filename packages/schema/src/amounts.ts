/**
 * Bounded decimal and identifier schemas for money, quantities, prices and rates. The bounds match
 * the database columns (numeric(24,8) money, numeric(28,10) quantities) so an out-of-range value is
 * a BAD_REQUEST naming the field, never a database overflow. Digits beyond a column's scale are
 * rounded half-up here, as PostgreSQL would (and a value such as 1e-999999999 never becomes a
 * billion-character string on its way to the database).
 */
import { z } from 'zod';
import { Decimal, zDecimal } from './decimal.js';

export function zBoundedDecimal(maxAbs: string, places: number) {
  const limit = new Decimal(maxAbs);
  return zDecimal
    .refine((d) => d.isFinite() && d.abs().lt(limit), {
      message: `Must be a finite number smaller than ${maxAbs} in magnitude`,
    })
    .transform((d) => d.toDecimalPlaces(places, Decimal.ROUND_HALF_UP));
}

/** Money amount, any sign (numeric(24,8): up to 16 integer digits). */
export const zMoney = zBoundedDecimal('1e16', 8);
export const zNonNegativeMoney = zMoney.refine((d) => d.gte(0), { message: 'Must be zero or more' });
export const zPositiveMoney = zMoney.refine((d) => d.gt(0), { message: 'Must be greater than zero' });

/** Quantity of units or shares, any sign (numeric(28,10): up to 18 integer digits). */
export const zQuantity = zBoundedDecimal('1e18', 10);

/** A fraction such as an interest rate or a share: 0.065 is 6.5 %. */
export const zFraction = zBoundedDecimal('1e6', 8);

/** Ticker or instrument symbol, upper-cased: AAPL, BRK.B, BTC-USD, ^GSPC, EURUSD=X. */
export const zSymbol = z
  .string()
  .trim()
  .toUpperCase()
  .min(1, { message: 'Symbol is required' })
  .max(32, { message: 'Symbol is at most 32 characters' })
  .regex(/^[A-Z0-9.^=_:/-]+$/, {
    message: 'Symbol may contain letters, digits and . ^ = _ : / -',
  });

/** A short human label (names, lenders, institutions). */
export const zLabel = z.string().trim().min(1, { message: 'Must not be empty' }).max(200);
