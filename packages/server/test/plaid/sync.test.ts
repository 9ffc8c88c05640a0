/**
 * The plaid_sync task, run by a real worker with the real `plaid` client against the fake Plaid
 * server: first and incremental syncs, a sync that fails half-way and resumes, pages applied
 * twice, removed and pending→posted transactions, pagination restarts, re-authentication,
 * rate limits, and the scheduled sweep.
 */
import { Decimal, todayIso } from '@fo/schema';
import { Products, InvestmentTransactionSubtype as Sub, InvestmentTransactionType as Type } from 'plaid';
import { describe, expect, it } from 'vitest';
import { enqueueDuePlaidSyncs } from '../../src/services/plaid/queue.js';
import { newUser } from '../support/accounts-factories.js';
import { makeHolding, makeInvestmentTransaction, makeSecurity } from '../support/fake-plaid/fixtures.js';
import { usePlaid } from '../support/plaid.js';
import { accountFor, finished, startPlaidWorker, transactionsOf } from '../support/plaid-flows.js';
import { eventually, taskRow } from '../support/tasks-factories.js';

const PAGE = 2;

describe('plaid_sync', () => {
  const plaid = usePlaid({ transactionsPageSize: PAGE });

  /** A user with a linked item whose checking and credit card accounts have some history at Plaid. */
  async function setUp(transactions = 5) {
    const fixture = await newUser();
    const item = plaid.fake.createItem({ products: [Products.Transactions] });
    const checking = plaid.fake.account(item.itemId, 'Plaid Checking').account_id;
    const card = plaid.fake.account(item.itemId, 'Plaid Credit Card').account_id;
    const base = [
      {
        account_id: checking,
        amount: 6.33,
        date: '2026-11-02',
        name: 'Uber 072515 SF**POOL**',
        merchant_name: 'Uber',
      },
      { account_id: checking, amount: -1500, date: '2026-11-03', name: 'ACME PAYROLL' },
      {
        account_id: checking,
        amount: 12,
        date: '2026-11-04',
        name: 'MONTHLY SERVICE FEE',
        category: { primary: 'BANK_FEES', detailed: 'BANK_FEES_OTHER_BANK_FEES' },
      },
      {
        account_id: checking,
        amount: -0.42,
        date: '2026-11-05',
        name: 'INTRST PYMNT',
        category: { primary: 'INCOME', detailed: 'INCOME_INTEREST_EARNED' },
      },
      { account_id: card, amount: 89.4, date: '2026-11-07', name: 'SparkFun', merchant_name: 'SparkFun' },
    ];
    const extra = Array.from({ length: Math.max(0, transactions - base.length) }, (_, i) => ({
      account_id: checking,
      amount: 10 + i,
      date: '2026-11-10',
      name: `Purchase ${i}`,
    }));
    const txns = plaid.fake.addTransactions(item.itemId, [...base, ...extra].slice(0, transactions));
    const { item: view, taskId } = await fixture.caller.plaid.exchangePublicToken({
      publicToken: plaid.fake.publicTokenFor(item.itemId),
    });
    return { ...fixture, item, txns, id: view.id, taskId };
  }

  async function syncNowAndWait(ctx: Awaited<ReturnType<typeof setUp>>) {
    const { taskId } = await ctx.caller.plaid.syncNow({ id: ctx.id });
    await using _w = await startPlaidWorker(ctx.db);
    const row = await finished(ctx.db, taskId);
    return { row, task: await ctx.caller.tasks.byId({ id: taskId }) };
  }

  it('first sync: accounts and balances, cash transactions as ledger rows, status ok', async () => {
    const ctx = await setUp();
    const { caller, db } = ctx;
    await using _w = await startPlaidWorker(db);
    const row = await finished(db, ctx.taskId);
    expect(row.last_error).toBeNull();
    expect(row.status).toBe('succeeded');
    const task = await caller.tasks.byId({ id: ctx.taskId });
    if (task.type !== 'plaid_sync' || !task.result) throw new Error('expected a plaid_sync result');
    expect(task.result).toEqual({
      status: 'ok',
      accounts: { created: 0, updated: 5 },
      // Checking, saving, credit card and mortgage keep balances; the IRA is valued by its holdings.
      balancesRecorded: 4,
      transactions: { added: 5, modified: 0, removed: 0, pages: 3 },
      investments: null,
      holdingDifferences: [],
      warnings: [],
    });

    const checking = await accountFor(db, plaid.fake, ctx.item, 'Plaid Checking');
    expect(await transactionsOf(db, checking.id)).toEqual(
      [
        { id: ctx.txns[0]!, type: 'withdrawal', amount: '-6.33', date: '2026-11-02', description: 'Uber' },
        {
          id: ctx.txns[1]!,
          type: 'deposit',
          amount: '1500',
          date: '2026-11-03',
          description: 'ACME PAYROLL',
        },
        {
          id: ctx.txns[2]!,
          type: 'fee',
          amount: '-12',
          date: '2026-11-04',
          description: 'MONTHLY SERVICE FEE',
        },
        {
          id: ctx.txns[3]!,
          type: 'interest',
          amount: '0.42',
          date: '2026-11-05',
          description: 'INTRST PYMNT',
        },
      ].map((t) => ({
        provider_transaction_id: t.id.transaction_id,
        type: t.type,
        amount: new Decimal(t.amount).toFixed(8),
        trade_date: t.date,
        pending: false,
        description: t.description,
      })),
    );
    const card = await accountFor(db, plaid.fake, ctx.item, 'Plaid Credit Card');
    expect((await transactionsOf(db, card.id)).map((t) => [t.type, t.amount])).toEqual([
      ['withdrawal', '-89.40000000'],
    ]);

    // Balances: the account's balance and its history (source sync).
    const view = await caller.accounts.byId({ id: checking.id });
    expect(view.balance.toFixed(2)).toBe('110.00');
    expect(view.balanceAsOf).toBe(todayIso());
    expect(view.sync.status).toBe('ok');
    const history = await caller.accounts.balanceHistory({ accountId: checking.id });
    expect(history.items.map((b) => [b.date, b.balance.toFixed(2), b.source])).toEqual([
      [todayIso(), '110.00', 'sync'],
    ]);
    expect((await caller.accounts.byId({ id: card.id })).balance.toFixed(2)).toBe('410.00');

    const [item] = (await caller.plaid.items()).items;
    expect(item).toMatchObject({ status: 'ok', lastErrorCode: null, lastErrorMessage: null });
    expect(item!.lastSyncedAt).toBeInstanceOf(Date);
    expect(item!.nextSyncAt!.getTime()).toBeGreaterThan(Date.now() + 5.9 * 3600_000);
    expect(item!.accounts.every((a) => a.syncStatus === 'ok' && a.lastSyncedAt instanceof Date)).toBe(true);
    // Net worth follows: 110 + 210 cash, 410 card and 56,302.06 mortgage owed.
    const netWorth = await caller.portfolio.netWorth({});
    expect(netWorth.netWorth.toFixed(2)).toBe('-56392.06');
  });

  it('incremental sync: from the stored cursor, with added, modified and removed applied', async () => {
    const ctx = await setUp();
    const { db } = ctx;
    {
      await using _w = await startPlaidWorker(db);
      await finished(db, ctx.taskId);
    }
    const cursor = (await db('plaid_items').where({ id: ctx.id }).first()).transactions_cursor as string;
    expect(cursor).toBeTruthy();
    const checking = plaid.fake.account(ctx.item.itemId, 'Plaid Checking').account_id;
    const [added] = plaid.fake.addTransactions(ctx.item.itemId, [
      { account_id: checking, amount: 42, date: '2026-11-12', name: 'Hardware store' },
    ]);
    plaid.fake.modifyTransaction(ctx.item.itemId, ctx.txns[0]!.transaction_id, { amount: 7.25 });
    plaid.fake.removeTransactions(ctx.item.itemId, [ctx.txns[2]!.transaction_id]);
    const syncCallsBefore = plaid.fake.calls('/transactions/sync').length;

    const { row, task } = await syncNowAndWait(ctx);
    expect(row.status).toBe('succeeded');
    if (task.type !== 'plaid_sync' || !task.result) throw new Error('expected a plaid_sync result');
    expect(task.result.transactions).toEqual({ added: 1, modified: 1, removed: 1, pages: 2 });
    expect(task.input.reason).toBe('manual');
    // It asked from the stored cursor, not from the beginning.
    expect(plaid.fake.calls('/transactions/sync')[syncCallsBefore]!.body.cursor).toBe(cursor);

    const account = await accountFor(db, plaid.fake, ctx.item, 'Plaid Checking');
    const stored = await transactionsOf(db, account.id);
    expect(stored.map((t) => t.provider_transaction_id).sort()).toEqual(
      [ctx.txns[0]!, ctx.txns[1]!, ctx.txns[3]!, added!].map((t) => t.transaction_id).sort(),
    );
    expect(stored.find((t) => t.provider_transaction_id === ctx.txns[0]!.transaction_id)!.amount).toBe(
      '-7.25000000',
    );
  });

  it('a sync that fails on page 3 resumes from the last page applied: nothing missing, nothing twice', async () => {
    const ctx = await setUp(9); // 5 pages of 2
    const { db } = ctx;
    // Page 3 fails with a 500; the retry is held back long enough to look at the state between.
    plaid.fake.failNext('/transactions/sync', 'INTERNAL_SERVER_ERROR', { skip: 2 });
    await using _w = await startPlaidWorker(db, { retryBaseMs: 60_000, retryMaxMs: 60_000 });
    const retrying = await eventually(async () => {
      const row = await taskRow(db, ctx.taskId);
      return row.status === 'queued' && row.attempts === 1 ? row : undefined;
    });
    expect(retrying.last_error).toMatch(/INTERNAL_SERVER_ERROR/);
    const between = await db('plaid_items').where({ id: ctx.id }).first();
    expect(between).toMatchObject({ status: 'error', last_error_code: 'INTERNAL_SERVER_ERROR' });
    const afterTwoPages = await db('transactions').where({ user_id: ctx.user.id });
    expect(afterTwoPages).toHaveLength(4);
    const calls = plaid.fake.calls('/transactions/sync');
    // The cursor stored is the one page 3 was asked with.
    expect(between.transactions_cursor).toBe(calls.at(-1)!.body.cursor);

    await db('agent_tasks').where({ id: ctx.taskId }).update({ run_at: db.fn.now() });
    const done = await finished(db, ctx.taskId);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2 });
    // The retry asked from the stored cursor again.
    expect(plaid.fake.calls('/transactions/sync')[calls.length]!.body.cursor).toBe(
      between.transactions_cursor,
    );
    const all = await db('transactions').where({ user_id: ctx.user.id }).select('provider_transaction_id');
    expect(all.map((t) => t.provider_transaction_id).sort()).toEqual(
      ctx.txns.map((t) => t.transaction_id).sort(),
    );
    expect((await db('plaid_items').where({ id: ctx.id }).first()).status).toBe('ok');
  });

  it('pages applied again (a cursor from before them) leave one row per transaction: the database dedupes', async () => {
    const ctx = await setUp(6);
    const { db } = ctx;
    {
      await using _w = await startPlaidWorker(db);
      await finished(db, ctx.taskId);
    }
    const before = await db('transactions').where({ user_id: ctx.user.id }).orderBy('id');
    await db('plaid_items').where({ id: ctx.id }).update({ transactions_cursor: null });
    const { task } = await syncNowAndWait(ctx);
    if (task.type !== 'plaid_sync' || !task.result) throw new Error('expected a plaid_sync result');
    expect(task.result.transactions).toEqual({ added: 0, modified: 6, removed: 0, pages: 3 });
    const after = await db('transactions').where({ user_id: ctx.user.id }).orderBy('id');
    expect(after.map((t) => [t.id, t.provider_transaction_id, t.amount])).toEqual(
      before.map((t) => [t.id, t.provider_transaction_id, t.amount]),
    );
  });

  it('removed transactions leave the ledger, and the cash of an account that tracks transactions follows', async () => {
    const { caller, db, user } = await newUser();
    const item = plaid.fake.createItem({ products: [Products.Transactions] });
    const ira = plaid.fake.account(item.itemId, 'Plaid IRA').account_id;
    const txns = plaid.fake.addTransactions(item.itemId, [
      { account_id: ira, amount: -5000, date: '2026-11-02', name: 'CONTRIBUTION' },
      {
        account_id: ira,
        amount: 25,
        date: '2026-11-03',
        name: 'ACCOUNT FEE',
        category: { primary: 'BANK_FEES', detailed: 'BANK_FEES_OTHER_BANK_FEES' },
      },
    ]);
    const { taskId, item: view } = await caller.plaid.exchangePublicToken({
      publicToken: plaid.fake.publicTokenFor(item.itemId),
    });
    await using _w = await startPlaidWorker(db);
    await finished(db, taskId);
    const account = await accountFor(db, plaid.fake, item, 'Plaid IRA');
    expect(await caller.accounts.byId({ id: account.id })).toMatchObject({
      type: 'retirement',
      trackingMode: 'transactions',
    });
    expect((await caller.accounts.byId({ id: account.id })).balance.toFixed(2)).toBe('4975.00');

    plaid.fake.removeTransactions(item.itemId, [txns[1]!.transaction_id]);
    const again = await caller.plaid.syncNow({ id: view.id });
    await finished(db, again.taskId);
    expect((await transactionsOf(db, account.id)).map((t) => t.provider_transaction_id)).toEqual([
      txns[0]!.transaction_id,
    ]);
    expect((await caller.accounts.byId({ id: account.id })).balance.toFixed(2)).toBe('5000.00');
    expect(await db('transactions').where({ user_id: user.id })).toHaveLength(1);
  });

  it('a pending transaction that posts is updated in place with the posted id and amount', async () => {
    const ctx = await setUp(0);
    const { db } = ctx;
    const checking = plaid.fake.account(ctx.item.itemId, 'Plaid Checking').account_id;
    const [pending] = plaid.fake.addTransactions(ctx.item.itemId, [
      { account_id: checking, amount: 25, date: '2026-11-20', name: 'Corner Bistro', pending: true },
    ]);
    await using _w = await startPlaidWorker(db);
    await finished(db, ctx.taskId);
    const account = await accountFor(db, plaid.fake, ctx.item, 'Plaid Checking');
    const [first] = await db('transactions').where({ account_id: account.id });
    expect(first).toMatchObject({
      provider_transaction_id: pending!.transaction_id,
      pending: true,
      amount: '-25.00000000',
    });

    const posted = plaid.fake.postPending(ctx.item.itemId, pending!.transaction_id, {
      amount: 29.5,
      date: '2026-11-21',
    });
    const { taskId } = await ctx.caller.plaid.syncNow({ id: ctx.id });
    await finished(db, taskId);
    const task = await ctx.caller.tasks.byId({ id: taskId });
    if (task.type !== 'plaid_sync' || !task.result) throw new Error('expected a plaid_sync result');
    expect(task.result.transactions).toMatchObject({ added: 0, modified: 1, removed: 0 });
    const rows = await db('transactions').where({ account_id: account.id });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: first.id,
      provider_transaction_id: posted.transaction_id,
      pending: false,
      amount: '-29.50000000',
      trade_date: '2026-11-21',
    });
  });

  it('restarts a page from its starting cursor when Plaid reports a mutation during pagination', async () => {
    const ctx = await setUp(5);
    const { db } = ctx;
    const before = plaid.fake.calls('/transactions/sync').length;
    plaid.fake.failNext('/transactions/sync', 'TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION', { skip: 1 });
    await using _w = await startPlaidWorker(db);
    const row = await finished(db, ctx.taskId);
    expect(row).toMatchObject({ status: 'succeeded', attempts: 1 });
    const calls = plaid.fake.calls('/transactions/sync').slice(before);
    // Page 1, page 2 (refused), page 2 again from the same cursor, page 3.
    expect(calls).toHaveLength(4);
    expect(calls[2]!.body.cursor).toBe(calls[1]!.body.cursor);
    expect(await db('transactions').where({ user_id: ctx.user.id })).toHaveLength(5);
  });

  it('ITEM_LOGIN_REQUIRED: requires_reauth, no retries, no scheduled syncs; after update-mode re-link the sync succeeds', async () => {
    const ctx = await setUp(2);
    const { caller, db } = ctx;
    await using _w = await startPlaidWorker(db);
    await finished(db, ctx.taskId);

    plaid.fake.setItemError(ctx.item.itemId, 'ITEM_LOGIN_REQUIRED');
    const { taskId } = await caller.plaid.syncNow({ id: ctx.id });
    const failed = await finished(db, taskId);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, max_attempts: 5 });
    expect(failed.last_error).toMatch(/ITEM_LOGIN_REQUIRED/);
    const [item] = (await caller.plaid.items()).items;
    expect(item).toMatchObject({ status: 'requires_reauth', lastErrorCode: 'ITEM_LOGIN_REQUIRED' });
    expect(item!.lastErrorMessage).toMatch(/login details of this item have changed/);
    expect(item!.accounts.every((a) => a.syncStatus === 'requires_reauth')).toBe(true);
    // The sweep leaves it alone, however overdue.
    await db('plaid_items')
      .where({ id: ctx.id })
      .update({ next_sync_at: new Date(Date.now() - 3600_000) });
    expect(await enqueueDuePlaidSyncs(db)).toBe(0);
    expect(await db('agent_tasks').where({ type: 'plaid_sync', status: 'queued' })).toEqual([]);

    // The owner signs in again through Link's update mode, then asks for a sync.
    const link = await caller.plaid.createLinkToken({ itemId: ctx.id });
    expect(link.mode).toBe('update');
    plaid.fake.setItemError(ctx.item.itemId, null);
    const relinked = await caller.plaid.exchangePublicToken({
      publicToken: plaid.fake.publicTokenFor(ctx.item.itemId),
    });
    expect(relinked.item).toMatchObject({ id: ctx.id, status: 'idle', lastErrorCode: null });
    const done = await finished(db, relinked.taskId);
    expect(done.status).toBe('succeeded');
    expect((await caller.tasks.byId({ id: relinked.taskId })).input).toEqual({
      plaidItemId: ctx.id,
      reason: 'relink',
    });
    expect((await caller.plaid.items()).items[0]).toMatchObject({ status: 'ok', lastErrorCode: null });
  });

  it('after re-authentication, plaid.syncNow alone resumes the item', async () => {
    const ctx = await setUp(1);
    const { caller, db } = ctx;
    plaid.fake.setItemError(ctx.item.itemId, 'ITEM_LOGIN_REQUIRED');
    await using _w = await startPlaidWorker(db);
    expect((await finished(db, ctx.taskId)).status).toBe('failed');
    expect((await caller.plaid.items()).items[0]!.status).toBe('requires_reauth');
    plaid.fake.setItemError(ctx.item.itemId, null);
    const { taskId } = await caller.plaid.syncNow({ id: ctx.id });
    expect((await finished(db, taskId)).status).toBe('succeeded');
    expect((await caller.plaid.items()).items[0]).toMatchObject({ status: 'ok', lastErrorCode: null });
    expect(await db('transactions').where({ user_id: ctx.user.id })).toHaveLength(1);
  });

  it('a rate limit is retried with backoff, then the sync completes', async () => {
    const ctx = await setUp(3);
    const { caller, db } = ctx;
    plaid.fake.failNext('/accounts/get', 'RATE_LIMIT_EXCEEDED');
    await using _w = await startPlaidWorker(db);
    const row = await finished(db, ctx.taskId);
    expect(row).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect((await caller.plaid.items()).items[0]).toMatchObject({ status: 'ok', lastErrorCode: null });
    expect(await db('transactions').where({ user_id: ctx.user.id })).toHaveLength(3);
  });

  it('the sweep enqueues items whose next sync is due, once, and workers run it', async () => {
    const ctx = await setUp(1);
    const { db } = ctx;
    await db('agent_tasks')
      .where({ id: ctx.taskId })
      .update({ status: 'succeeded', finished_at: db.fn.now() });
    expect(await enqueueDuePlaidSyncs(db)).toBe(0);
    await db('plaid_items')
      .where({ id: ctx.id })
      .update({ next_sync_at: new Date(Date.now() - 1000) });
    await using _w = await startPlaidWorker(db);
    const task = await eventually(async () =>
      db('agent_tasks')
        .where({ type: 'plaid_sync', status: 'succeeded' })
        .whereNot({ id: ctx.taskId })
        .first(),
    );
    expect(task.input).toEqual({ plaidItemId: ctx.id, reason: 'scheduled' });
    const item = await db('plaid_items').where({ id: ctx.id }).first();
    expect(item.next_sync_at.getTime()).toBeGreaterThan(Date.now() + 5.9 * 3600_000);
    expect(await db('agent_tasks').where({ type: 'plaid_sync' })).toHaveLength(2);
  });

  it('with the investments product: investment transactions into the ledger, holdings reconciled on the item', async () => {
    const { caller, db } = await newUser();
    const item = plaid.fake.createItem({ products: [Products.Transactions, Products.Investments] });
    const ira = plaid.fake.account(item.itemId, 'Plaid IRA').account_id;
    const vti = makeSecurity({
      ticker: 'VTI',
      name: 'Vanguard Total Stock Market ETF',
      type: 'etf',
      closePrice: 250,
    });
    plaid.fake.setInvestments(item.itemId, {
      securities: [vti],
      holdings: [makeHolding(ira, vti, 12, 250, 2400)],
      transactions: [
        makeInvestmentTransaction({
          account_id: ira,
          security_id: null,
          date: '2026-10-01',
          name: 'CONTRIBUTION',
          type: Type.Cash,
          subtype: Sub.Contribution,
          quantity: 0,
          price: 0,
          amount: -3000,
        }),
        makeInvestmentTransaction({
          account_id: ira,
          security_id: vti.security_id,
          date: '2026-10-02',
          name: 'BUY VTI',
          type: Type.Buy,
          subtype: Sub.Buy,
          quantity: 10,
          price: 200,
          amount: 2000,
        }),
      ],
    });
    // The same contribution as /transactions/sync shows it: imported once, from the investments.
    plaid.fake.addTransactions(item.itemId, [
      { account_id: ira, amount: -3000, date: '2026-10-01', name: 'CONTRIBUTION' },
    ]);
    const { item: view, taskId } = await caller.plaid.exchangePublicToken({
      publicToken: plaid.fake.publicTokenFor(item.itemId),
    });
    await using _w = await startPlaidWorker(db);
    expect((await finished(db, taskId)).last_error).toBeNull();
    const task = await caller.tasks.byId({ id: taskId });
    if (task.type !== 'plaid_sync' || !task.result) throw new Error('expected a plaid_sync result');
    const account = await accountFor(db, plaid.fake, item, 'Plaid IRA');
    expect(task.result.investments).toEqual({
      transactionsAdded: 2,
      syncedThrough: todayIso(),
      skipped: 0,
      openingPositions: 0,
    });
    const difference = { accountId: account.id, symbol: 'VTI', plaidQuantity: '12', ledgerQuantity: '10' };
    expect(task.result.holdingDifferences).toEqual([difference]);
    expect(task.result.transactions).toMatchObject({ added: 0 });
    expect(task.result.warnings).toEqual([
      '1 transaction skipped, investment account (imported with its investment transactions)',
    ]);
    expect((await caller.accounts.byId({ id: account.id })).balance.toFixed(2)).toBe('1000.00');
    const [listed] = (await caller.plaid.items()).items;
    expect(listed!.id).toBe(view.id);
    expect(listed!.reconciliation?.differences).toEqual([difference]);
    expect(listed!.reconciliation?.checkedAt).toBeInstanceOf(Date);
  });

  it('skips, with warnings, transactions of closed accounts and transactions of zero', async () => {
    const ctx = await setUp(0);
    const { caller, db } = ctx;
    const checking = plaid.fake.account(ctx.item.itemId, 'Plaid Checking').account_id;
    const saving = plaid.fake.account(ctx.item.itemId, 'Plaid Saving').account_id;
    plaid.fake.addTransactions(ctx.item.itemId, [
      { account_id: checking, amount: 0, date: '2026-11-03', name: 'CARD VERIFICATION' },
      { account_id: checking, amount: 20, date: '2026-11-03', name: 'Bookshop' },
      { account_id: saving, amount: -100, date: '2026-11-04', name: 'TRANSFER IN' },
      { account_id: saving, amount: -50, date: '2026-11-05', name: 'TRANSFER IN' },
    ]);
    const savingAccount = await accountFor(db, plaid.fake, ctx.item, 'Plaid Saving');
    await caller.accounts.close({ id: savingAccount.id });
    await using _w = await startPlaidWorker(db);
    await finished(db, ctx.taskId);
    const task = await caller.tasks.byId({ id: ctx.taskId });
    if (task.type !== 'plaid_sync' || !task.result) throw new Error('expected a plaid_sync result');
    expect(task.result.transactions).toMatchObject({ added: 1 });
    expect(task.result.warnings.sort()).toEqual([
      '1 transaction skipped, amount of zero (no cash moved)',
      '2 transactions skipped, account closed',
    ]);
    expect(await db('transactions').where({ account_id: savingAccount.id })).toEqual([]);
  });

  it('a plaid_sync task naming another user’s item fails permanently and changes nothing', async () => {
    const owner = await setUp(1);
    const intruder = await newUser();
    await owner.db('agent_tasks').where({ id: owner.taskId }).update({ status: 'succeeded' });
    const before = await owner.db('plaid_items').where({ id: owner.id }).first();
    const task = await intruder.caller.tasks.create({ type: 'plaid_sync', input: { plaidItemId: owner.id } });
    await using _w = await startPlaidWorker(owner.db);
    const row = await finished(owner.db, task.id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.last_error).toMatch(/not found/);
    expect(await owner.db('plaid_items').where({ id: owner.id }).first()).toEqual(before);
    expect(await owner.db('transactions')).toEqual([]);
  });
});
