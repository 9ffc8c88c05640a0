/**
 * What the SDK promises at compile time, checked by `vitest --typecheck` against the workspace
 * sources (pack.test.ts checks the same promises against the published declarations).
 *
 * Adding an area: assert its outputs' Dates and Decimals and one invalid input, like `system` below.
 */
import {
  type Account,
  type AccountBalance,
  type AccountPage,
  type AccountType,
  type Client,
  createClient,
  Decimal,
  type ErrorReason,
  type Input,
  isApiError,
  type Output,
  type PlaidItem,
  type PlaidLinkToken,
  type PlaidSyncResult,
  type RecordBalanceInput,
  type RouterInputs,
  type RouterOutputs,
  type SyncStatus,
  type SystemInfo,
  type Task,
  type TaskOf,
  type TaskResultOf,
  type TaskStatus,
  type TaskUpdate,
  wire,
} from '@fo/sdk';
import type { Decimal as DecimalJs } from 'decimal.js';
import { describe, expectTypeOf, it } from 'vitest';

const fo: Client = createClient({ url: 'http://localhost:3000' });

describe('system.info', () => {
  it('returns the SystemInfo shape with a real Date', () => {
    expectTypeOf(fo.system.info.query).returns.resolves.toEqualTypeOf<SystemInfo>();
    expectTypeOf<SystemInfo>().toEqualTypeOf<{
      name: string;
      version: string;
      time: Date;
      database: { kind: 'embedded' | 'external'; serverVersion: string };
      schema: { revision: string | null; applied: number; pending: number };
    }>();
    expectTypeOf<RouterOutputs['system']['info']>().toEqualTypeOf<SystemInfo>();
    expectTypeOf<Output<'system', 'info'>>().toEqualTypeOf<SystemInfo>();
  });

  it('takes no input', () => {
    expectTypeOf<RouterInputs['system']['info']>().toEqualTypeOf<void>();
    expectTypeOf<Input<'system', 'info'>>().toEqualTypeOf<void>();
    // @ts-expect-error system.info takes no input
    fo.system.info.query({ verbose: true });
    // @ts-expect-error a query is not a mutation
    fo.system.info.mutate();
    // @ts-expect-error no such procedure
    fo.system.missing.query();
  });
});

describe('accounts', () => {
  it('returns balances as Decimals and moments as Dates', () => {
    expectTypeOf<Account['balance']>().toEqualTypeOf<DecimalJs>();
    expectTypeOf<AccountBalance['balance']>().toEqualTypeOf<DecimalJs>();
    expectTypeOf<Account['createdAt']>().toEqualTypeOf<Date>();
    expectTypeOf<Account['closedAt']>().toEqualTypeOf<Date | null>();
    expectTypeOf<Account['sync']['lastSyncedAt']>().toEqualTypeOf<Date | null>();
    expectTypeOf<Account['type']>().toEqualTypeOf<AccountType>();
    expectTypeOf(fo.accounts.list.query).returns.resolves.toEqualTypeOf<AccountPage>();
    expectTypeOf<AccountPage['items'][number]>().toEqualTypeOf<Account>();
  });

  it('accepts Decimal, decimal strings and numbers for money, and checks the rest', () => {
    expectTypeOf<RecordBalanceInput['balance']>().toEqualTypeOf<string | number | DecimalJs>();
    fo.accounts.recordBalance.mutate({ accountId: 'x', date: '2026-01-31', balance: new Decimal('10.5') });
    fo.accounts.recordBalance.mutate({ accountId: 'x', date: '2026-01-31', balance: '10.50' });
    // @ts-expect-error the account type is an enumeration
    fo.accounts.create.mutate({ name: 'Brokerage', type: 'piggy_bank' });
    // @ts-expect-error name is required
    fo.accounts.create.mutate({ type: 'brokerage' });
    // @ts-expect-error a balance is not a boolean
    fo.accounts.recordBalance.mutate({ accountId: 'x', date: '2026-01-31', balance: true });
    // @ts-expect-error byId is a query
    fo.accounts.byId.mutate({ id: 'x' });
  });
});

describe('plaid', () => {
  it('lists items with their status and dates, never a token', () => {
    expectTypeOf(fo.plaid.items.query).returns.resolves.toEqualTypeOf<{ items: PlaidItem[] }>();
    expectTypeOf<PlaidItem['status']>().toEqualTypeOf<SyncStatus>();
    expectTypeOf<PlaidItem['lastSyncedAt']>().toEqualTypeOf<Date | null>();
    expectTypeOf<PlaidItem['nextSyncAt']>().toEqualTypeOf<Date | null>();
    expectTypeOf<PlaidItem['accounts'][number]['syncStatus']>().toEqualTypeOf<SyncStatus>();
    expectTypeOf<PlaidLinkToken['expiration']>().toEqualTypeOf<Date>();
    expectTypeOf<Extract<keyof PlaidItem, `${string}oken${string}`>>().toEqualTypeOf<never>();
    expectTypeOf<PlaidSyncResult['transactions']>().toEqualTypeOf<{
      added: number;
      modified: number;
      removed: number;
      pages: number;
    }>();
  });

  it('takes an optional item for update mode and a public token to exchange', () => {
    fo.plaid.createLinkToken.mutate();
    fo.plaid.createLinkToken.mutate({ itemId: 'x' });
    fo.plaid.exchangePublicToken.mutate({ publicToken: 'public-sandbox-x' });
    // @ts-expect-error the public token is required
    fo.plaid.exchangePublicToken.mutate({});
    // @ts-expect-error syncNow names the item
    fo.plaid.syncNow.mutate();
  });
});

describe('tasks', () => {
  it("types byId's result by the task type", () => {
    expectTypeOf(fo.tasks.byId.query).returns.resolves.toEqualTypeOf<Task>();
    const task = {} as Task;
    if (task.type === 'noop') {
      expectTypeOf(task.result).toEqualTypeOf<{ ok: true; note: string | null } | null>();
      expectTypeOf(task.input).toEqualTypeOf<{ note?: string | undefined }>();
    }
    if (task.type === 'portfolio_analysis') {
      expectTypeOf(task).toEqualTypeOf<TaskOf<'portfolio_analysis'>>();
      expectTypeOf(task.result).toEqualTypeOf<TaskResultOf<'portfolio_analysis'> | null>();
      expectTypeOf<NonNullable<typeof task.result>['flags'][number]['message']>().toEqualTypeOf<string>();
    }
    expectTypeOf<Task['status']>().toEqualTypeOf<TaskStatus>();
    expectTypeOf<Task['finishedAt']>().toEqualTypeOf<Date | null>();
  });

  it("checks create's input against the type, and streams updates with Dates", () => {
    fo.tasks.create.mutate({ type: 'noop', input: { note: 'x' }, runAt: new Date(), idempotencyKey: 'k' });
    // @ts-expect-error noop's note is a string
    fo.tasks.create.mutate({ type: 'noop', input: { note: 1 } });
    // @ts-expect-error concentrationThreshold belongs to portfolio_analysis, as a number
    fo.tasks.create.mutate({ type: 'portfolio_analysis', input: { concentrationThreshold: 'high' } });
    // @ts-expect-error unknown task type
    fo.tasks.create.mutate({ type: 'nope', input: {} });
    expectTypeOf<TaskUpdate['updatedAt']>().toEqualTypeOf<Date>();
    expectTypeOf<TaskUpdate['status']>().toEqualTypeOf<TaskStatus>();
  });
});

describe('Decimal', () => {
  it('is decimal.js, and the wire format keeps it', () => {
    expectTypeOf(new Decimal('1.10')).toEqualTypeOf<DecimalJs>();
    expectTypeOf(wire.parse<{ amount: Decimal }>('{}').amount).toEqualTypeOf<DecimalJs>();
    expectTypeOf(wire.stringify).parameter(0).toBeUnknown();
  });
});

describe('errors', () => {
  it('narrows to an API error with a stable code and reason', () => {
    const err: unknown = new Error('x');
    if (isApiError(err)) {
      expectTypeOf(err.data?.reason).toEqualTypeOf<ErrorReason | null | undefined>();
      expectTypeOf(err.data?.field).toEqualTypeOf<string | null | undefined>();
      expectTypeOf(err.data?.issues).toEqualTypeOf<
        { path: (string | number)[]; message: string }[] | null | undefined
      >();
    }
  });
});
