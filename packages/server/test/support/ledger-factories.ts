/**
 * Fixtures for ledger tests: a user with a caller and brokerage accounts that track transactions,
 * created through the procedures.
 */
import type { AccountCreateInput } from '@fo/schema';
import type { Caller } from '../harness/types.js';
import { newUser, type UserFixture, uniqueName } from './accounts-factories.js';

export type { UserFixture };

export function ledgerUser(): Promise<UserFixture> {
  return newUser();
}

/** A brokerage account whose holdings the ledger maintains. */
export function brokerage(caller: Caller, overrides: Partial<AccountCreateInput> = {}) {
  return caller.accounts.create({
    name: uniqueName('Brokerage'),
    type: 'brokerage',
    trackingMode: 'transactions',
    currency: 'USD',
    ...overrides,
  });
}

/** The account's holding in a symbol (quantity and cost basis as the ledger keeps them). */
export async function holdingOf(caller: Caller, accountId: string, symbol: string) {
  const page = await caller.holdings.list({ accountId, symbol, limit: 10 });
  return page.items[0] ?? null;
}
