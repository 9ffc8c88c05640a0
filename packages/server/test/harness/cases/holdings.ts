import { todayIso } from '@fo/schema';
import type { IsolationCases, IsolationEnv } from '../types.js';

async function ownerHolding({ ownerCaller }: IsolationEnv) {
  const account = await ownerCaller.accounts.create({
    name: 'Owner brokerage',
    type: 'brokerage',
    trackingMode: 'holdings',
  });
  await ownerCaller.prices.upsert({
    rows: [{ symbol: 'AAPL', date: todayIso(), close: '200', currency: 'USD' }],
  });
  const holding = await ownerCaller.holdings.create({
    accountId: account.id,
    symbol: 'AAPL',
    quantity: '10',
    costBasis: '1500',
  });
  return { account, holding };
}

export const holdingsCases: IsolationCases = {
  'holdings.list': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerHolding(env);
      return {};
    },
  },
  'holdings.byId': {
    kind: 'foreign',
    arrange: async (env) => ({ id: (await ownerHolding(env)).holding.id }),
  },
  'holdings.create': {
    kind: 'foreign',
    arrange: async (env) => ({
      accountId: (await ownerHolding(env)).account.id,
      symbol: 'MSFT',
      quantity: '1',
    }),
  },
  'holdings.update': {
    kind: 'foreign',
    arrange: async (env) => ({ id: (await ownerHolding(env)).holding.id, quantity: '0' }),
  },
  'holdings.delete': {
    kind: 'foreign',
    arrange: async (env) => ({ id: (await ownerHolding(env)).holding.id }),
  },
  // Prices and FX rates are market data shared by every user (no owner); writing them must not
  // touch another user's rows, reading them reveals nobody's records.
  'prices.upsert': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerHolding(env);
      return { rows: [{ symbol: 'AAPL', date: todayIso(), close: '201', currency: 'USD' }] };
    },
  },
  'prices.latest': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerHolding(env);
      return { symbols: ['AAPL'] };
    },
  },
  'fx.upsert': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerHolding(env);
      return { rows: [{ date: todayIso(), base: 'EUR', quote: 'USD', rate: '1.1' }] };
    },
  },
  'fx.latest': {
    kind: 'ownData',
    arrange: async (env) => {
      await env.ownerCaller.fx.upsert({
        rows: [{ date: todayIso(), base: 'EUR', quote: 'USD', rate: '1.1' }],
      });
      return { pairs: [{ base: 'USD', quote: 'EUR' }] };
    },
  },
};
