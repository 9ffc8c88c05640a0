/**
 * transactions.import: all or nothing, idempotent by externalId, errors by row, dry runs that
 * write nothing; and the SDK's CSV import over the real HTTP server.
 */
import { importCsv, parseCsv, rowsFromCsv } from '@fo/sdk';
import { describe, expect, it } from 'vitest';
import { createUserWithSession } from '../support/auth-factories.js';
import { getTestDb } from '../support/db.js';
import { expectTRPCError } from '../support/expect-error.js';
import { startTestServer } from '../support/http.js';
import { brokerage, holdingOf, ledgerUser } from '../support/ledger-factories.js';

const rows = [
  { type: 'deposit' as const, tradeDate: '2024-01-02', amount: '10000', externalId: 'd-1' },
  {
    type: 'buy' as const,
    symbol: 'AAPL',
    tradeDate: '2024-01-03',
    quantity: '20',
    price: '185.5',
    fees: '1',
    externalId: 'b-1',
  },
  {
    type: 'sell' as const,
    symbol: 'AAPL',
    tradeDate: '2024-02-01',
    quantity: '5',
    price: '190',
    fees: '1',
    externalId: 's-1',
  },
  { type: 'dividend' as const, symbol: 'AAPL', tradeDate: '2024-02-15', amount: '3.6', externalId: 'v-1' },
];

describe('transactions.import', () => {
  it('creates, then skips everything as duplicates on a second run', async () => {
    const { caller } = await ledgerUser();
    const account = await brokerage(caller);
    const first = await caller.transactions.import({ accountId: account.id, rows });
    expect(first).toEqual({ dryRun: false, committed: true, created: 4, skippedDuplicates: 0, errors: [] });
    const second = await caller.transactions.import({ accountId: account.id, rows });
    expect(second).toEqual({ dryRun: false, committed: true, created: 0, skippedDuplicates: 4, errors: [] });
    expect((await holdingOf(caller, account.id, 'AAPL'))?.quantity.toFixed()).toBe('15');
    // 10000 − (20 × 185.5 + 1) + (5 × 190 − 1) + 3.6
    expect((await caller.accounts.byId({ id: account.id })).balance.toFixed()).toBe('7241.6');
    // A repeat inside one batch is a duplicate too.
    const again = await caller.transactions.import({
      accountId: account.id,
      rows: [
        { type: 'deposit', tradeDate: '2024-03-01', amount: '1', externalId: 'd-2' },
        { type: 'deposit', tradeDate: '2024-03-01', amount: '1', externalId: 'd-2' },
      ],
    });
    expect([again.created, again.skippedDuplicates]).toEqual([1, 1]);
  });

  it('lists every bad row and writes nothing', async () => {
    const { caller, db } = await ledgerUser();
    const account = await brokerage(caller);
    const result = await caller.transactions.import({
      accountId: account.id,
      rows: [
        rows[0]!,
        { type: 'buy', tradeDate: '2024-01-03', quantity: '1', price: '1', externalId: 'x-1' },
        { type: 'withdrawal', tradeDate: '2024-01-04', amount: '50', externalId: 'x-2' },
      ],
    });
    expect(result.committed).toBe(false);
    expect(result.created).toBe(0);
    expect(result.errors.map((e) => [e.row, e.field])).toEqual([
      [2, 'symbol'],
      [3, 'amount'],
    ]);
    expect(await db('transactions').where('account_id', account.id).count({ n: '*' }).first()).toEqual({
      n: 0,
    });
  });

  it('reports an oversell at its row, and writes nothing', async () => {
    const { caller, db } = await ledgerUser();
    const account = await brokerage(caller);
    const result = await caller.transactions.import({
      accountId: account.id,
      rows: [
        rows[1]!,
        {
          type: 'sell',
          symbol: 'AAPL',
          tradeDate: '2024-01-05',
          quantity: '25',
          price: '190',
          externalId: 's-9',
        },
      ],
    });
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ row: 2, field: 'quantity' });
    expect(result.errors[0]?.message).toContain('holds 20');
    expect(await db('transactions').where('account_id', account.id).count({ n: '*' }).first()).toEqual({
      n: 0,
    });
    expect(await db('assets').where('account_id', account.id).count({ n: '*' }).first()).toEqual({ n: 0 });
  });

  it('a dry run reports exactly what would happen and writes nothing', async () => {
    const { caller, db } = await ledgerUser();
    const account = await brokerage(caller);
    await caller.transactions.import({ accountId: account.id, rows: rows.slice(0, 2) });
    const before = await db('transactions').where('account_id', account.id).count({ n: '*' }).first();
    const dry = await caller.transactions.import({ accountId: account.id, rows, dryRun: true });
    expect(dry).toEqual({ dryRun: true, committed: false, created: 2, skippedDuplicates: 2, errors: [] });
    expect(await db('transactions').where('account_id', account.id).count({ n: '*' }).first()).toEqual(
      before,
    );
    expect((await holdingOf(caller, account.id, 'AAPL'))?.quantity.toFixed()).toBe('20');
    const dryBad = await caller.transactions.import({
      accountId: account.id,
      rows: [
        {
          type: 'sell',
          symbol: 'AAPL',
          tradeDate: '2024-02-01',
          quantity: '50',
          price: '1',
          externalId: 'z',
        },
      ],
      dryRun: true,
    });
    expect(dryBad.errors.map((e) => e.field)).toEqual(['quantity']);
  });

  it('refuses more than 10,000 rows', async () => {
    const { caller } = await ledgerUser();
    const account = await brokerage(caller);
    const many = Array.from({ length: 10_001 }, (_, i) => ({
      type: 'deposit' as const,
      tradeDate: '2024-01-02',
      amount: '1',
      externalId: `d-${i}`,
    }));
    const err = await expectTRPCError(
      caller.transactions.import({ accountId: account.id, rows: many }),
      'BAD_REQUEST',
    );
    expect(err.fields).toContain('rows');
  });

  it('takes 10,000 rows in one call', async () => {
    const { caller } = await ledgerUser();
    const account = await brokerage(caller);
    const many = Array.from({ length: 10_000 }, (_, i) => {
      const day = String(1 + (i % 28)).padStart(2, '0');
      const month = String(1 + Math.floor(i / 1000)).padStart(2, '0');
      return i % 2 === 0
        ? {
            type: 'buy' as const,
            symbol: `S${i % 20}`,
            tradeDate: `2024-${month}-${day}`,
            quantity: '2',
            price: '10',
            externalId: `r-${i}`,
          }
        : {
            type: 'sell' as const,
            symbol: `S${(i - 1) % 20}`,
            tradeDate: `2024-${month}-${day}`,
            quantity: '1',
            price: '11',
            externalId: `r-${i}`,
          };
    });
    const result = await caller.transactions.import({ accountId: account.id, rows: many });
    expect([result.committed, result.created, result.errors]).toEqual([true, 10_000, []]);
    // S0: 500 buys of 2 and 500 sells of 1.
    expect((await holdingOf(caller, account.id, 'S0'))?.quantity.toFixed()).toBe('500');
  });
});

describe('CSV parsing (SDK)', () => {
  it('handles quotes, doubled quotes, CRLF and line breaks inside quotes', () => {
    expect(parseCsv('a,b,c\r\n"x, y","say ""hi""","two\nlines"\r\n1,,3\n')).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'two\nlines'],
      ['1', '', '3'],
    ]);
  });

  it('maps broker columns, numbers and dates, and names bad lines', () => {
    const csv = [
      'Date,Action,Symbol,Quantity,Price,Fees,Amount,ID',
      '01/03/2024,Bought,AAPL,10,"$1,185.50",$1.00,"($11,856.00)",T1',
      '01/04/2024,Mystery,AAPL,1,1,0,1,T2',
      '13/45/2024,Bought,AAPL,1,1,0,(1),T3',
    ].join('\n');
    const out = rowsFromCsv(csv, {
      date: 'Date',
      type: 'Action',
      symbol: 'Symbol',
      quantity: 'Quantity',
      price: 'Price',
      fees: 'Fees',
      amount: 'Amount',
      externalId: 'ID',
      types: { bought: 'buy' },
      dateFormat: 'MM/DD/YYYY',
    });
    expect(out.rows[0]).toEqual({
      type: 'buy',
      tradeDate: '2024-01-03',
      symbol: 'AAPL',
      quantity: '10',
      price: '1185.50',
      fees: '1.00',
      amount: '-11856.00',
      externalId: 'T1',
    });
    expect(out.errors.map((e) => [e.line, e.field])).toEqual([
      [3, 'type'],
      [4, 'date'],
    ]);
  });
});

describe('over HTTP with the SDK', () => {
  it('creates, lists and imports a CSV twice (the second run creates nothing)', async () => {
    await using server = await startTestServer();
    const db = await getTestDb();
    const { token } = await createUserWithSession(db);
    const fo = server.client(token);
    const account = await fo.accounts.create.mutate({
      name: 'Broker',
      type: 'brokerage',
      trackingMode: 'transactions',
    });
    const created = await fo.transactions.create.mutate({
      accountId: account.id,
      type: 'deposit',
      tradeDate: '2024-01-02',
      amount: '5000',
    });
    expect(created.cashEffect.toFixed()).toBe('5000');
    expect(created.createdAt).toBeInstanceOf(Date);

    const csv = [
      'Trade Date,Action,Symbol,Quantity,Price,Commission,Net Amount,Transaction ID',
      '2024-01-03,BUY,MSFT,10,370.00,1.00,-3701.00,9001',
      '2024-02-01,SELL,MSFT,4,405.00,1.00,1619.00,9002',
      '2024-02-15,DIV,MSFT,,,,3.00,9003',
    ].join('\n');
    const mapping = {
      date: 'Trade Date',
      type: 'Action',
      symbol: 'Symbol',
      quantity: 'Quantity',
      price: 'Price',
      fees: 'Commission',
      amount: 'Net Amount',
      externalId: 'Transaction ID',
      types: { div: 'dividend' as const },
    };
    const progress: number[] = [];
    const first = await importCsv(fo, {
      accountId: account.id,
      csv,
      mapping,
      batchSize: 2,
      onProgress: (p) => progress.push(p.sent),
    });
    expect([first.created, first.skippedDuplicates, first.errors]).toEqual([3, 0, []]);
    expect(progress).toEqual([2, 3]);
    const second = await importCsv(fo, { accountId: account.id, csv, mapping });
    expect([second.created, second.skippedDuplicates]).toEqual([0, 3]);

    const page = await fo.transactions.list.query({ accountId: account.id, symbol: 'MSFT' });
    expect(page.items.map((t) => t.type)).toEqual(['dividend', 'sell', 'buy']);
    const sell = page.items[1]!;
    // 4 × 405 − 1 = 1,619 proceeds; basis 4/10 × 3,701 = 1,480.40.
    expect([sell.realizedGain?.toFixed(), sell.costBasis?.toFixed()]).toEqual(['138.6', '1480.4']);
    const gains = await fo.transactions.realizedGains.query({ from: '2024-01-01', to: '2024-12-31' });
    expect(gains.totals.short.gain.toFixed()).toBe('138.6');
    expect((await fo.accounts.byId.query({ id: account.id })).balance.toFixed()).toBe('2921');
  });
});
