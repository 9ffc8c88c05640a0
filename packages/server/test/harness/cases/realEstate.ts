import type { IsolationCases, IsolationEnv } from '../types.js';

async function ownerProperty({ ownerCaller }: IsolationEnv) {
  const property = await ownerCaller.realEstate.create({
    name: 'Owner rental',
    propertyType: 'rental',
    purchasePrice: '300000',
    purchaseDate: '2021-05-01',
    rentRoll: [{ unit: 'A', monthlyRent: '2000' }],
    expenses: [{ category: 'insurance', amount: '90' }],
    mortgages: [
      { originalPrincipal: '240000', annualRate: '0.05', termMonths: 360, startDate: '2021-05-01' },
    ],
  });
  return { property, mortgageId: property.mortgages[0]!.id };
}

export const realEstateCases: IsolationCases = {
  'realEstate.list': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerProperty(env);
      return {};
    },
  },
  'realEstate.byId': {
    kind: 'foreign',
    arrange: async (env) => ({ id: (await ownerProperty(env)).property.id }),
  },
  'realEstate.create': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerProperty(env);
      return { name: 'Intruder cabin', propertyType: 'vacation' };
    },
  },
  'realEstate.update': {
    kind: 'foreign',
    arrange: async (env) => ({ id: (await ownerProperty(env)).property.id, name: 'Taken', rentRoll: [] }),
  },
  'realEstate.delete': {
    kind: 'foreign',
    arrange: async (env) => ({ id: (await ownerProperty(env)).property.id }),
  },
  'realEstate.recordValuation': {
    kind: 'foreign',
    arrange: async (env) => ({
      propertyId: (await ownerProperty(env)).property.id,
      date: '2024-01-01',
      value: '1',
    }),
  },
  'realEstate.valuations': {
    kind: 'foreign',
    arrange: async (env) => ({ propertyId: (await ownerProperty(env)).property.id }),
  },
  'realEstate.addMortgage': {
    kind: 'foreign',
    arrange: async (env) => ({
      propertyId: (await ownerProperty(env)).property.id,
      originalPrincipal: '1000',
      annualRate: '0.05',
      termMonths: 12,
      startDate: '2024-01-01',
    }),
  },
  'realEstate.updateMortgage': {
    kind: 'foreign',
    arrange: async (env) => ({ id: (await ownerProperty(env)).mortgageId, annualRate: '0.01' }),
  },
  'realEstate.removeMortgage': {
    kind: 'foreign',
    arrange: async (env) => ({ id: (await ownerProperty(env)).mortgageId }),
  },
  'realEstate.recordMortgageBalance': {
    kind: 'foreign',
    arrange: async (env) => ({
      mortgageId: (await ownerProperty(env)).mortgageId,
      date: '2024-01-01',
      balance: '1',
    }),
  },
  'realEstate.amortizationSchedule': {
    kind: 'foreign',
    arrange: async (env) => ({ mortgageId: (await ownerProperty(env)).mortgageId }),
  },
};
