/**
 * The wire format shared by the server and the SDK: superjson plus a `Decimal` custom type, so the
 * SDK receives real `Decimal` objects. Kept free of zod so the SDK's runtime stays small.
 */
import { Decimal } from 'decimal.js';
import { SuperJSON } from 'superjson';

export const transformer = new SuperJSON();

transformer.registerCustom<Decimal, string>(
  {
    isApplicable: (value): value is Decimal => Decimal.isDecimal(value),
    serialize: (value) => value.toString(),
    deserialize: (value) => new Decimal(value),
  },
  'decimal.js',
);

export { Decimal };
