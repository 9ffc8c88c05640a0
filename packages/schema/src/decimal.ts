import { Decimal } from 'decimal.js';
import { z } from 'zod';

// Money and quantities never go through binary floats. 40 significant digits covers
// numeric(28,10) quantities multiplied by numeric(24,8) prices without loss.
Decimal.set({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

export { Decimal };

const DECIMAL_STRING = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A decimal value on the wire: a `Decimal`, a decimal string, or a finite number (converted through
 * its shortest string form, so 0.1 stays 0.1). Always parses to a `Decimal`.
 */
export const zDecimal = z
  .union([
    z.custom<Decimal>((value) => Decimal.isDecimal(value), { message: 'Expected a Decimal' }),
    z.string().trim().regex(DECIMAL_STRING, { message: 'Expected a decimal number such as "12.34"' }),
    z.number().finite({ message: 'Expected a finite number' }),
  ])
  .transform((value) => (Decimal.isDecimal(value) ? value : new Decimal(String(value))));

export const zNonNegativeDecimal = zDecimal.refine((d) => d.gte(0), { message: 'Must be zero or more' });
export const zPositiveDecimal = zDecimal.refine((d) => d.gt(0), { message: 'Must be greater than zero' });

/** Converts to the string PostgreSQL `numeric` accepts, keeping every digit. */
export function toNumericString(value: Decimal.Value): string {
  return new Decimal(value).toFixed();
}
