import { z } from 'zod';
import { zLabel, zMoney } from './amounts.js';
import { zCurrency, zPage, zPageInput, zUuid } from './common.js';
import { zIsoDate } from './dates.js';
import { zDecimal } from './decimal.js';
import {
  ACCOUNT_SUBTYPES,
  ACCOUNT_TYPES,
  type AccountSubtype,
  type AccountType,
  COST_BASIS_METHODS,
  LIABILITY_ACCOUNT_TYPES,
  SYNC_STATUSES,
  TRACKING_MODES,
  type TrackingMode,
} from './enums.js';

/** Accounts whose value is a balance (not positions): they keep a dated balance history. */
export const CASH_LIKE_ACCOUNT_TYPES = [
  'checking',
  'savings',
  'credit_card',
  'loan',
  'mortgage',
] as const satisfies readonly AccountType[];

export const BALANCE_SOURCES = ['manual', 'statement', 'sync', 'import'] as const;
export type BalanceSource = (typeof BALANCE_SOURCES)[number];

export function isLiabilityType(type: string): boolean {
  return (LIABILITY_ACCOUNT_TYPES as readonly string[]).includes(type);
}

export function isCashLikeType(type: string): boolean {
  return (CASH_LIKE_ACCOUNT_TYPES as readonly string[]).includes(type);
}

/**
 * Which subtypes make sense for a type. `other` fits every type; type `other` takes any subtype.
 */
export const SUBTYPES_BY_TYPE: Record<AccountType, readonly AccountSubtype[]> = {
  brokerage: ['individual', 'joint', 'trust', 'custodial', '529', 'hsa', 'other'],
  retirement: [
    '401k',
    '403b',
    '457b',
    'roth_401k',
    'ira',
    'roth_ira',
    'sep_ira',
    'simple_ira',
    'hsa',
    'pension',
    'other',
  ],
  checking: ['individual', 'joint', 'trust', 'custodial', 'hsa', 'other'],
  savings: ['individual', 'joint', 'trust', 'custodial', 'money_market', 'cd', 'hsa', '529', 'other'],
  credit_card: ['individual', 'joint', 'other'],
  loan: ['student', 'auto', 'personal', 'heloc', 'other'],
  mortgage: ['heloc', 'other'],
  crypto: ['individual', 'joint', 'trust', 'other'],
  other: ACCOUNT_SUBTYPES,
};

/**
 * Default tracking mode by type: investment accounts follow the transaction ledger; cash-like
 * accounts keep entered balances.
 */
export function defaultTrackingMode(type: AccountType): TrackingMode {
  return isCashLikeType(type) ? 'holdings' : 'transactions';
}

function checkSubtype(
  value: { type?: AccountType | undefined; subtype?: AccountSubtype | null | undefined },
  ctx: z.RefinementCtx,
): void {
  if (!value.type || !value.subtype) return;
  if (!SUBTYPES_BY_TYPE[value.type].includes(value.subtype)) {
    ctx.addIssue({
      code: 'custom',
      path: ['subtype'],
      message: `Subtype '${value.subtype}' does not fit an account of type '${value.type}'`,
    });
  }
}

export const zAccountCreateInput = z
  .object({
    name: zLabel,
    type: z.enum(ACCOUNT_TYPES),
    subtype: z.enum(ACCOUNT_SUBTYPES).nullish(),
    institution: zLabel.nullish(),
    /** Defaults to the user's base currency. */
    currency: zCurrency.optional(),
    /** Defaults by type: `holdings` for cash-like accounts, `transactions` otherwise. */
    trackingMode: z.enum(TRACKING_MODES).optional(),
    costBasisMethod: z.enum(COST_BASIS_METHODS).default('fifo'),
    /** Negative quantities (short positions) are allowed in this account. */
    allowShort: z.boolean().default(false),
  })
  .superRefine(checkSubtype);
export type AccountCreateInput = z.input<typeof zAccountCreateInput>;

export const zAccountUpdateInput = z
  .object({
    id: zUuid,
    name: zLabel.optional(),
    /** Type, currency and tracking mode change only while the account holds no records. */
    type: z.enum(ACCOUNT_TYPES).optional(),
    subtype: z.enum(ACCOUNT_SUBTYPES).nullish(),
    institution: zLabel.nullish(),
    currency: zCurrency.optional(),
    trackingMode: z.enum(TRACKING_MODES).optional(),
    costBasisMethod: z.enum(COST_BASIS_METHODS).optional(),
    allowShort: z.boolean().optional(),
  })
  .superRefine(checkSubtype);
export type AccountUpdateInput = z.input<typeof zAccountUpdateInput>;

export const zAccountIdInput = z.object({ id: zUuid });

export const zAccountCloseInput = z.object({
  id: zUuid,
  /** Day the account closed (default today); it drops out of totals from that day on. */
  closedOn: zIsoDate.optional(),
});

export const ACCOUNT_SORTS = ['createdAt', 'name'] as const;
export const SORT_DIRECTIONS = ['asc', 'desc'] as const;

export const zAccountListInput = zPageInput.extend({
  /** One type or several. */
  type: z
    .union([z.enum(ACCOUNT_TYPES), z.array(z.enum(ACCOUNT_TYPES)).min(1).max(ACCOUNT_TYPES.length)])
    .optional(),
  /** Institution name, matched case-insensitively. */
  institution: zLabel.optional(),
  includeClosed: z.boolean().default(false),
  sort: z.enum(ACCOUNT_SORTS).default('createdAt'),
  direction: z.enum(SORT_DIRECTIONS).default('asc'),
});
export type AccountListInput = z.input<typeof zAccountListInput>;

export const zAccount = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(ACCOUNT_TYPES),
  subtype: z.enum(ACCOUNT_SUBTYPES).nullable(),
  institution: z.string().nullable(),
  currency: z.string(),
  trackingMode: z.enum(TRACKING_MODES),
  costBasisMethod: z.enum(COST_BASIS_METHODS),
  allowShort: z.boolean(),
  /** Credit cards, loans and mortgages: the balance is an amount owed, counted negative in net worth. */
  isLiability: z.boolean(),
  /** Checking, savings, credit card, loan, mortgage: value is a balance with a dated history. */
  isCashLike: z.boolean(),
  /** Cash in the account, or for liabilities the amount owed (positive). */
  balance: zDecimal,
  /** Date of the latest recorded balance, when the balance came from one. */
  balanceAsOf: z.string().nullable(),
  /** Written by the Plaid sync; read-only here. */
  sync: z.object({
    plaidItemId: z.string().nullable(),
    plaidAccountId: z.string().nullable(),
    status: z.enum(SYNC_STATUSES),
    lastSyncedAt: z.date().nullable(),
    error: z.string().nullable(),
  }),
  closedAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type AccountView = z.infer<typeof zAccount>;

export const zAccountPage = zPage(zAccount);

export const zRecordBalanceInput = z.object({
  accountId: zUuid,
  /** Day of the balance; not in the future. Recording a day again replaces it. */
  date: zIsoDate,
  /** Cash held, or for liabilities the amount owed (positive). */
  balance: zMoney,
  source: z.enum(BALANCE_SOURCES).default('manual'),
});
export type RecordBalanceInput = z.input<typeof zRecordBalanceInput>;

export const zAccountBalance = z.object({
  id: z.string(),
  accountId: z.string(),
  date: z.string(),
  balance: zDecimal,
  source: z.enum(BALANCE_SOURCES),
  createdAt: z.date(),
});
export type AccountBalanceView = z.infer<typeof zAccountBalance>;

export const zRecordBalanceResult = z.object({ account: zAccount, entry: zAccountBalance });

export const zBalanceHistoryInput = zPageInput.extend({
  accountId: zUuid,
  from: zIsoDate.optional(),
  to: zIsoDate.optional(),
});

export const zBalanceHistoryPage = zPage(zAccountBalance);
