/**
 * Enumerations shared by the wire contract and the database CHECK constraints. Migrations copy their
 * own literal lists (a migration must not change when this file does); tests compare the two.
 */
export const ACCOUNT_TYPES = [
  'brokerage',
  'retirement',
  'checking',
  'savings',
  'credit_card',
  'loan',
  'mortgage',
  'crypto',
  'other',
] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

/** Retirement and education subtypes whose gains are not taxed as they happen. */
export const TAX_ADVANTAGED_SUBTYPES = [
  '401k',
  '403b',
  '457b',
  'roth_401k',
  'ira',
  'roth_ira',
  'sep_ira',
  'simple_ira',
  'hsa',
  '529',
  'pension',
] as const;

export const ACCOUNT_SUBTYPES = [
  ...TAX_ADVANTAGED_SUBTYPES,
  'individual',
  'joint',
  'trust',
  'custodial',
  'money_market',
  'cd',
  'student',
  'auto',
  'personal',
  'heloc',
  'other',
] as const;
export type AccountSubtype = (typeof ACCOUNT_SUBTYPES)[number];

export const TRACKING_MODES = ['transactions', 'holdings'] as const;
export type TrackingMode = (typeof TRACKING_MODES)[number];

export const COST_BASIS_METHODS = ['fifo', 'lifo', 'hifo', 'average', 'specific'] as const;
export type CostBasisMethod = (typeof COST_BASIS_METHODS)[number];

export const SYNC_STATUSES = ['idle', 'syncing', 'ok', 'error', 'requires_reauth'] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

export const ASSET_CLASSES = [
  'stock',
  'bond',
  'etf',
  'mutual_fund',
  'option',
  'crypto',
  'cash',
  'other',
] as const;
export type AssetClass = (typeof ASSET_CLASSES)[number];

export const PROPERTY_TYPES = [
  'primary_residence',
  'rental',
  'vacation',
  'commercial',
  'land',
  'other',
] as const;
export type PropertyType = (typeof PROPERTY_TYPES)[number];

export const TRANSACTION_TYPES = [
  'buy',
  'sell',
  'dividend',
  'interest',
  'fee',
  'tax',
  'deposit',
  'withdrawal',
  'transfer_in',
  'transfer_out',
  'split',
  // Added by migration 20261124120000_ledger: a distribution that reduces basis.
  'return_of_capital',
] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

export const RISK_TOLERANCES = ['conservative', 'moderate', 'balanced', 'growth', 'aggressive'] as const;
export type RiskTolerance = (typeof RISK_TOLERANCES)[number];

export const TASK_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Liability account types: balances are amounts owed, counted negative in net worth. */
export const LIABILITY_ACCOUNT_TYPES = [
  'credit_card',
  'loan',
  'mortgage',
] as const satisfies readonly AccountType[];

/**
 * What a credential may do. Sessions carry every scope; API tokens carry the scopes they were
 * created with. Queries need `read`, mutations `write` unless a procedure declares otherwise.
 */
export const SCOPES = ['read', 'write', 'tasks'] as const;
export type Scope = (typeof SCOPES)[number];
