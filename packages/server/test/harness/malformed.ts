/**
 * fast-check arbitraries of malformed procedure inputs, derived from each procedure's zod 4 input
 * schema through its JSON Schema (`z.toJSONSchema`, input side): a plausible object is built from
 * the schema, then one thing is broken — the whole value's type, one field's type or range (NaN,
 * ±Infinity, negatives, fractions, huge strings, bad UUIDs and dates, deep nesting), a missing
 * required field, or an unexpected extra field.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { z } from 'zod';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  minimum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  minItems?: number;
  default?: unknown;
};

export function jsonSchemaOf(schema: z.ZodType): JsonSchema | null {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  } catch {
    return null;
  }
}

function nested(depth: number): unknown {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i += 1) value = { nested: value };
  return value;
}

const HUGE = 'x'.repeat(100_000);

/** Values wrong for nearly any field, each probing a different failure. */
export const BAD_VALUES: readonly unknown[] = [
  null,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -1,
  -1e300,
  1e300,
  0.5,
  Number.MAX_SAFE_INTEGER + 2,
  '',
  ' ',
  HUGE,
  'not-a-uuid',
  '00000000-0000-0000-0000-00000000000g',
  '2024-02-30',
  '9999-99-99',
  '\u0000',
  '1e400',
  'NaN',
  true,
  123,
  '123',
  {},
  [],
  [[[]]],
  { $gt: '' },
  nested(60),
  new Date(Number.NaN),
];

function firstBranch(schema: JsonSchema): JsonSchema {
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches?.length) return branches.find((b) => b.type !== 'null') ?? branches[0]!;
  if (schema.allOf?.length) return Object.assign({}, ...schema.allOf) as JsonSchema;
  return schema;
}

/** A value of roughly the right shape (often valid, not necessarily). */
export function plausible(schema: JsonSchema | undefined, depth = 0): unknown {
  if (!schema || depth > 6) return 'x';
  const s = firstBranch(schema);
  if (s.default !== undefined) return s.default;
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(s.properties ?? {}).map(([k, v]) => [k, plausible(v, depth + 1)] as const),
      );
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => plausible(s.items, depth + 1));
    case 'integer':
    case 'number':
      return Math.max(1, s.minimum ?? 1, (s.exclusiveMinimum ?? 0) + 1);
    case 'boolean':
      return true;
    case 'string':
      if (s.format === 'uuid') return randomUUID();
      if (s.format === 'email') return `fuzz-${randomUUID()}@example.com`;
      if (s.format === 'date') return '2024-01-31';
      if (s.format === 'date-time') return new Date().toISOString();
      return 'x'.repeat(Math.max(1, s.minLength ?? 1));
    default:
      return 'x';
  }
}

const badValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...BAD_VALUES) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
);

/** Malformed inputs for a schema. */
export function malformedInput(schema: JsonSchema | null): fc.Arbitrary<unknown> {
  const wholeValue = badValue;
  const s = schema ? firstBranch(schema) : null;
  const keys = Object.keys(s?.properties ?? {});
  if (!s || keys.length === 0) return wholeValue;
  const base = () => plausible(s) as Record<string, unknown>;
  const required = s.required ?? [];
  const fieldBroken = fc
    .tuple(fc.constantFrom(...keys), badValue)
    .map(([key, value]) => ({ ...base(), [key]: value }));
  const extraField = fc
    .tuple(fc.string({ minLength: 1, maxLength: 20 }), badValue)
    .map(([key, value]) => ({ ...base(), [key]: value, extra: nested(5) }));
  const arbitraries: fc.Arbitrary<unknown>[] = [
    wholeValue,
    fieldBroken,
    fieldBroken,
    fieldBroken,
    extraField,
  ];
  if (required.length) {
    arbitraries.push(
      fc.constantFrom(...required).map((key) => {
        const value = base();
        delete value[key];
        return value;
      }),
    );
  }
  return fc.oneof(...arbitraries);
}
