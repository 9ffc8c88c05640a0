import { Decimal } from '@fo/schema';
import { describe, expect, it } from 'vitest';
import { getEnv } from '../../src/env.js';
import { newUser } from '../support/accounts-factories.js';
import { createUserWithSession } from '../support/auth-factories.js';
import { getTestDb } from '../support/db.js';
import { expectTRPCError } from '../support/expect-error.js';
import { startTestServer } from '../support/http.js';

describe('analytics.settings', () => {
  it('starts from the server defaults', async () => {
    const { caller } = await newUser();
    const env = getEnv();
    const settings = await caller.analytics.settings.get();
    expect(settings).toEqual({
      benchmarkSymbol: env.ANALYTICS_BENCHMARK_SYMBOL,
      riskFreeRate: new Decimal(env.ANALYTICS_RISK_FREE_RATE),
      riskFreeSymbol: null,
      maxPriceGapDays: env.ANALYTICS_MAX_PRICE_GAP_DAYS,
      custom: { benchmarkSymbol: false, riskFreeRate: false, riskFreeSymbol: false, maxPriceGapDays: false },
    });
  });

  it('sets, partially updates and resets fields', async () => {
    const { caller } = await newUser();
    const set = await caller.analytics.settings.set({ benchmarkSymbol: 'vti', riskFreeRate: '0.0425' });
    expect(set.benchmarkSymbol).toBe('VTI');
    expect(set.riskFreeRate.toFixed()).toBe('0.0425');
    expect(set.custom).toMatchObject({ benchmarkSymbol: true, riskFreeRate: true, maxPriceGapDays: false });

    const updated = await caller.analytics.settings.set({ maxPriceGapDays: 10, riskFreeSymbol: 'BIL' });
    expect(updated).toMatchObject({ benchmarkSymbol: 'VTI', maxPriceGapDays: 10, riskFreeSymbol: 'BIL' });

    const reset = await caller.analytics.settings.set({ benchmarkSymbol: null, riskFreeSymbol: null });
    expect(reset.benchmarkSymbol).toBe(getEnv().ANALYTICS_BENCHMARK_SYMBOL);
    expect(reset.riskFreeSymbol).toBeNull();
    expect(reset.custom.benchmarkSymbol).toBe(false);
    expect((await caller.analytics.settings.get()).maxPriceGapDays).toBe(10);
  });

  it('rejects out-of-range values, naming the field, and writes nothing', async () => {
    const { caller, db, user } = await newUser();
    const bad = await expectTRPCError(caller.analytics.settings.set({ riskFreeRate: '1.5' }), 'BAD_REQUEST');
    expect(bad.fields).toEqual(['riskFreeRate']);
    const gap = await expectTRPCError(caller.analytics.settings.set({ maxPriceGapDays: 0 }), 'BAD_REQUEST');
    expect(gap.fields).toEqual(['maxPriceGapDays']);
    const sym = await expectTRPCError(
      caller.analytics.settings.set({ benchmarkSymbol: 'not a symbol!' }),
      'BAD_REQUEST',
    );
    expect(sym.fields).toEqual(['benchmarkSymbol']);
    expect(await db('analytics_settings').where('user_id', user.id)).toEqual([]);
  });

  it('is served over HTTP through the SDK', async () => {
    const db = await getTestDb();
    const { token } = await createUserWithSession(db);
    await using server = await startTestServer();
    const client = server.client(token);
    const settings = await client.analytics.settings.set.mutate({ riskFreeRate: 0.03 });
    expect(settings.riskFreeRate).toBeInstanceOf(Decimal);
    expect(settings.riskFreeRate.toFixed()).toBe('0.03');
    expect((await client.analytics.settings.get.query()).custom.riskFreeRate).toBe(true);
  });
});
