import { todayIso } from '@fo/schema';
import type { IsolationCases, IsolationEnv } from '../types.js';

async function ownerChecking({ ownerCaller }: IsolationEnv) {
  const account = await ownerCaller.accounts.create({ name: 'Owner checking', type: 'checking' });
  await ownerCaller.accounts.recordBalance({ accountId: account.id, date: todayIso(), balance: '2500' });
  return account;
}

export const accountsCases: IsolationCases = {
  'accounts.list': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerChecking(env);
      return { includeClosed: true };
    },
  },
  'accounts.byId': { kind: 'foreign', arrange: async (env) => ({ id: (await ownerChecking(env)).id }) },
  'accounts.create': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerChecking(env);
      return { name: 'Intruder savings', type: 'savings' };
    },
  },
  'accounts.update': {
    kind: 'foreign',
    arrange: async (env) => ({ id: (await ownerChecking(env)).id, name: 'Taken over' }),
  },
  'accounts.close': { kind: 'foreign', arrange: async (env) => ({ id: (await ownerChecking(env)).id }) },
  'accounts.reopen': {
    kind: 'foreign',
    arrange: async (env) => {
      const account = await ownerChecking(env);
      await env.ownerCaller.accounts.close({ id: account.id });
      return { id: account.id };
    },
  },
  'accounts.delete': { kind: 'foreign', arrange: async (env) => ({ id: (await ownerChecking(env)).id }) },
  'accounts.recordBalance': {
    kind: 'foreign',
    arrange: async (env) => ({ accountId: (await ownerChecking(env)).id, date: todayIso(), balance: '1' }),
  },
  'accounts.balanceHistory': {
    kind: 'foreign',
    arrange: async (env) => ({ accountId: (await ownerChecking(env)).id }),
  },
};
