/**
 * transactions.* through the tRPC caller: per-type validation, cash, lots and holdings kept in the
 * same transaction, oversells, back-dated changes, transfers, splits, returns of capital,
 * specific identification, short positions, list filters and keyset pagination.
 */
import type { TransactionCreateInput } from '@fo/schema';
import { describe, expect, it } from 'vitest';
import { expectTRPCError } from '../support/expect-error.js';
import { brokerage, holdingOf, ledgerUser } from '../support/ledger-factories.js';

type Caller = Awaited<ReturnType<typeof ledgerUser>>['caller'];

async function setup() {
  const fx = await ledgerUser();
  const account = await brokerage(fx.caller);
  return { ...fx, account };
}

async function balance(caller: Caller, id: string) {
  return (await caller.accounts.byId({ id })).balance.toFixed();
}

describe('per-type validation names the field', () => {
  const cases: [string, Omit<TransactionCreateInput, 'accountId'>, string][] = [
    ['buy without symbol', { type: 'buy', tradeDate: '2024-01-02', quantity: '1', price: '1' }, 'symbol'],
    ['buy without quantity', { type: 'buy', symbol: 'A', tradeDate: '2024-01-02', price: '1' }, 'quantity'],
    [
      'buy with zero quantity',
      { type: 'buy', symbol: 'A', tradeDate: '2024-01-02', quantity: '0', price: '1' },
      'quantity',
    ],
    [
      'sell with negative price',
      { type: 'sell', symbol: 'A', tradeDate: '2024-01-02', quantity: '1', price: '-1' },
      'price',
    ],
    ['buy without price', { type: 'buy', symbol: 'A', tradeDate: '2024-01-02', quantity: '1' }, 'price'],
    [
      'negative fees',
      { type: 'buy', symbol: 'A', tradeDate: '2024-01-02', quantity: '1', price: '1', fees: '-1' },
      'fees',
    ],
    [
      'buy with a positive amount',
      { type: 'buy', symbol: 'A', tradeDate: '2024-01-02', quantity: '1', price: '1', amount: '1' },
      'amount',
    ],
    ['deposit without amount', { type: 'deposit', tradeDate: '2024-01-02' }, 'amount'],
    [
      'withdrawal with a positive amount',
      { type: 'withdrawal', tradeDate: '2024-01-02', amount: '5' },
      'amount',
    ],
    ['fee with a positive amount', { type: 'fee', tradeDate: '2024-01-02', amount: '5' }, 'amount'],
    ['interest of zero', { type: 'interest', tradeDate: '2024-01-02', amount: '0' }, 'amount'],
    ['dividend without amount', { type: 'dividend', symbol: 'A', tradeDate: '2024-01-02' }, 'amount'],
    [
      'reinvested dividend without quantity',
      { type: 'dividend', symbol: 'A', tradeDate: '2024-01-02', amount: '5', reinvested: true, price: '1' },
      'quantity',
    ],
    ['split without ratio', { type: 'split', symbol: 'A', tradeDate: '2024-01-02' }, 'splitRatio'],
    [
      'split with a quantity',
      { type: 'split', symbol: 'A', tradeDate: '2024-01-02', splitRatio: '2:1', quantity: '5' },
      'quantity',
    ],
    [
      'ratio on a buy',
      { type: 'buy', symbol: 'A', tradeDate: '2024-01-02', quantity: '1', price: '1', splitRatio: '2:1' },
      'splitRatio',
    ],
    [
      'transfer without counterpart',
      { type: 'transfer_out', symbol: 'A', tradeDate: '2024-01-02', quantity: '1' },
      'counterpartAccountId',
    ],
    [
      'return of capital without symbol',
      { type: 'return_of_capital', tradeDate: '2024-01-02', amount: '5' },
      'symbol',
    ],
    [
      'settle before trade',
      { type: 'deposit', tradeDate: '2024-01-02', settleDate: '2024-01-01', amount: '5' },
      'settleDate',
    ],
    [
      'lots on a buy',
      {
        type: 'buy',
        symbol: 'A',
        tradeDate: '2024-01-02',
        quantity: '1',
        price: '1',
        lots: [{ lotId: '00000000-0000-4000-8000-000000000000', quantity: '1' }],
      },
      'lots',
    ],
  ];
  it.each(cases)('%s → BAD_REQUEST on %s', async (_name, fields, field) => {
    const { caller, account, db } = await setup();
    const err = await expectTRPCError(
      caller.transactions.create({ accountId: account.id, ...fields }),
      'BAD_REQUEST',
    );
    expect(err.fields).toContain(field);
    expect(await db('transactions').where('account_id', account.id).count({ n: '*' }).first()).toEqual({
      n: 0,
    });
  });

  it('a malformed ratio is a BAD_REQUEST on splitRatio', async () => {
    const { caller, account } = await setup();
    const err = await expectTRPCError(
      caller.transactions.create({
        accountId: account.id,
        type: 'split',
        symbol: 'A',
        tradeDate: '2024-01-02',
        splitRatio: 'ten',
      }),
      'BAD_REQUEST',
    );
    expect(err.fields).toContain('splitRatio');
  });
});

describe('cash', () => {
  it('each transaction moves the account cash by its signed effect', async () => {
    const { caller, account } = await setup();
    const create = (f: Omit<TransactionCreateInput, 'accountId'>) =>
      caller.transactions.create({ accountId: account.id, ...f });
    await create({ type: 'deposit', tradeDate: '2024-01-02', amount: '10000' }); // 10,000
    await create({
      type: 'buy',
      symbol: 'VTI',
      tradeDate: '2024-01-03',
      quantity: '10',
      price: '200',
      fees: '1.5',
    }); // −2,001.50
    await create({
      type: 'sell',
      symbol: 'VTI',
      tradeDate: '2024-02-01',
      quantity: '4',
      price: '210',
      fees: '1.5',
    }); // +838.50
    await create({ type: 'dividend', symbol: 'VTI', tradeDate: '2024-03-01', amount: '12.34' }); // +12.34
    await create({ type: 'interest', tradeDate: '2024-03-31', amount: '3.21' }); // +3.21
    await create({ type: 'fee', tradeDate: '2024-04-01', amount: '-5' }); // −5
    await create({ type: 'tax', tradeDate: '2024-04-02', amount: '-1.85' }); // −1.85
    await create({ type: 'withdrawal', tradeDate: '2024-04-03', amount: '-1000' }); // −1,000
    const reinvest = await create({
      type: 'dividend',
      symbol: 'VTI',
      tradeDate: '2024-06-01',
      amount: '20',
      reinvested: true,
      quantity: '0.09',
      price: '215',
    }); // +20 − 19.35 = +0.65
    expect(reinvest.cashEffect.toFixed()).toBe('0.65');
    // 10000 − 2001.5 + 838.5 + 12.34 + 3.21 − 5 − 1.85 − 1000 + 0.65
    expect(await balance(caller, account.id)).toBe('7846.35');
    const h = await holdingOf(caller, account.id, 'VTI');
    expect([h?.quantity.toFixed(), h?.costBasis.toFixed()]).toEqual(['6.09', '1220.25']);
  });
});

describe('oversell', () => {
  it('is a CONFLICT naming the symbol, held and asked quantities, and writes nothing', async () => {
    const { caller, account, db } = await setup();
    await caller.transactions.create({
      accountId: account.id,
      type: 'deposit',
      tradeDate: '2024-01-01',
      amount: '1000',
    });
    await caller.transactions.create({
      accountId: account.id,
      type: 'buy',
      symbol: 'MSFT',
      tradeDate: '2024-01-02',
      quantity: '3',
      price: '100',
    });
    const before = {
      cash: await balance(caller, account.id),
      rows: await db('transactions').where('account_id', account.id).count({ n: '*' }).first(),
      lots: await db('tax_lots').where('account_id', account.id).select('id', 'quantity', 'cost'),
    };
    const err = await expectTRPCError(
      caller.transactions.create({
        accountId: account.id,
        type: 'sell',
        symbol: 'MSFT',
        tradeDate: '2024-01-05',
        quantity: '4.5',
        price: '110',
      }),
      'CONFLICT',
    );
    expect(err.message).toContain('MSFT');
    expect(err.message).toContain('holds 3');
    expect(err.message).toContain('asks for 4.5');
    expect(err.fields).toEqual(['quantity']);
    expect({
      cash: await balance(caller, account.id),
      rows: await db('transactions').where('account_id', account.id).count({ n: '*' }).first(),
      lots: await db('tax_lots').where('account_id', account.id).select('id', 'quantity', 'cost'),
    }).toEqual(before);
    expect((await holdingOf(caller, account.id, 'MSFT'))?.quantity.toFixed()).toBe('3');
  });

  it('a back-dated sell before the shares were bought is an oversell', async () => {
    const { caller, account } = await setup();
    await caller.transactions.create({
      accountId: account.id,
      type: 'buy',
      symbol: 'X',
      tradeDate: '2024-03-01',
      quantity: '5',
      price: '10',
    });
    await expectTRPCError(
      caller.transactions.create({
        accountId: account.id,
        type: 'sell',
        symbol: 'X',
        tradeDate: '2024-02-01',
        quantity: '1',
        price: '10',
      }),
      'CONFLICT',
    );
  });

  it('deleting a buy that a later sell needs is refused, naming that sell', async () => {
    const { caller, account } = await setup();
    const buy = await caller.transactions.create({
      accountId: account.id,
      type: 'buy',
      symbol: 'X',
      tradeDate: '2024-01-02',
      quantity: '5',
      price: '10',
    });
    await caller.transactions.create({
      accountId: account.id,
      type: 'sell',
      symbol: 'X',
      tradeDate: '2024-02-01',
      quantity: '5',
      price: '12',
    });
    const err = await expectTRPCError(caller.transactions.delete({ id: buy.id }), 'CONFLICT');
    expect(err.message).toContain('2024-02-01');
    expect((await caller.transactions.byId({ id: buy.id })).id).toBe(buy.id);
  });

  it('an account that allows short positions sells short instead', async () => {
    const { caller } = await ledgerUser();
    const account = await brokerage(caller, { allowShort: true });
    await caller.transactions.create({
      accountId: account.id,
      type: 'sell',
      symbol: 'TSLA',
      tradeDate: '2024-01-02',
      quantity: '2',
      price: '250',
    });
    const h = await holdingOf(caller, account.id, 'TSLA');
    expect([h?.quantity.toFixed(), h?.costBasis.toFixed()]).toEqual(['-2', '500']);
    const cover = await caller.transactions.create({
      accountId: account.id,
      type: 'buy',
      symbol: 'TSLA',
      tradeDate: '2024-02-02',
      quantity: '2',
      price: '200',
    });
    expect(cover.realizedGain?.toFixed()).toBe('100');
    expect((await holdingOf(caller, account.id, 'TSLA'))?.quantity.toFixed()).toBe('0');
  });
});

describe('back-dated changes replay the history', () => {
  it('a back-dated buy changes which lots a later FIFO sale took', async () => {
    const { caller, account } = await setup();
    await caller.transactions.create({
      accountId: account.id,
      type: 'buy',
      symbol: 'X',
      tradeDate: '2024-03-01',
      quantity: '10',
      price: '20',
    });
    const sell = await caller.transactions.create({
      accountId: account.id,
      type: 'sell',
      symbol: 'X',
      tradeDate: '2024-04-01',
      quantity: '5',
      price: '25',
    });
    expect(sell.realizedGain?.toFixed()).toBe('25'); // 5 × (25 − 20)
    await caller.transactions.create({
      accountId: account.id,
      type: 'buy',
      symbol: 'X',
      tradeDate: '2024-01-02',
      quantity: '5',
      price: '10',
    });
    expect((await caller.transactions.byId({ id: sell.id })).realizedGain?.toFixed()).toBe('75'); // 5 × (25 − 10)
    const h = await holdingOf(caller, account.id, 'X');
    expect([h?.quantity.toFixed(), h?.costBasis.toFixed()]).toEqual(['10', '200']);
  });

  it('moving a buy after the sale that needed it is refused; moving it earlier is fine', async () => {
    const { caller, account } = await setup();
    const buy = await caller.transactions.create({
      accountId: account.id,
      type: 'buy',
      symbol: 'X',
      tradeDate: '2024-03-01',
      quantity: '10',
      price: '20',
    });
    await caller.transactions.create({
      accountId: account.id,
      type: 'sell',
      symbol: 'X',
      tradeDate: '2024-04-01',
      quantity: '5',
      price: '25',
    });
    await expectTRPCError(caller.transactions.update({ id: buy.id, tradeDate: '2024-05-01' }), 'CONFLICT');
    const moved = await caller.transactions.update({ id: buy.id, tradeDate: '2023-01-02', price: '15' });
    expect(moved.tradeDate).toBe('2023-01-02');
    const lots = await caller.holdings.lots({ holdingId: (await holdingOf(caller, account.id, 'X'))!.id });
    expect(lots.lots.map((l) => [l.acquiredDate, l.quantity.toFixed(), l.cost.toFixed()])).toEqual([
      ['2023-01-02', '5', '75'],
    ]);
  });
});

describe('transfers', () => {
  it('move lots with their cost and dates and link the two sides', async () => {
    const { caller, account } = await setup();
    const other = await brokerage(caller);
    await caller.transactions.create({
      accountId: account.id,
      type: 'buy',
      symbol: 'IBM',
      tradeDate: '2022-01-03',
      quantity: '10',
      price: '130',
      fees: '2',
    });
    const out = await caller.transactions.create({
      accountId: account.id,
      type: 'transfer_out',
      symbol: 'IBM',
      tradeDate: '2024-01-02',
      quantity: '4',
      counterpartAccountId: other.id,
    });
    expect(out.counterpart?.type).toBe('transfer_in');
    expect(out.counterpart?.accountId).toBe(other.id);
    expect(out.counterpart?.transferId).toBe(out.transferId);
    const moved = await caller.holdings.lots({ holdingId: (await holdingOf(caller, other.id, 'IBM'))!.id });
    expect(moved.lots.map((l) => [l.acquiredDate, l.quantity.toFixed(), l.cost.toFixed(), l.term])).toEqual([
      ['2022-01-03', '4', '520.8', 'long'],
    ]);
    expect((await holdingOf(caller, account.id, 'IBM'))?.quantity.toFixed()).toBe('6');

    // Editing one side edits both; deleting one deletes both.
    await caller.transactions.update({ id: out.counterpart!.id, quantity: '5' });
    expect((await holdingOf(caller, other.id, 'IBM'))?.quantity.toFixed()).toBe('5');
    expect((await caller.transactions.byId({ id: out.id })).quantity?.toFixed()).toBe('5');
    const deleted = await caller.transactions.delete({ id: out.id });
    expect(deleted.counterpartId).toBe(out.counterpart!.id);
    expect((await holdingOf(caller, other.id, 'IBM'))?.quantity.toFixed()).toBe('0');
    expect((await holdingOf(caller, account.id, 'IBM'))?.quantity.toFixed()).toBe('10');
  });

  it('move cash between accounts', async () => {
    const { caller, account } = await setup();
    const other = await brokerage(caller);
    await caller.transactions.create({
      accountId: account.id,
      type: 'deposit',
      tradeDate: '2024-01-02',
      amount: '500',
    });
    await caller.transactions.create({
      accountId: account.id,
      type: 'transfer_out',
      tradeDate: '2024-01-03',
      amount: '-200',
      counterpartAccountId: other.id,
    });
    expect([await balance(caller, account.id), await balance(caller, other.id)]).toEqual(['300', '200']);
  });

  it('to another user’s account is NOT_FOUND and writes nothing', async () => {
    const { caller, account, db } = await setup();
    const stranger = await ledgerUser();
    const theirs = await brokerage(stranger.caller);
    await caller.transactions.create({
      accountId: account.id,
      type: 'buy',
      symbol: 'IBM',
      tradeDate: '2022-01-03',
      quantity: '1',
      price: '1',
    });
    await expectTRPCError(
      caller.transactions.create({
        accountId: account.id,
        type: 'transfer_out',
        symbol: 'IBM',
        tradeDate: '2024-01-02',
        quantity: '1',
        counterpartAccountId: theirs.id,
      }),
      'NOT_FOUND',
    );
    expect(await db('transactions').where('account_id', theirs.id).count({ n: '*' }).first()).toEqual({
      n: 0,
    });
  });
});

describe('splits, returns of capital, specific identification', () => {
  it('a 10:1 split scales lots; a later sale uses the new basis per share', async () => {
    const { caller, account } = await setup();
    await caller.transactions.create({
      accountId: account.id,
      type: 'buy',
      symbol: 'NVDA',
      tradeDate: '2023-03-01',
      quantity: '10',
      price: '1000',
    });
    await caller.transactions.create({
      accountId: account.id,
      type: 'split',
      symbol: 'NVDA',
      tradeDate: '2024-06-10',
      splitRatio: '10:1',
    });
    const sale = await caller.transactions.create({
      accountId: account.id,
      type: 'sell',
      symbol: 'NVDA',
      tradeDate: '2024-07-01',
      quantity: '50',
      price: '120',
    });
    // 50 shares at $100 basis each: proceeds 6,000 − basis 5,000.
    expect([sale.realizedGain?.toFixed(), sale.costBasis?.toFixed()]).toEqual(['1000', '5000']);
    const split = (await caller.transactions.list({ accountId: account.id, type: 'split' })).items[0];
    expect(split?.splitRatio && [split.splitRatio.to.toFixed(), split.splitRatio.from.toFixed()]).toEqual([
      '10',
      '1',
    ]);
  });

  it('a return of capital lowers the basis; beyond it the excess is a gain', async () => {
    const { caller, account } = await setup();
    await caller.transactions.create({
      accountId: account.id,
      type: 'buy',
      symbol: 'MLP',
      tradeDate: '2020-01-02',
      quantity: '10',
      price: '10',
    });
    await caller.transactions.create({
      accountId: account.id,
      type: 'return_of_capital',
      symbol: 'MLP',
      tradeDate: '2020-06-01',
      amount: '60',
    });
    const second = await caller.transactions.create({
      accountId: account.id,
      type: 'return_of_capital',
      symbol: 'MLP',
      tradeDate: '2021-06-01',
      amount: '60',
    });
    expect(second.realizedGain?.toFixed()).toBe('20');
    expect((await holdingOf(caller, account.id, 'MLP'))?.costBasis.toFixed()).toBe('0');
    expect(await balance(caller, account.id)).toBe('20'); // −100 + 60 + 60
  });

  it('a sell can name the lots it takes', async () => {
    const { caller, account } = await setup();
    await caller.transactions.create({
      accountId: account.id,
      type: 'buy',
      symbol: 'K',
      tradeDate: '2024-01-02',
      quantity: '10',
      price: '10',
    });
    const dear = await caller.transactions.create({
      accountId: account.id,
      type: 'buy',
      symbol: 'K',
      tradeDate: '2024-01-03',
      quantity: '10',
      price: '30',
    });
    const sale = await caller.transactions.create({
      accountId: account.id,
      type: 'sell',
      symbol: 'K',
      tradeDate: '2024-03-01',
      quantity: '4',
      price: '35',
      lots: [{ lotId: dear.id, quantity: '4' }],
    });
    expect(sale.realizedGain?.toFixed()).toBe('20');
    expect(sale.lots?.map((l) => [l.lotId, l.quantity.toFixed()])).toEqual([[dear.id, '4']]);
    const err = await expectTRPCError(
      caller.transactions.create({
        accountId: account.id,
        type: 'sell',
        symbol: 'K',
        tradeDate: '2024-03-02',
        quantity: '7',
        price: '35',
        lots: [{ lotId: dear.id, quantity: '7' }],
      }),
      'BAD_REQUEST',
    );
    expect(err.fields).toContain('lots.0.lotId');
  });
});

describe('transactions.list', () => {
  it('filters and pages by trade date then creation, both directions', async () => {
    const { caller, account } = await setup();
    const other = await brokerage(caller);
    const ids: string[] = [];
    for (const [date, symbol] of [
      ['2024-01-05', 'A'],
      ['2024-01-02', 'B'],
      ['2024-01-05', 'B'],
      ['2024-01-03', 'A'],
      ['2024-01-05', 'A'],
    ] as const) {
      const t = await caller.transactions.create({
        accountId: account.id,
        type: 'buy',
        symbol,
        tradeDate: date,
        quantity: '1',
        price: '1',
      });
      ids.push(t.id);
    }
    await caller.transactions.create({
      accountId: other.id,
      type: 'deposit',
      tradeDate: '2024-01-04',
      amount: '5',
    });
    // Ascending: by date, then in the order they were created.
    const expectedAsc = [ids[1], ids[3], ids[0], ids[2], ids[4]];
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await caller.transactions.list({
        accountId: account.id,
        direction: 'asc',
        limit: 2,
        cursor,
      });
      seen.push(...page.items.map((t) => t.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(expectedAsc);
    const desc = await caller.transactions.list({ accountId: account.id, limit: 10 });
    expect(desc.items.map((t) => t.id)).toEqual([...expectedAsc].reverse());

    const filtered = await caller.transactions.list({ symbol: 'A', from: '2024-01-04', to: '2024-01-31' });
    expect(filtered.items.map((t) => t.id)).toEqual([ids[4], ids[0]]);
    expect((await caller.transactions.list({ type: 'deposit' })).items.map((t) => t.accountId)).toEqual([
      other.id,
    ]);
    expect((await caller.transactions.list({ reconciled: true })).items).toEqual([]);

    const err = await expectTRPCError(
      caller.transactions.list({
        accountId: account.id,
        direction: 'asc',
        cursor: desc.nextCursor ?? 'bm9wZQ',
      }),
      'BAD_REQUEST',
    );
    expect(err.fields).toEqual(['cursor']);
  });
});

describe('reconciled transactions', () => {
  it('need allowReconciled to change, and the change is audited', async () => {
    const { caller, account, db, user } = await setup();
    const dep = await caller.transactions.create({
      accountId: account.id,
      type: 'deposit',
      tradeDate: '2024-01-02',
      amount: '100',
    });
    await caller.accounts.completeReconciliation({
      accountId: account.id,
      statementDate: '2024-01-31',
      cashBalance: '100',
      positions: [],
    });
    const err = await expectTRPCError(caller.transactions.update({ id: dep.id, amount: '90' }), 'CONFLICT');
    expect(err.fields).toEqual(['allowReconciled']);
    await expectTRPCError(caller.transactions.delete({ id: dep.id }), 'CONFLICT');
    const changed = await caller.transactions.update({ id: dep.id, amount: '90', allowReconciled: true });
    expect(changed.amount?.toFixed()).toBe('90');
    expect(await balance(caller, account.id)).toBe('90');
    const audit = await db('audit_events').where({
      user_id: user.id,
      event: 'reconciled_transaction_updated',
    });
    expect(audit).toHaveLength(1);
    expect(audit[0].details).toMatchObject({
      transactionId: dep.id,
      before: { amount: '100' },
      after: { amount: '90' },
    });
    await caller.transactions.delete({ id: dep.id, allowReconciled: true });
    expect(
      await db('audit_events').where({ user_id: user.id, event: 'reconciled_transaction_deleted' }),
    ).toHaveLength(1);
  });
});
