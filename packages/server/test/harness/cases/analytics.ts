import { insertLedger, seedPrices } from '../../support/analytics-factories.js';
import type { IsolationCases, IsolationEnv } from '../types.js';

async function ownerSettings({ ownerCaller }: IsolationEnv) {
  await ownerCaller.analytics.settings.set({ benchmarkSymbol: 'OWNER', riskFreeRate: '0.05' });
}

/** The owner's brokerage account with a priced holding, returned with the holding's id. */
async function ownerBook(env: IsolationEnv) {
  const account = await env.ownerCaller.accounts.create({ name: 'Owner brokerage', type: 'brokerage' });
  await seedPrices(env.ownerCaller, 'OWNR', '2024-01-01', '2024-02-29', (_d, i) => 10 + i);
  await insertLedger(env.db, { id: env.owner.userId }, account, [
    { type: 'deposit', date: '2024-01-02', amount: 1_000 },
    { type: 'buy', date: '2024-01-02', symbol: 'OWNR', quantity: 10, price: 10 },
  ]);
  const holding = await env.db('assets').where({ account_id: account.id, symbol: 'OWNR' }).first('id');
  return { accountId: account.id, holdingId: holding.id as string };
}

export const analyticsCases: IsolationCases = {
  'analytics.performance': {
    kind: 'foreign',
    arrange: async (env) => ({ scope: { type: 'account', accountId: (await ownerBook(env)).accountId } }),
  },
  'analytics.risk': {
    kind: 'foreign',
    arrange: async (env) => ({ scope: { type: 'holding', holdingId: (await ownerBook(env)).holdingId } }),
  },
  'analytics.series': {
    kind: 'foreign',
    arrange: async (env) => ({ scope: { type: 'holding', holdingId: (await ownerBook(env)).holdingId } }),
  },
  'analytics.allocation': {
    kind: 'foreign',
    arrange: async (env) => ({ scope: { type: 'account', accountId: (await ownerBook(env)).accountId } }),
  },
  'analytics.settings.get': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerSettings(env);
      return undefined;
    },
  },
  'analytics.settings.set': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerSettings(env);
      return { benchmarkSymbol: 'INTRUDER' };
    },
  },
};
