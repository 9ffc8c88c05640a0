import { SUBTYPES_BY_TYPE } from '@fo/schema';
import { AccountSubtype, AccountType } from 'plaid';
import { describe, expect, it } from 'vitest';
import { mapPlaidAccountType } from '../src/services/plaid/mapping.js';

describe("Plaid account types → the platform's", () => {
  it.each([
    ['depository', 'checking', 'checking', null, 'holdings'],
    ['depository', 'savings', 'savings', null, 'holdings'],
    ['depository', 'money market', 'savings', 'money_market', 'holdings'],
    ['depository', 'cd', 'savings', 'cd', 'holdings'],
    ['credit', 'credit card', 'credit_card', null, 'holdings'],
    ['loan', 'mortgage', 'mortgage', null, 'holdings'],
    ['loan', 'home equity', 'loan', 'heloc', 'holdings'],
    ['loan', 'student', 'loan', 'student', 'holdings'],
    ['loan', 'auto', 'loan', 'auto', 'holdings'],
    ['investment', '401k', 'retirement', '401k', 'transactions'],
    ['investment', 'roth 401k', 'retirement', 'roth_401k', 'transactions'],
    ['investment', 'ira', 'retirement', 'ira', 'transactions'],
    ['investment', 'roth', 'retirement', 'roth_ira', 'transactions'],
    ['investment', '403B', 'retirement', '403b', 'transactions'],
    ['investment', 'brokerage', 'brokerage', null, 'transactions'],
    ['investment', '529', 'brokerage', '529', 'transactions'],
    ['investment', 'utma', 'brokerage', 'custodial', 'transactions'],
    ['investment', 'crypto exchange', 'crypto', null, 'transactions'],
    ['other', 'other', 'other', null, 'transactions'],
    ['depository', null, 'checking', 'other', 'holdings'],
  ])('%s / %s → %s / %s (%s)', (plaidType, plaidSubtype, type, subtype, trackingMode) => {
    expect(mapPlaidAccountType(plaidType, plaidSubtype)).toEqual({ type, subtype, trackingMode });
  });

  it('gives every Plaid type and subtype a pair the accounts API accepts', () => {
    for (const type of Object.values(AccountType)) {
      for (const subtype of [...Object.values(AccountSubtype), null]) {
        const mapped = mapPlaidAccountType(type, subtype);
        if (mapped.subtype) expect(SUBTYPES_BY_TYPE[mapped.type]).toContain(mapped.subtype);
      }
    }
  });
});
