/**
 * The transformer's serialization fast path must produce exactly what superjson would, for every
 * value it accepts, and hand everything else to superjson.
 */
import { Decimal } from '@fo/schema';
import { fastSerialize } from '@fo/schema/fast-serialize';
import { transformer } from '@fo/schema/transformer';
import fc from 'fast-check';
import { SuperJSON } from 'superjson';
import { describe, expect, it } from 'vitest';

// Stock superjson with the same custom type: the reference.
const reference = new SuperJSON();
reference.registerCustom<Decimal, string>(
  {
    isApplicable: (value): value is Decimal => Decimal.isDecimal(value),
    serialize: (value) => value.toString(),
    deserialize: (value) => new Decimal(value),
  },
  'decimal.js',
);

const leaf = fc.oneof(
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
  fc.integer(),
  fc.date({ noInvalidDate: true }),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map((n) => new Decimal(`${n}e-8`)),
);
const key = fc.oneof(fc.string(), fc.constantFrom('a.b', 'x\\y', '', '0', 'items', 'a\\.b'));
const value = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('tree'), { maxLength: 5 }),
  object: fc
    .dictionary(key, tie('tree'), { maxKeys: 5 })
    .filter((o) => !['__proto__', 'constructor', 'prototype'].some((k) => Object.hasOwn(o, k))),
})).tree;

describe('transformer fast path', () => {
  it('serializes exactly like superjson', () => {
    fc.assert(
      fc.property(value, (v) => {
        const fast = fastSerialize(v);
        expect(fast).not.toBeNull();
        expect(JSON.parse(JSON.stringify(fast))).toEqual(JSON.parse(JSON.stringify(reference.serialize(v))));
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips Dates, Decimals and undefined through the shared transformer', () => {
    const page = {
      items: [
        {
          id: 'a',
          at: new Date('2024-01-02T03:04:05.678Z'),
          amount: new Decimal('1234.5678'),
          gone: undefined,
        },
      ],
      nextCursor: null,
      'dotted.key': [undefined, new Decimal('-0.1')],
    };
    const wire = JSON.stringify(transformer.serialize(page));
    expect(JSON.parse(wire)).toEqual(JSON.parse(JSON.stringify(reference.serialize(page))));
    const back = reference.deserialize(JSON.parse(wire)) as typeof page;
    expect(back.items[0]?.at).toEqual(page.items[0]?.at);
    expect(back.items[0]?.amount).toBeInstanceOf(Decimal);
    expect(back.items[0]?.amount.toString()).toBe('1234.5678');
    expect(back['dotted.key'][1]?.toString()).toBe('-0.1');
    expect(transformer.serialize(new Date(0))).toEqual(reference.serialize(new Date(0)));
  });

  it('sends a Decimal or Date instance reached twice twice, deserializing to equal values', () => {
    const amount = new Decimal('12.5');
    const at = new Date('2024-05-06T00:00:00Z');
    const v = { net: amount, value: amount, rows: [{ at }, { at }] };
    const fast = fastSerialize(v);
    expect(fast).not.toBeNull();
    expect(reference.deserialize(JSON.parse(JSON.stringify(fast)))).toEqual(
      reference.deserialize(JSON.parse(JSON.stringify(reference.serialize(v)))),
    );
  });

  it('leaves to superjson what it does not know, with the same result', () => {
    const shared = { x: 1 };
    for (const v of [
      new Map([['a', 1]]),
      new Set([1]),
      10n,
      Number.NaN,
      -0,
      Number.POSITIVE_INFINITY,
      new Date(Number.NaN),
      { a: shared, b: shared },
      [new Error('boom')],
      { when: /re/g },
      // biome-ignore lint/suspicious/noSparseArray: a hole is what this case is about
      [1, , 3],
    ]) {
      expect(fastSerialize(v)).toBeNull();
      expect(transformer.serialize(v)).toEqual(reference.serialize(v));
    }
  });
});
