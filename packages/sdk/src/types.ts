/**
 * Named types for SDK users. Two kinds, both free of zod so the published declarations need
 * nothing but the SDK's own dependencies:
 *
 * - enumerations and plain aliases from @fo/schema (`as const` lists, no zod), re-exported as is;
 * - shapes of procedure inputs and outputs, named after their schema and read off the router
 *   (`RouterOutputs['area']['verb']`). Re-exporting a `z.infer<...>` alias from @fo/schema instead
 *   would drag zod's declarations into dist/index.d.ts (scripts/build-dts.ts refuses that).
 *
 * Adding an area: one line per shape users name, e.g.
 *   export type Account = RouterOutputs['accounts']['byId'];
 */
import type { RouterInputs, RouterOutputs } from '@fo/server';

export type {
  AccountSubtype,
  AccountType,
  AssetClass,
  CostBasisMethod,
  ErrorReason,
  IsoDate,
  PropertyType,
  RiskTolerance,
  Scope,
  SyncStatus,
  TaskStatus,
  TrackingMode,
  TransactionType,
} from '@fo/schema';

// system
export type SystemInfo = RouterOutputs['system']['info'];

// accounts
export type Account = RouterOutputs['accounts']['byId'];
export type AccountPage = RouterOutputs['accounts']['list'];
export type AccountBalance = RouterOutputs['accounts']['balanceHistory']['items'][number];
export type AccountCreateInput = RouterInputs['accounts']['create'];
export type AccountUpdateInput = RouterInputs['accounts']['update'];
export type AccountListInput = RouterInputs['accounts']['list'];
export type RecordBalanceInput = RouterInputs['accounts']['recordBalance'];

// portfolio
/** The target allocation in force (`source: 'user' | 'default'`) that the `rebalance` agent steers towards. */
export type TargetAllocation = RouterOutputs['portfolio']['targetAllocation']['get'];
export type SetTargetAllocationInput = RouterInputs['portfolio']['targetAllocation']['set'];

// tasks
/** A task with its input and result, narrowed by `type`. */
export type Task = RouterOutputs['tasks']['byId'];
export type TaskType = Task['type'];
/** A task of one type, e.g. `TaskOf<'portfolio_analysis'>`: `result` is that type's result. */
export type TaskOf<T extends TaskType> = Extract<Task, { type: T }>;
/** The stored result of a task type, e.g. `TaskResultOf<'rebalance'>`. */
export type TaskResultOf<T extends TaskType> = NonNullable<TaskOf<T>['result']>;
export type TaskSummary = RouterOutputs['tasks']['list']['items'][number];
export type TaskSchedule = RouterOutputs['tasks']['schedules']['list']['items'][number];
export type TaskWorker = RouterOutputs['tasks']['workers']['items'][number];
export type CreateTaskInput = RouterInputs['tasks']['create'];
/** One event of `tasks.onUpdate`. */
export type TaskUpdate = RouterOutputs['tasks']['onUpdate'] extends AsyncIterable<infer U> ? U : never;

/** The input of a procedure, e.g. `Input<'accounts', 'create'>`. */
export type Input<
  Area extends keyof RouterInputs,
  Verb extends keyof RouterInputs[Area],
> = RouterInputs[Area][Verb];

/** The output of a procedure, e.g. `Output<'system', 'info'>`. */
export type Output<
  Area extends keyof RouterOutputs,
  Verb extends keyof RouterOutputs[Area],
> = RouterOutputs[Area][Verb];

// transactions (the ledger)
export type Transaction = RouterOutputs['transactions']['byId'];
export type TransactionPage = RouterOutputs['transactions']['list'];
export type TransactionCreateInput = RouterInputs['transactions']['create'];
export type TransactionUpdateInput = RouterInputs['transactions']['update'];
export type TransactionListInput = RouterInputs['transactions']['list'];
export type TransactionImportInput = RouterInputs['transactions']['import'];
export type TransactionImportResult = RouterOutputs['transactions']['import'];
export type RealizedGains = RouterOutputs['transactions']['realizedGains'];
export type HoldingLots = RouterOutputs['holdings']['lots'];
export type TaxLot = HoldingLots['lots'][number];
export type ReconcileResult = RouterOutputs['accounts']['reconcile'];
export type Reconciliation = RouterOutputs['accounts']['completeReconciliation'];

// plaid (linked institutions)
export type PlaidItem = RouterOutputs['plaid']['items']['items'][number];
export type PlaidLinkedAccount = PlaidItem['accounts'][number];
export type PlaidLinkToken = RouterOutputs['plaid']['createLinkToken'];
export type PlaidExchangeResult = RouterOutputs['plaid']['exchangePublicToken'];
export type PlaidSyncNowResult = RouterOutputs['plaid']['syncNow'];
export type PlaidSyncResult = TaskResultOf<'plaid_sync'>;
