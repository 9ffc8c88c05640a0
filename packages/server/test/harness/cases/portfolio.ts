import { todayIso } from '@fo/schema';
import type { IsolationCases, IsolationEnv } from '../types.js';

async function ownerWealth({ ownerCaller }: IsolationEnv) {
  const account = await ownerCaller.accounts.create({ name: 'Owner savings', type: 'savings' });
  await ownerCaller.accounts.recordBalance({ accountId: account.id, date: todayIso(), balance: '123456' });
  await ownerCaller.realEstate.create({
    name: 'Owner home',
    propertyType: 'primary_residence',
    purchasePrice: '500000',
    purchaseDate: '2020-01-01',
  });
}

async function ownerTargets({ ownerCaller }: IsolationEnv) {
  await ownerCaller.portfolio.targetAllocation.set({
    targets: [
      { assetClass: 'stock', weight: '0.7' },
      { assetClass: 'bond', weight: '0.3', band: '0.1' },
    ],
  });
}

export const portfolioCases: IsolationCases = {
  'portfolio.netWorth': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerWealth(env);
      return {};
    },
  },
  'portfolio.netWorthHistory': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerWealth(env);
      return { interval: 'month' };
    },
  },
  'portfolio.targetAllocation.get': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerTargets(env);
      return undefined;
    },
  },
  'portfolio.targetAllocation.set': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerTargets(env);
      return { targets: [{ assetClass: 'cash', weight: '1' }] };
    },
  },
  'portfolio.targetAllocation.reset': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerTargets(env);
      return undefined;
    },
  },
};
