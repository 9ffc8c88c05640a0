import type { IsolationCases, IsolationEnv } from '../types.js';

async function ownerSettings({ ownerCaller }: IsolationEnv) {
  await ownerCaller.analytics.settings.set({ benchmarkSymbol: 'OWNER', riskFreeRate: '0.05' });
}

export const analyticsCases: IsolationCases = {
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
