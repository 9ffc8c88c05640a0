/**
 * Plaid's account types and subtypes (https://plaid.com/docs/api/accounts/#account-type-schema)
 * mapped to the platform's. Plaid knows the product (401k, credit card, mortgage), not the
 * ownership (individual, joint), so ownership subtypes stay unset unless Plaid names them (trust,
 * UGMA/UTMA custodial accounts).
 */
import type { AccountSubtype, AccountType, TrackingMode } from '@fo/schema';
import { defaultTrackingMode, SUBTYPES_BY_TYPE } from '@fo/schema';

export interface MappedAccountType {
  type: AccountType;
  subtype: AccountSubtype | null;
  trackingMode: TrackingMode;
}

type Mapping = [AccountType, AccountSubtype | null];

const DEPOSITORY: Record<string, Mapping> = {
  checking: ['checking', null],
  'cash management': ['checking', null],
  'limited purpose checking': ['checking', null],
  prepaid: ['checking', 'other'],
  paypal: ['checking', 'other'],
  ebt: ['checking', 'other'],
  payroll: ['checking', 'other'],
  savings: ['savings', null],
  'money market': ['savings', 'money_market'],
  cd: ['savings', 'cd'],
  hsa: ['savings', 'hsa'],
  'cash isa': ['savings', 'other'],
  gic: ['savings', 'cd'],
};

const CREDIT: Record<string, Mapping> = {
  'credit card': ['credit_card', null],
  'charge card': ['credit_card', 'other'],
  paypal: ['credit_card', 'other'],
};

const LOAN: Record<string, Mapping> = {
  mortgage: ['mortgage', null],
  'home equity': ['loan', 'heloc'],
  'home equity loan': ['loan', 'heloc'],
  'line of credit': ['loan', 'personal'],
  student: ['loan', 'student'],
  auto: ['loan', 'auto'],
  consumer: ['loan', 'personal'],
  installment: ['loan', 'personal'],
  loan: ['loan', 'other'],
};

const INVESTMENT: Record<string, Mapping> = {
  '401k': ['retirement', '401k'],
  '401a': ['retirement', 'other'],
  '403B': ['retirement', '403b'],
  '457b': ['retirement', '457b'],
  'roth 401k': ['retirement', 'roth_401k'],
  'roth 403B': ['retirement', 'other'],
  'roth 457b': ['retirement', 'other'],
  ira: ['retirement', 'ira'],
  roth: ['retirement', 'roth_ira'],
  'sep ira': ['retirement', 'sep_ira'],
  'simple ira': ['retirement', 'simple_ira'],
  sarsep: ['retirement', 'other'],
  keogh: ['retirement', 'other'],
  pension: ['retirement', 'pension'],
  'roth pension': ['retirement', 'pension'],
  retirement: ['retirement', 'other'],
  'profit sharing plan': ['retirement', 'other'],
  'roth profit sharing plan': ['retirement', 'other'],
  'thrift savings plan': ['retirement', 'other'],
  'roth thrift savings plan': ['retirement', 'other'],
  hsa: ['brokerage', 'hsa'],
  '529': ['brokerage', '529'],
  'education savings account': ['brokerage', 'other'],
  trust: ['brokerage', 'trust'],
  ugma: ['brokerage', 'custodial'],
  utma: ['brokerage', 'custodial'],
  brokerage: ['brokerage', null],
  'non-taxable brokerage account': ['brokerage', 'other'],
  'mutual fund': ['brokerage', null],
  'stock plan': ['brokerage', 'other'],
  'cash management': ['brokerage', null],
  'crypto exchange': ['crypto', null],
  'non-custodial wallet': ['crypto', null],
};

function lookup(table: Record<string, Mapping>, subtype: string | null, fallback: Mapping): Mapping {
  if (subtype === null) return fallback;
  return table[subtype] ?? table[subtype.toLowerCase()] ?? fallback;
}

export function mapPlaidAccountType(type: string, subtype: string | null): MappedAccountType {
  let mapped: Mapping;
  switch (type) {
    case 'depository':
      mapped = lookup(DEPOSITORY, subtype, ['checking', 'other']);
      break;
    case 'credit':
      mapped = lookup(CREDIT, subtype, ['credit_card', 'other']);
      break;
    case 'loan':
      mapped = lookup(LOAN, subtype, ['loan', 'other']);
      break;
    case 'investment':
    case 'brokerage':
      mapped = lookup(INVESTMENT, subtype, ['brokerage', 'other']);
      break;
    default:
      mapped = ['other', null];
  }
  const [ourType, ourSubtype] = mapped;
  // Never produce a pair the accounts API would refuse.
  const subtypeFits = ourSubtype === null || SUBTYPES_BY_TYPE[ourType].includes(ourSubtype);
  return {
    type: ourType,
    subtype: subtypeFits ? ourSubtype : 'other',
    trackingMode: defaultTrackingMode(ourType),
  };
}

/** True for Plaid accounts whose positions come from the investments product. */
export function isInvestmentAccount(type: string): boolean {
  return type === 'investment' || type === 'brokerage';
}
