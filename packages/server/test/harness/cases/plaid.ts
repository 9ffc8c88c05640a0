import { sharedFakePlaid } from '../../support/plaid.js';
import type { IsolationCases, IsolationEnv } from '../types.js';

/** A public token from the shared fake Plaid server, as Plaid Link would hand one over. */
async function publicToken(): Promise<string> {
  const fake = await sharedFakePlaid();
  return fake.publicTokenFor(fake.createItem().itemId);
}

/** The owner links an institution (the first sync stays queued: no worker runs here). */
async function ownerItem(env: IsolationEnv) {
  const { item } = await env.ownerCaller.plaid.exchangePublicToken({ publicToken: await publicToken() });
  return item;
}

export const plaidCases: IsolationCases = {
  'plaid.createLinkToken': {
    kind: 'foreign',
    // Update mode for the owner's item.
    arrange: async (env) => ({ itemId: (await ownerItem(env)).id }),
  },
  'plaid.exchangePublicToken': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerItem(env);
      return { publicToken: await publicToken() };
    },
  },
  'plaid.items': {
    kind: 'ownData',
    arrange: async (env) => {
      await ownerItem(env);
      return undefined;
    },
  },
  'plaid.removeItem': { kind: 'foreign', arrange: async (env) => ({ id: (await ownerItem(env)).id }) },
  'plaid.syncNow': { kind: 'foreign', arrange: async (env) => ({ id: (await ownerItem(env)).id }) },
};
