import type { IsolationCases } from '../types.js';

export const usersCases: IsolationCases = {
  'users.updateProfile': {
    kind: 'ownData',
    arrange: async ({ ownerCaller }) => {
      await ownerCaller.users.updateProfile({ name: 'Owner', riskTolerance: 'growth' });
      return {
        name: 'Intruder',
        riskTolerance: 'aggressive',
        investmentHorizonYears: 5,
        baseCurrency: 'EUR',
      };
    },
  },
};
