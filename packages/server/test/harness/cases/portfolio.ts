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
};
