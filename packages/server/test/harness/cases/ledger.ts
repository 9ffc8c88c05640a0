import type { IsolationCases, IsolationEnv } from '../types.js';

/** The owner's brokerage account with a deposit, a buy, a losing sell and a re-buy (a wash sale). */
async function ownerLedger({ ownerCaller }: IsolationEnv) {
  const account = await ownerCaller.accounts.create({
    name: 'Owner brokerage',
    type: 'brokerage',
    trackingMode: 'transactions',
  });
  await ownerCaller.transactions.create({
    accountId: account.id,
    type: 'deposit',
    tradeDate: '2024-01-02',
    amount: '10000',
  });
  const buy = await ownerCaller.transactions.create({
    accountId: account.id,
    type: 'buy',
    symbol: 'AAPL',
    tradeDate: '2024-01-03',
    quantity: '10',
    price: '150',
  });
  await ownerCaller.transactions.create({
    accountId: account.id,
    type: 'sell',
    symbol: 'AAPL',
    tradeDate: '2024-02-01',
    quantity: '5',
    price: '120',
  });
  await ownerCaller.transactions.create({
    accountId: account.id,
    type: 'buy',
    symbol: 'AAPL',
    tradeDate: '2024-02-10',
    quantity: '2',
    price: '125',
  });
  const holdings = await ownerCaller.holdings.list({ accountId: account.id });
  return { account, buy, holding: holdings.items[0]! };
}

export const ledgerCases: IsolationCases = {
  'transactions.list': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerLedger(env);
      return {};
    },
  },
  'transactions.byId': {
    kind: 'foreign',
    arrange: async (env) => ({ id: (await ownerLedger(env)).buy.id }),
  },
  'transactions.create': {
    kind: 'foreign',
    arrange: async (env) => ({
      accountId: (await ownerLedger(env)).account.id,
      type: 'deposit',
      tradeDate: '2024-03-01',
      amount: '1',
    }),
  },
  'transactions.update': {
    kind: 'foreign',
    arrange: async (env) => ({ id: (await ownerLedger(env)).buy.id, price: '1' }),
  },
  'transactions.delete': {
    kind: 'foreign',
    arrange: async (env) => ({ id: (await ownerLedger(env)).buy.id }),
  },
  'transactions.import': {
    kind: 'foreign',
    arrange: async (env) => ({
      accountId: (await ownerLedger(env)).account.id,
      rows: [{ type: 'deposit', tradeDate: '2024-03-01', amount: '1', externalId: 'x-1' }],
    }),
  },
  'transactions.realizedGains': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerLedger(env);
      return { from: '2024-01-01', to: '2024-12-31' };
    },
  },
  'holdings.lots': {
    kind: 'foreign',
    arrange: async (env) => ({ holdingId: (await ownerLedger(env)).holding.id }),
  },
  'accounts.reconcile': {
    kind: 'foreign',
    arrange: async (env) => ({
      accountId: (await ownerLedger(env)).account.id,
      statementDate: '2024-12-31',
      cashBalance: '0',
      positions: [],
    }),
  },
  'accounts.completeReconciliation': {
    kind: 'foreign',
    arrange: async (env) => ({
      accountId: (await ownerLedger(env)).account.id,
      statementDate: '2024-12-31',
      cashBalance: '0',
      positions: [],
      acceptDifferences: true,
    }),
  },
};
