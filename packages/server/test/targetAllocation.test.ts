/**
 * portfolio.targetAllocation.get / .set / .reset: the default model of the risk tolerance, a
 * user's own set replaced as a whole, and the rules (weights sum to exactly 1, one entry per
 * class) enforced by the schema and again by the database.
 */
import { describe, expect, it } from 'vitest';
import { newUser } from './support/accounts-factories.js';
import { expectTRPCError } from './support/expect-error.js';

const plain = (t: {
  targets: { assetClass: string; weight: { toFixed(): string }; band: { toFixed(): string } }[];
}) => t.targets.map((x) => [x.assetClass, x.weight.toFixed(), x.band.toFixed()]);

describe('portfolio.targetAllocation', () => {
  it('answers the default model of the user’s risk tolerance until they set their own', async () => {
    const { caller } = await newUser({ risk_tolerance: 'balanced' });
    const model = await caller.portfolio.targetAllocation.get();
    expect(model).toMatchObject({ source: 'default', riskTolerance: 'balanced', updatedAt: null });
    expect(plain(model)).toEqual([
      ['stock', '0.6', '0.05'],
      ['bond', '0.35', '0.05'],
      ['cash', '0.05', '0.05'],
    ]);
    await caller.users.updateProfile({ riskTolerance: 'conservative' });
    expect(plain(await caller.portfolio.targetAllocation.get())).toEqual([
      ['bond', '0.7', '0.05'],
      ['stock', '0.2', '0.05'],
      ['cash', '0.1', '0.05'],
    ]);
  });

  it('replaces the whole set at once, and reset returns to the model', async () => {
    const { caller, db, user } = await newUser({ risk_tolerance: 'growth' });
    const set = await caller.portfolio.targetAllocation.set({
      targets: [
        { assetClass: 'bond', weight: '0.25', band: '0.03' },
        { assetClass: 'stock', weight: '0.65' },
        { assetClass: 'crypto', weight: 0.1 },
      ],
    });
    expect(set.source).toBe('user');
    expect(set.updatedAt).toBeInstanceOf(Date);
    expect(plain(set)).toEqual([
      ['stock', '0.65', '0.05'],
      ['bond', '0.25', '0.03'],
      ['crypto', '0.1', '0.05'],
    ]);
    expect(plain(await caller.portfolio.targetAllocation.get())).toEqual(plain(set));

    const replaced = await caller.portfolio.targetAllocation.set({
      targets: [
        { assetClass: 'stock', weight: '0.7' },
        { assetClass: 'bond', weight: '0.3' },
      ],
    });
    expect(plain(replaced)).toEqual([
      ['stock', '0.7', '0.05'],
      ['bond', '0.3', '0.05'],
    ]);
    expect(await db('target_allocations').where('user_id', user.id).count({ n: '*' })).toEqual([{ n: 2 }]);

    const reset = await caller.portfolio.targetAllocation.reset();
    expect(reset.source).toBe('default');
    expect(plain(reset)).toEqual([
      ['stock', '0.75', '0.05'],
      ['bond', '0.2', '0.05'],
      ['cash', '0.05', '0.05'],
    ]);
    expect(await db('target_allocations').where('user_id', user.id).count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('refuses weights that do not sum to 1, a class listed twice, or a weight beyond 0..1, naming the field and writing nothing', async () => {
    const { caller } = await newUser();
    await caller.portfolio.targetAllocation.set({ targets: [{ assetClass: 'stock', weight: '1' }] });

    const sum = await expectTRPCError(
      caller.portfolio.targetAllocation.set({
        targets: [
          { assetClass: 'stock', weight: '0.6' },
          { assetClass: 'bond', weight: '0.3' },
        ],
      }),
      'BAD_REQUEST',
    );
    expect(sum.fields).toEqual(['targets']);
    expect(sum.message).toContain('sum to exactly 1; they sum to 0.9');

    const twice = await expectTRPCError(
      caller.portfolio.targetAllocation.set({
        targets: [
          { assetClass: 'stock', weight: '0.5' },
          { assetClass: 'stock', weight: '0.5' },
        ],
      }),
      'BAD_REQUEST',
    );
    expect(twice.fields).toEqual(['targets.1.assetClass']);

    const range = await expectTRPCError(
      caller.portfolio.targetAllocation.set({
        targets: [
          { assetClass: 'stock', weight: '1.5', band: '-0.1' },
          { assetClass: 'bond', weight: '-0.5' },
        ],
      }),
      'BAD_REQUEST',
    );
    expect(range.fields).toEqual(['targets.0.weight', 'targets.0.band', 'targets.1.weight']);

    expect(plain(await caller.portfolio.targetAllocation.get())).toEqual([['stock', '1', '0.05']]);
  });

  it('the database refuses a set whose weights do not sum to 1, at commit, and drops it with the user', async () => {
    const { caller, db, user } = await newUser();
    await expect(
      db.transaction(async (trx) => {
        await trx('target_allocations').insert([
          { user_id: user.id, asset_class: 'stock', weight: '0.5' },
          { user_id: user.id, asset_class: 'bond', weight: '0.4' },
        ]);
      }),
    ).rejects.toMatchObject({ code: '23514', constraint: 'target_allocations_weights_sum' });
    await expect(
      db('target_allocations').insert({ user_id: user.id, asset_class: 'stock', weight: '1.2' }),
    ).rejects.toMatchObject({ code: '23514', constraint: 'target_allocations_weight_range' });

    await caller.portfolio.targetAllocation.set({ targets: [{ assetClass: 'bond', weight: '1' }] });
    await db('users').where('id', user.id).delete();
    expect(await db('target_allocations').where('user_id', user.id)).toEqual([]);
  });
});
