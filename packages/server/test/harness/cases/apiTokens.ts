import type { IsolationCases, IsolationEnv } from '../types.js';

async function ownerToken({ ownerCaller }: IsolationEnv) {
  return (await ownerCaller.apiTokens.create({ name: 'owner nightly import', scopes: ['read', 'write'] }))
    .apiToken;
}

export const apiTokensCases: IsolationCases = {
  'apiTokens.create': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerToken(env);
      return { name: 'intruder script', scopes: ['read'], expiresInDays: 30 };
    },
  },
  'apiTokens.list': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerToken(env);
      return undefined;
    },
  },
  'apiTokens.revoke': { kind: 'foreign', arrange: async (env) => ({ id: (await ownerToken(env)).id }) },
};
