import { Decimal, todayIso } from '@fo/schema';
import { addDays } from '@fo/schema/calendar';
import { describe, expect, it } from 'vitest';
import { holdingsAccount, newUser } from './support/accounts-factories.js';
import { expectTRPCError } from './support/expect-error.js';

const today = todayIso();

describe('holdings in a holdings-mode account', () => {
  it('values a holding with the latest price on or before today and reports gains and weights', async () => {
    const { caller } = await newUser();
    const account = await holdingsAccount(caller);
    await caller.prices.upsert({
      rows: [
        { symbol: 'AAPL', date: addDays(today, -3), close: '150', currency: 'USD' },
        { symbol: 'AAPL', date: addDays(today, -1), close: '200', currency: 'USD' },
        { symbol: 'MSFT', date: addDays(today, -1), close: '400', currency: 'USD' },
      ],
    });
    const aapl = await caller.holdings.create({
      accountId: account.id,
      symbol: 'aapl',
      name: 'Apple',
      quantity: '10',
      costPerUnit: '120.5',
    });
    expect(aapl).toMatchObject({
      symbol: 'AAPL',
      currency: 'USD',
      priceSource: 'market',
      priceAsOf: addDays(today, -1),
      stale: false,
      readOnly: false,
      missingRate: null,
    });
    expect(aapl.costBasis).toEqual(new Decimal('1205'));
    expect(aapl.costPerUnit).toEqual(new Decimal('120.5'));
    expect(aapl.currentPrice).toEqual(new Decimal('200'));
    expect(aapl.marketValue).toEqual(new Decimal('2000'));
    expect(aapl.unrealizedGain).toEqual(new Decimal('795'));
    expect(aapl.unrealizedReturn?.toFixed(6)).toBe('0.659751');
    expect(aapl.weightInAccount).toEqual(new Decimal(1));

    await caller.holdings.create({ accountId: account.id, symbol: 'MSFT', quantity: '5', costBasis: '1500' });
    const other = await holdingsAccount(caller);
    await caller.holdings.create({ accountId: other.id, symbol: 'AAPL', quantity: '10', costBasis: '1000' });

    const page = await caller.holdings.list({ accountId: account.id });
    expect(
      page.items.map((h) => [h.symbol, h.weightInAccount?.toFixed(4), h.weightInPortfolio?.toFixed(4)]),
    ).toEqual([
      ['AAPL', '0.5000', '0.3333'],
      ['MSFT', '0.5000', '0.3333'],
    ]);
    const all = await caller.holdings.list({ symbol: 'AAPL' });
    expect(all.items).toHaveLength(2);
    // The stored valuation follows the view.
    const stored = await caller.holdings.byId({ id: aapl.id });
    expect(stored.marketValue).toEqual(new Decimal('2000'));
  });

  it('flags stale prices, falls back to manual prices, par for cash and cost basis without a price', async () => {
    const { caller } = await newUser();
    const account = await holdingsAccount(caller);
    await caller.prices.upsert({
      rows: [{ symbol: 'OLD', date: addDays(today, -30), close: '10', currency: 'USD' }],
    });
    const old = await caller.holdings.create({
      accountId: account.id,
      symbol: 'OLD',
      quantity: '1',
      costBasis: '5',
    });
    expect(old).toMatchObject({ priceSource: 'market', stale: true });

    const manual = await caller.holdings.create({
      accountId: account.id,
      symbol: 'PRIVATEFUND',
      assetClass: 'other',
      quantity: '2',
      costBasis: '100',
      manualPrice: '75',
      manualPriceAsOf: addDays(today, -10),
    });
    expect(manual).toMatchObject({ priceSource: 'manual', stale: false, priceAsOf: addDays(today, -10) });
    expect(manual.marketValue).toEqual(new Decimal('150'));

    const cash = await caller.holdings.create({
      accountId: account.id,
      symbol: 'USD',
      assetClass: 'cash',
      quantity: '250',
    });
    expect(cash).toMatchObject({ priceSource: 'par', stale: false });
    expect(cash.marketValue).toEqual(new Decimal('250'));

    const unpriced = await caller.holdings.create({
      accountId: account.id,
      symbol: 'NOPRICE',
      quantity: '3',
      costBasis: '30',
    });
    expect(unpriced).toMatchObject({
      priceSource: 'cost',
      stale: true,
      currentPrice: null,
      unrealizedGain: null,
    });
    expect(unpriced.marketValue).toEqual(new Decimal('30'));

    const cleared = await caller.holdings.update({ id: manual.id, manualPrice: null });
    expect(cleared.priceSource).toBe('cost');
  });

  it('converts a price quoted in another currency, and flags a missing rate instead of using 1.0', async () => {
    const { caller } = await newUser();
    const account = await holdingsAccount(caller);
    await caller.prices.upsert({ rows: [{ symbol: 'SAP', date: today, close: '100', currency: 'EUR' }] });
    const sap = await caller.holdings.create({
      accountId: account.id,
      symbol: 'SAP',
      quantity: '2',
      costBasis: '200',
    });
    expect(sap.priceCurrency).toBe('EUR');
    expect(sap.currentPrice).toBeNull();
    expect(sap.marketValue).toBeNull();
    expect(sap.missingRate).toBe('EUR/USD');

    await caller.fx.upsert({ rows: [{ date: today, base: 'EUR', quote: 'USD', rate: '1.1' }] });
    const priced = await caller.holdings.byId({ id: sap.id });
    expect(priced.currentPrice).toEqual(new Decimal('110'));
    expect(priced.marketValue).toEqual(new Decimal('220'));
    expect(priced.unrealizedGain).toEqual(new Decimal('20'));
  });

  it('updates and deletes', async () => {
    const { caller } = await newUser();
    const account = await holdingsAccount(caller);
    const h = await caller.holdings.create({
      accountId: account.id,
      symbol: 'VTI',
      quantity: '10',
      costBasis: '2000',
    });
    const updated = await caller.holdings.update({ id: h.id, quantity: '20', costPerUnit: '150' });
    expect(updated.quantity).toEqual(new Decimal(20));
    expect(updated.costBasis).toEqual(new Decimal(3000));
    await caller.holdings.delete({ id: h.id });
    await expectTRPCError(caller.holdings.byId({ id: h.id }), 'NOT_FOUND');
  });
});

describe('holdings validation', () => {
  it('rejects negative quantities unless the account allows shorts, and negative prices always', async () => {
    const { caller, db, user } = await newUser();
    const account = await holdingsAccount(caller);
    const short = await expectTRPCError(
      caller.holdings.create({ accountId: account.id, symbol: 'TSLA', quantity: '-5', costBasis: '100' }),
      'BAD_REQUEST',
    );
    expect(short.fields).toEqual(['quantity']);
    const price = await expectTRPCError(
      caller.holdings.create({ accountId: account.id, symbol: 'TSLA', quantity: '5', manualPrice: '-1' }),
      'BAD_REQUEST',
    );
    expect(price.fields).toEqual(['manualPrice']);
    expect(await db('assets').where('user_id', user.id).count({ n: '*' })).toEqual([{ n: 0 }]);

    const shortable = await holdingsAccount(caller, { allowShort: true });
    await caller.prices.upsert({ rows: [{ symbol: 'TSLA', date: today, close: '90', currency: 'USD' }] });
    const position = await caller.holdings.create({
      accountId: shortable.id,
      symbol: 'TSLA',
      quantity: '-10',
      costBasis: '1000',
    });
    // Shorted at 100, now 90: the position is worth −900 and has gained 100.
    expect(position.marketValue).toEqual(new Decimal('-900'));
    expect(position.unrealizedGain).toEqual(new Decimal('100'));
  });

  it('keeps transactions-mode holdings read-only with a clear error', async () => {
    const { caller, db, user } = await newUser();
    const ledger = await caller.accounts.create({ name: 'Ledger', type: 'brokerage' });
    const err = await expectTRPCError(
      caller.holdings.create({ accountId: ledger.id, symbol: 'AAPL', quantity: '1' }),
      'BAD_REQUEST',
    );
    expect(err.fields).toEqual(['accountId']);
    expect(err.message).toMatch(/maintained by the ledger/);

    // A position the ledger wrote is listed (read-only) but cannot be edited here.
    const [row] = await db('assets')
      .insert({ account_id: ledger.id, user_id: user.id, symbol: 'AAPL', quantity: '3', cost_basis: '300' })
      .returning('id');
    const listed = await caller.holdings.list({ accountId: ledger.id });
    expect(listed.items.map((h) => [h.symbol, h.readOnly])).toEqual([['AAPL', true]]);
    const quantity = await expectTRPCError(
      caller.holdings.update({ id: row.id, name: 'Apple', quantity: '4' }),
      'BAD_REQUEST',
    );
    expect(quantity.fields).toEqual(['quantity']);
    expect(quantity.message).toMatch(/only their name and assetClass can be changed here/);
    await expectTRPCError(caller.holdings.delete({ id: row.id }), 'BAD_REQUEST');
    expect((await db('assets').where('id', row.id).first()).quantity).toBe('3.0000000000');

    // What describes the holding (not the position) is the user's to set.
    const renamed = await caller.holdings.update({ id: row.id, name: 'Apple Inc.', assetClass: 'etf' });
    expect([renamed.name, renamed.assetClass, renamed.quantity.toFixed(), renamed.readOnly]).toEqual([
      'Apple Inc.',
      'etf',
      '3',
      true,
    ]);
  });

  it('answers CONFLICT naming the symbol for a duplicate, and NOT_FOUND for unknown or foreign accounts', async () => {
    const { caller } = await newUser();
    const account = await holdingsAccount(caller);
    await caller.holdings.create({ accountId: account.id, symbol: 'AAPL', quantity: '1' });
    const dup = await expectTRPCError(
      caller.holdings.create({ accountId: account.id, symbol: 'AAPL', quantity: '1' }),
      'CONFLICT',
    );
    expect(dup.fields).toEqual(['symbol']);
    await expectTRPCError(
      caller.holdings.create({
        accountId: '01890000-0000-7000-8000-000000000000',
        symbol: 'X',
        quantity: '1',
      }),
      'NOT_FOUND',
    );
    const other = await newUser();
    const foreign = await expectTRPCError(
      other.caller.holdings.create({ accountId: account.id, symbol: 'X', quantity: '1' }),
      'NOT_FOUND',
    );
    expect(foreign.fields).toEqual(['accountId']);
    await expectTRPCError(other.caller.holdings.list({ accountId: account.id }), 'NOT_FOUND');
  });

  it('pages by symbol with a cursor', async () => {
    const { caller } = await newUser();
    const account = await holdingsAccount(caller);
    for (const symbol of ['C', 'A', 'E', 'B', 'D']) {
      await caller.holdings.create({ accountId: account.id, symbol, quantity: '1' });
    }
    const first = await caller.holdings.list({ limit: 2 });
    const second = await caller.holdings.list({ limit: 2, cursor: first.nextCursor! });
    const third = await caller.holdings.list({ limit: 2, cursor: second.nextCursor! });
    expect([...first.items, ...second.items, ...third.items].map((h) => h.symbol)).toEqual([
      'A',
      'B',
      'C',
      'D',
      'E',
    ]);
    expect(third.nextCursor).toBeNull();
  });
});

describe('prices and fx', () => {
  it('upserts many rows idempotently and answers the latest on or before a day', async () => {
    const { caller } = await newUser();
    const rows = [
      { symbol: 'SPY', date: '2024-01-02', close: '470.1', currency: 'USD' },
      { symbol: 'SPY', date: '2024-01-03', close: '468', currency: 'USD' },
      { symbol: 'VOO', date: '2024-01-02', close: '430', currency: 'USD' },
    ];
    expect(await caller.prices.upsert({ rows })).toEqual({ inserted: 3, updated: 0, unchanged: 0 });
    expect(await caller.prices.upsert({ rows })).toEqual({ inserted: 0, updated: 0, unchanged: 3 });
    expect(
      await caller.prices.upsert({
        rows: [{ symbol: 'SPY', date: '2024-01-03', close: '469', currency: 'USD' }],
      }),
    ).toEqual({ inserted: 0, updated: 1, unchanged: 0 });

    const latest = await caller.prices.latest({ symbols: ['SPY', 'voo', 'NONE'], asOf: '2024-01-02' });
    expect(latest.prices.map((p) => [p.symbol, p.date, p.close.toString()])).toEqual([
      ['SPY', '2024-01-02', '470.1'],
      ['VOO', '2024-01-02', '430'],
    ]);
    expect(latest.missing).toEqual(['NONE']);
    const now = await caller.prices.latest({ symbols: ['SPY'] });
    expect(now.prices[0]?.close.toString()).toBe('469');
  });

  it('rejects future dates, duplicates in one call and bad values, naming the row; nothing written', async () => {
    const { caller, db } = await newUser();
    const future = await expectTRPCError(
      caller.prices.upsert({
        rows: [
          { symbol: 'SPY', date: '2024-01-02', close: '1', currency: 'USD' },
          { symbol: 'SPY', date: '2999-01-01', close: '1', currency: 'USD' },
        ],
      }),
      'BAD_REQUEST',
    );
    expect(future.fields).toEqual(['rows.1.date']);
    const dup = await expectTRPCError(
      caller.prices.upsert({
        rows: [
          { symbol: 'SPY', date: '2024-01-02', close: '1', currency: 'USD' },
          { symbol: 'spy', date: '2024-01-02', close: '2', currency: 'USD' },
        ],
      }),
      'BAD_REQUEST',
    );
    expect(dup.fields).toEqual(['rows.1.date']);
    const bad = await expectTRPCError(
      caller.prices.upsert({ rows: [{ symbol: 'SPY', date: '2024-01-02', close: '-1', currency: 'EURO' }] }),
      'BAD_REQUEST',
    );
    expect([...new Set(bad.fields)].sort()).toEqual(['rows.0.close', 'rows.0.currency']);
    expect(await db('prices').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('keeps price_latest in step with every write to prices, and values past days from the history', async () => {
    const { caller, db } = await newUser();
    const latest = () => db('price_latest').orderBy('symbol').select('symbol', 'date', 'close');
    await caller.prices.upsert({
      rows: [
        { symbol: 'AAA', date: '2024-01-02', close: '10', currency: 'USD' },
        { symbol: 'AAA', date: '2024-01-03', close: '11', currency: 'USD' },
        { symbol: 'BBB', date: '2024-01-02', close: '20', currency: 'USD' },
      ],
    });
    expect(await latest()).toEqual([
      { symbol: 'AAA', date: '2024-01-03', close: '11.00000000' },
      { symbol: 'BBB', date: '2024-01-02', close: '20.00000000' },
    ]);
    // An older price does not replace the newest; a correction of the newest does.
    await caller.prices.upsert({
      rows: [{ symbol: 'AAA', date: '2024-01-01', close: '9', currency: 'USD' }],
    });
    await caller.prices.upsert({
      rows: [{ symbol: 'AAA', date: '2024-01-03', close: '12', currency: 'USD' }],
    });
    expect((await latest())[0]).toEqual({ symbol: 'AAA', date: '2024-01-03', close: '12.00000000' });
    // Writes that bypass the API too.
    await db('prices').where({ symbol: 'AAA', date: '2024-01-03' }).delete();
    expect((await latest())[0]).toEqual({ symbol: 'AAA', date: '2024-01-02', close: '10.00000000' });
    await db('prices').where({ symbol: 'BBB' }).update({ date: '2023-12-29' });
    expect((await latest())[1]).toEqual({ symbol: 'BBB', date: '2023-12-29', close: '20.00000000' });

    const account = await holdingsAccount(caller);
    const h = await caller.holdings.create({ accountId: account.id, symbol: 'AAA', quantity: '1' });
    expect(h.currentPrice).toEqual(new Decimal(10));
    const past = await caller.portfolio.netWorth({ asOf: '2024-01-01' });
    expect(past.categories.investments).toEqual(new Decimal(9));
    await db.raw('TRUNCATE prices');
    expect(await latest()).toEqual([]);
  });

  it('answers a pair from its inverse, the latest on or before the day, and reports missing pairs', async () => {
    const { caller } = await newUser();
    await caller.fx.upsert({
      rows: [
        { date: '2024-01-01', base: 'EUR', quote: 'USD', rate: '1.10' },
        { date: '2024-01-05', base: 'EUR', quote: 'USD', rate: '1.25' },
        { date: '2024-01-03', base: 'USD', quote: 'JPY', rate: '150' },
      ],
    });
    const r = await caller.fx.latest({
      pairs: [
        { base: 'EUR', quote: 'USD' },
        { base: 'USD', quote: 'EUR' },
        { base: 'JPY', quote: 'USD' },
        { base: 'GBP', quote: 'USD' },
      ],
      asOf: '2024-01-04',
    });
    expect(r.rates.map((x) => [x.base, x.quote, x.rate.toString(), x.date, x.inverted])).toEqual([
      ['EUR', 'USD', '1.1', '2024-01-01', false],
      ['USD', 'EUR', '0.909090909091', '2024-01-01', true],
      ['JPY', 'USD', '0.006666666667', '2024-01-03', true],
    ]);
    expect(r.missing).toEqual([{ base: 'GBP', quote: 'USD' }]);
    const same = await expectTRPCError(
      caller.fx.latest({ pairs: [{ base: 'USD', quote: 'usd' }] }),
      'BAD_REQUEST',
    );
    expect(same.fields).toEqual(['pairs.0.quote']);
    const zero = await expectTRPCError(
      caller.fx.upsert({ rows: [{ date: '2024-01-01', base: 'EUR', quote: 'USD', rate: '0' }] }),
      'BAD_REQUEST',
    );
    expect(zero.fields).toEqual(['rows.0.rate']);
  });
});
