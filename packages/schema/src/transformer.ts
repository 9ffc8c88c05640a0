/**
 * The wire format shared by the server and the SDK: superjson plus a `Decimal` custom type, so the
 * SDK receives real `Decimal` objects. Kept free of zod so the SDK's runtime stays small.
 */
import { Decimal } from 'decimal.js';
import { SuperJSON, type SuperJSONResult } from 'superjson';
import { fastSerialize } from './fast-serialize.js';

/** superjson, with a fast path for the plain objects, Dates and Decimals API outputs consist of. */
class PlatformSuperJSON extends SuperJSON {
  override serialize(object: unknown): SuperJSONResult {
    return fastSerialize(object) ?? super.serialize(object);
  }
}

export const transformer: SuperJSON = new PlatformSuperJSON();

transformer.registerCustom<Decimal, string>(
  {
    isApplicable: (value): value is Decimal => Decimal.isDecimal(value),
    serialize: (value) => value.toString(),
    deserialize: (value) => new Decimal(value),
  },
  'decimal.js',
);

export { Decimal };
