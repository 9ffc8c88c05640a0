/**
 * syncInvestments with the real `plaid` client against the fake Plaid server and real PostgreSQL:
 * a first sync's lots and realized gains against a worked FIFO example, overlapping and
 * incremental syncs, a sync that fails or is aborted half-way (nothing written; the retry imports
 * everything once), sales older than the history, and the holdings reconciliation.
 */
import { Decimal } from '@fo/schema';
import {
  type InvestmentTransaction,
  type Security,
  InvestmentTransactionSubtype as Sub,
  InvestmentTransactionType as Type,
} from 'plaid';
import { describe, expect, it } from 'vitest';
import { plaidAccessTokenContext } from '../../src/crypto/encrypted-fields.js';
import { getKeyring } from '../../src/crypto/keyring.js';
import type { Knex } from '../../src/db/knex.js';
import { newId, PlaidItem } from '../../src/models/index.js';
import { PlaidApiError } from '../../src/services/plaid/client.js';
import { type InvestmentSyncTarget, syncInvestments } from '../../src/services/plaid/investments.js';
import { insertAccount } from '../support/factories.js';
import {
  type InvestmentTransactionSpec,
  makeHolding,
  makeInvestmentTransaction,
  makeSecurity,
} from '../support/fake-plaid/fixtures.js';
import type { FakeItem } from '../support/fake-plaid/server.js';
import { holdingOf, ledgerUser } from '../support/ledger-factories.js';
import { usePlaid } from '../support/plaid.js';

const TODAY = '2025-06-30';
const HISTORY_DAYS = 730;
const cents = (d: Decimal) => d.toDecimalPlaces(2).toFixed(2);

/** A plaid_items row for a fake item, its access token encrypted as the exchange stores it. */
async function insertPlaidItem(db: Knex, userId: string, fake: FakeItem): Promise<PlaidItem> {
  const id = newId();
  const sealed = getKeyring().encrypt(fake.accessToken, plaidAccessTokenContext(id));
  return PlaidItem.query(db).insertAndFetch({
    id,
    user_id: userId,
    item_id: fake.itemId,
    institution_id: fake.institutionId,
    institution_name: fake.institutionName,
    products: fake.products,
    access_token_ciphertext: sealed.ciphertext,
    access_token_key_id: sealed.keyId,
  });
}

describe('syncInvestments', () => {
  const plaid = usePlaid();

  /** A user with a linked item whose investment account ("Plaid IRA") maps to a brokerage account. */
  async function linked() {
    const fx = await ledgerUser();
    const fake = plaid.fake.createItem({ accounts: ['Plaid Checking', 'Plaid IRA'] });
    const plaidAccount = plaid.fake.account(fake.itemId, 'Plaid IRA');
    const row = await insertPlaidItem(fx.db, fx.user.id, fake);
    const account = await insertAccount(fx.db, fx.user, {
      name: 'Plaid IRA',
      type: 'brokerage',
      tracking_mode: 'transactions',
      plaid_item_id: fake.itemId,
      plaid_account_id: plaidAccount.account_id,
    });
    /** What the plaid_sync task passes: the stored row, its token decrypted. */
    const target = async (): Promise<InvestmentSyncTarget> => {
      const item = await PlaidItem.query(fx.db).findById(row.id).throwIfNotFound();
      return {
        userId: fx.user.id,
        itemId: item.id,
        accessToken: getKeyring().decrypt(
          { keyId: item.access_token_key_id, ciphertext: item.access_token_ciphertext },
          plaidAccessTokenContext(item.id),
        ),
        investmentsSyncedThrough: item.investments_synced_through,
        accounts: new Map([[plaidAccount.account_id, account.id]]),
      };
    };
    const txn = (spec: Omit<InvestmentTransactionSpec, 'account_id'>): InvestmentTransaction =>
      makeInvestmentTransaction({ account_id: plaidAccount.account_id, ...spec });
    const holding = (security: Security, quantity: number, price: number) =>
      makeHolding(plaidAccount.account_id, security, quantity, price, null);
    const stored = async () => {
      const rows = (await fx
        .db('transactions')
        .where('account_id', account.id)
        .orderBy('seq')
        .select('type', 'symbol', 'trade_date', 'quantity', 'amount', 'provider_transaction_id')) as {
        type: string;
        symbol: string | null;
        trade_date: string;
        quantity: string | null;
        amount: string | null;
        provider_transaction_id: string | null;
      }[];
      const acc = await fx.db('accounts').where('id', account.id).first('cash_balance');
      const item = await PlaidItem.query(fx.db).findById(row.id).throwIfNotFound();
      return { rows, cash: new Decimal(acc.cash_balance as string), item };
    };
    return { ...fx, fake, plaidAccount, account, itemRow: row, target, txn, holding, stored };
  }

  const PP = () => makeSecurity({ ticker: 'PP', name: 'PP Corp', type: 'equity', closePrice: 40 });
  const USD = () =>
    makeSecurity({
      ticker: 'CUR:USD',
      name: 'U S Dollar',
      type: 'cash',
      closePrice: 1,
      isCashEquivalent: true,
    });
  const SWEEP = () =>
    makeSecurity({
      ticker: 'VMFXX',
      name: 'Vanguard Federal Money Market Fund',
      type: 'mutual fund',
      closePrice: 1,
      isCashEquivalent: true,
    });

  /**
   * Portfolio Performance's CostCalculationTest.testFifoBuySellTransactions2 (buy 109 for 3,149.20,
   * 52 for 1,684.92, sell 15 for 531.50: remaining FIFO cost 4,400.74), continued by hand: a
   * dividend, a fee, and a sale of 100 at 40 less 10 fees that takes the first lot's last 94
   * shares and 6 of the second's.
   */
  function fifoHistory(l: Awaited<ReturnType<typeof linked>>, pp: Security, sweep: Security) {
    return [
      l.txn({
        security_id: null,
        date: '2025-01-02',
        name: 'CONTRIBUTION',
        type: Type.Cash,
        subtype: Sub.Deposit,
        quantity: 0,
        price: 0,
        amount: -10000,
      }),
      l.txn({
        security_id: pp.security_id,
        date: '2025-01-10',
        name: 'BUY PP',
        type: Type.Buy,
        subtype: Sub.Buy,
        quantity: 109,
        price: 28.892,
        amount: 3149.2,
      }),
      l.txn({
        security_id: pp.security_id,
        date: '2025-02-03',
        name: 'BUY PP',
        type: Type.Buy,
        subtype: Sub.Buy,
        quantity: 52,
        price: 32.402,
        amount: 1684.92,
      }),
      l.txn({
        security_id: pp.security_id,
        date: '2025-03-03',
        name: 'SELL PP',
        type: Type.Sell,
        subtype: Sub.Sell,
        quantity: -15,
        price: 35.4333,
        amount: -531.5,
      }),
      l.txn({
        security_id: pp.security_id,
        date: '2025-04-01',
        name: 'DIVIDEND PP',
        type: Type.Cash,
        subtype: Sub.QualifiedDividend,
        quantity: 0,
        price: 0,
        amount: -25,
      }),
      l.txn({
        security_id: null,
        date: '2025-05-01',
        name: 'ACCOUNT FEE',
        type: Type.Fee,
        subtype: Sub.AccountFee,
        quantity: 0,
        price: 0,
        amount: 10,
      }),
      l.txn({
        security_id: pp.security_id,
        date: '2025-06-02',
        name: 'SELL PP',
        type: Type.Sell,
        subtype: Sub.Sell,
        quantity: -100,
        price: 40,
        amount: -3990,
        fees: 10,
      }),
      // Cash swept into the money market fund: still cash.
      l.txn({
        security_id: sweep.security_id,
        date: '2025-06-27',
        name: 'SWEEP',
        type: Type.Buy,
        subtype: Sub.Buy,
        quantity: 1000,
        price: 1,
        amount: 1000,
      }),
    ];
  }

  async function firstSync() {
    const l = await linked();
    const pp = PP();
    const usd = USD();
    const sweep = SWEEP();
    const history = fifoHistory(l, pp, sweep);
    plaid.fake.setInvestments(l.fake.itemId, {
      securities: [pp, usd, sweep],
      holdings: [l.holding(pp, 46, 40), l.holding(usd, 8702.38, 1), l.holding(sweep, 1000, 1)],
      transactions: history,
    });
    const result = await syncInvestments(l.db, await l.target(), { historyDays: HISTORY_DAYS, today: TODAY });
    return { ...l, pp, usd, sweep, history, result };
  }

  it('imports buys, sells, dividends and fees with FIFO lots and realized gains', async () => {
    const l = await firstSync();
    expect(l.result).toMatchObject({
      transactionsAdded: 7,
      syncedThrough: TODAY,
      differences: [],
      skipped: 1,
      openingPositions: 0,
      warnings: [],
    });
    const calls = plaid.fake.calls('/investments/transactions/get');
    expect(calls.at(-1)?.body).toMatchObject({ start_date: '2023-07-01', end_date: TODAY });

    const { rows, cash, item } = await l.stored();
    expect(rows.map((r) => [r.type, r.symbol, r.trade_date])).toEqual([
      ['deposit', null, '2025-01-02'],
      ['buy', 'PP', '2025-01-10'],
      ['buy', 'PP', '2025-02-03'],
      ['sell', 'PP', '2025-03-03'],
      ['dividend', 'PP', '2025-04-01'],
      ['fee', null, '2025-05-01'],
      ['sell', 'PP', '2025-06-02'],
    ]);
    // Every row carries Plaid's id; the sweep into a cash equivalent wrote nothing.
    expect(rows.map((r) => r.provider_transaction_id).sort()).toEqual(
      l.history
        .slice(0, 7)
        .map((t) => t.investment_transaction_id)
        .sort(),
    );
    // 10,000 − 3,149.20 − 1,684.92 + 531.50 + 25 − 10 + 3,990
    expect(cash.toFixed(2)).toBe('9702.38');

    const holding = await holdingOf(l.caller, l.account.id, 'PP');
    expect(holding?.quantity.toFixed()).toBe('46');
    // 46 of the second lot: 1,684.92 × 46 / 52
    expect(cents(holding!.costBasis)).toBe('1490.51');
    expect(await holdingOf(l.caller, l.account.id, 'VMFXX')).toBeNull();

    const gains = await l.caller.transactions.realizedGains({
      from: '2025-01-01',
      to: TODAY,
      accountId: l.account.id,
    });
    const bySale = gains.lines.map((g) => [
      g.disposedDate,
      g.quantity.toFixed(),
      cents(g.costBasis),
      cents(g.gain),
    ]);
    expect(bySale).toEqual([
      // 15 of the first lot: 3,149.20 × 15 / 109 = 433.38; 531.50 − 433.38
      ['2025-03-03', '15', '433.38', '98.12'],
      // the first lot's other 94: 3,149.20 × 94 / 109 = 2,715.82; 94 × 39.90 = 3,750.60
      ['2025-06-02', '94', '2715.82', '1034.78'],
      // 6 of the second: 1,684.92 × 6 / 52 = 194.41; 6 × 39.90 = 239.40
      ['2025-06-02', '6', '194.41', '44.99'],
    ]);
    // The published remaining cost after the first sale: 4,400.74.
    expect(cents(new Decimal('3149.20').add('1684.92').sub(gains.lines[0]!.costBasis))).toBe('4400.74');
    expect(cents(gains.totals.all.gain)).toBe('1177.89');

    expect(item.investments_synced_through).toBe(TODAY);
    expect(item.reconciliation).toMatchObject({ differences: [] });
    expect(Number.isNaN(Date.parse((item.reconciliation as { checkedAt: string }).checkedAt))).toBe(false);
  });

  it('a second sync reads the overlap again and adds nothing', async () => {
    const l = await firstSync();
    const before = await l.stored();
    const result = await syncInvestments(l.db, await l.target(), {
      historyDays: HISTORY_DAYS,
      today: '2025-07-01',
    });
    expect(result).toMatchObject({ transactionsAdded: 0, syncedThrough: '2025-07-01', differences: [] });
    // From a week before the last synced day: the sweep on 06-27 comes back and is skipped again.
    expect(plaid.fake.calls('/investments/transactions/get').at(-1)?.body).toMatchObject({
      start_date: '2025-06-23',
      end_date: '2025-07-01',
    });
    const after = await l.stored();
    expect(after.rows).toEqual(before.rows);
    expect(after.cash.toFixed()).toBe(before.cash.toFixed());
    expect(after.item.investments_synced_through).toBe('2025-07-01');
  });

  it('a later sync over several pages adds only the new transactions', async () => {
    const l = await firstSync();
    const late = l.txn({
      security_id: l.pp.security_id,
      date: '2025-06-28',
      name: 'DIVIDEND PP',
      type: Type.Cash,
      subtype: Sub.Dividend,
      quantity: 0,
      price: 0,
      amount: -4.6,
    });
    const fresh = [
      l.txn({
        security_id: l.pp.security_id,
        date: '2025-07-02',
        name: 'BUY PP',
        type: Type.Buy,
        subtype: Sub.Buy,
        quantity: 10,
        price: 41,
        amount: 410,
      }),
      l.txn({
        security_id: null,
        date: '2025-07-03',
        name: 'INTEREST',
        type: Type.Cash,
        subtype: Sub.Interest,
        quantity: 0,
        price: 0,
        amount: -1.25,
      }),
    ];
    // One posted late inside the overlap, two new.
    plaid.fake.addInvestmentTransactions(l.fake.itemId, [late, ...fresh]);
    plaid.fake.item(l.fake.itemId).holdings = [l.holding(l.pp, 56, 41)];
    const before = plaid.fake.calls('/investments/transactions/get').length;

    const result = await syncInvestments(l.db, await l.target(), {
      historyDays: HISTORY_DAYS,
      today: '2025-07-05',
      pageSize: 2,
    });
    expect(result).toMatchObject({ transactionsAdded: 3, skipped: 1, differences: [] });
    // The window 06-23..07-05 holds the sweep, the late dividend and the two new: two pages.
    const pages = plaid.fake.calls('/investments/transactions/get').slice(before);
    expect(pages.map((c) => (c.body.options as { offset: number }).offset)).toEqual([0, 2]);

    const { rows, cash } = await l.stored();
    expect(rows).toHaveLength(10);
    expect(rows.slice(7).map((r) => r.provider_transaction_id)).toEqual(
      [late, ...fresh].map((t) => t.investment_transaction_id),
    );
    expect(cash.toFixed(2)).toBe(new Decimal('9702.38').add('4.6').sub('410').add('1.25').toFixed(2));
    expect((await holdingOf(l.caller, l.account.id, 'PP'))?.quantity.toFixed()).toBe('56');
  });

  it('a sync that fails on page 2 writes nothing; the retry imports everything once', async () => {
    const l = await linked();
    const pp = PP();
    const usd = USD();
    const sweep = SWEEP();
    const history = fifoHistory(l, pp, sweep);
    plaid.fake.setInvestments(l.fake.itemId, {
      securities: [pp, usd, sweep],
      holdings: [l.holding(pp, 46, 40)],
      transactions: history,
    });
    plaid.fake.failNext('/investments/transactions/get', 'INTERNAL_SERVER_ERROR', { skip: 1 });
    const failure = await syncInvestments(l.db, await l.target(), {
      historyDays: HISTORY_DAYS,
      today: TODAY,
      pageSize: 3,
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PlaidApiError);
    expect(failure).toMatchObject({ status: 500, code: 'INTERNAL_SERVER_ERROR', transient: true });
    const nothing = await l.stored();
    expect(nothing.rows).toEqual([]);
    expect(nothing.item.investments_synced_through).toBeNull();
    expect(nothing.item.reconciliation).toBeNull();

    const retry = await syncInvestments(l.db, await l.target(), {
      historyDays: HISTORY_DAYS,
      today: TODAY,
      pageSize: 3,
    });
    expect(retry.transactionsAdded).toBe(7);
    const { rows, cash } = await l.stored();
    expect(rows).toHaveLength(7);
    expect(new Set(rows.map((r) => r.provider_transaction_id)).size).toBe(7);
    expect(cash.toFixed(2)).toBe('9702.38');
  });

  it('a sync aborted after its first ledger writes rolls them back; the retry imports everything once', async () => {
    const l = await firstSyncSetupOnly();
    const controller = new AbortController();
    const reason = new Error('worker shutting down');
    const onQuery = (q: { sql: string }) => {
      if (/insert into transactions/i.test(q.sql)) controller.abort(reason);
    };
    l.db.on('query', onQuery);
    try {
      await expect(
        syncInvestments(l.db, await l.target(), {
          historyDays: HISTORY_DAYS,
          today: TODAY,
          signal: controller.signal,
        }),
      ).rejects.toBe(reason);
    } finally {
      l.db.removeListener('query', onQuery);
    }
    const nothing = await l.stored();
    expect(nothing.rows).toEqual([]);
    expect(nothing.cash.toFixed()).toBe('0');
    expect(nothing.item.investments_synced_through).toBeNull();
    expect(await l.db('assets').where('account_id', l.account.id)).toEqual([]);

    const retry = await syncInvestments(l.db, await l.target(), { historyDays: HISTORY_DAYS, today: TODAY });
    expect(retry.transactionsAdded).toBe(7);
    expect((await l.stored()).rows).toHaveLength(7);
  });

  async function firstSyncSetupOnly() {
    const l = await linked();
    const pp = PP();
    const sweep = SWEEP();
    plaid.fake.setInvestments(l.fake.itemId, {
      securities: [pp, sweep],
      holdings: [l.holding(pp, 46, 40)],
      transactions: fifoHistory(l, pp, sweep),
    });
    return l;
  }

  it('an aborted signal stops before Plaid is called', async () => {
    const l = await firstSyncSetupOnly();
    const before = plaid.fake.requests.length;
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(
      syncInvestments(l.db, await l.target(), {
        historyDays: HISTORY_DAYS,
        today: TODAY,
        signal: controller.signal,
      }),
    ).rejects.toThrow('cancelled');
    expect(plaid.fake.requests.length).toBe(before);
  });

  it('reports holdings whose Plaid quantity differs from the ledger, and stores them on the item', async () => {
    const l = await linked();
    const pp = PP();
    const usd = USD();
    // No ticker: kept under its CUSIP.
    const bond = makeSecurity({
      ticker: null,
      name: 'US Treasury 4.25% 2030',
      type: 'fixed income',
      closePrice: 99.5,
      cusip: '91282CJL6',
    });
    plaid.fake.setInvestments(l.fake.itemId, {
      securities: [pp, usd, bond],
      holdings: [l.holding(pp, 12.5, 40), l.holding(bond, 10, 99.5), l.holding(usd, 250, 1)],
      transactions: [
        l.txn({
          security_id: pp.security_id,
          date: '2025-05-01',
          name: 'BUY PP',
          type: Type.Buy,
          subtype: Sub.Buy,
          quantity: 10,
          price: 40,
          amount: 400,
        }),
      ],
    });
    const result = await syncInvestments(l.db, await l.target(), { historyDays: HISTORY_DAYS, today: TODAY });
    const expected = [
      { accountId: l.account.id, symbol: 'CUSIP:91282CJL6', plaidQuantity: '10', ledgerQuantity: '0' },
      { accountId: l.account.id, symbol: 'PP', plaidQuantity: '12.5', ledgerQuantity: '10' },
    ];
    expect(result.differences).toEqual(expected);
    const { item } = await l.stored();
    expect((item.reconciliation as { differences: unknown }).differences).toEqual(expected);
  });

  it('treats cash-equivalent holdings and trades as cash, not positions', async () => {
    const l = await linked();
    const usd = USD();
    const sweep = SWEEP();
    plaid.fake.setInvestments(l.fake.itemId, {
      securities: [usd, sweep],
      holdings: [l.holding(usd, 40, 1), l.holding(sweep, 1000.5, 1)],
      transactions: [
        l.txn({
          security_id: null,
          date: '2025-06-01',
          name: 'DEPOSIT',
          type: Type.Cash,
          subtype: Sub.Deposit,
          quantity: 0,
          price: 0,
          amount: -1040,
        }),
        l.txn({
          security_id: sweep.security_id,
          date: '2025-06-02',
          name: 'SWEEP',
          type: Type.Buy,
          subtype: Sub.Buy,
          quantity: 1000,
          price: 1,
          amount: 1000,
        }),
        l.txn({
          security_id: sweep.security_id,
          date: '2025-06-20',
          name: 'MMF DIVIDEND',
          type: Type.Cash,
          subtype: Sub.Dividend,
          quantity: 0,
          price: 0,
          amount: -0.5,
        }),
        l.txn({
          security_id: sweep.security_id,
          date: '2025-06-20',
          name: 'REINVEST',
          type: Type.Buy,
          subtype: Sub.DividendReinvestment,
          quantity: 0.5,
          price: 1,
          amount: 0.5,
        }),
      ],
    });
    const result = await syncInvestments(l.db, await l.target(), { historyDays: HISTORY_DAYS, today: TODAY });
    expect(result).toMatchObject({ transactionsAdded: 2, skipped: 2, differences: [] });
    const { rows, cash } = await l.stored();
    expect(
      rows.map((r) => [r.type, r.symbol, r.amount === null ? null : new Decimal(r.amount).toFixed()]),
    ).toEqual([
      ['deposit', null, '1040'],
      ['dividend', null, '0.5'],
    ]);
    expect(cash.toFixed()).toBe('1040.5');
    expect(await l.db('assets').where('account_id', l.account.id)).toEqual([]);
  });

  it('a sale of shares older than the history gets an opening position, once', async () => {
    const l = await linked();
    const xyz = makeSecurity({ ticker: 'XYZ', name: 'XYZ Inc', type: 'equity', closePrice: 50 });
    plaid.fake.setInvestments(l.fake.itemId, {
      securities: [xyz],
      holdings: [l.holding(xyz, 30, 50)],
      transactions: [
        l.txn({
          security_id: xyz.security_id,
          date: '2025-03-03',
          name: 'BUY XYZ',
          type: Type.Buy,
          subtype: Sub.Buy,
          quantity: 5,
          price: 40,
          amount: 200,
        }),
        // 20 sold, 5 bought inside the history: 15 were bought before it.
        l.txn({
          security_id: xyz.security_id,
          date: '2025-04-01',
          name: 'SELL XYZ',
          type: Type.Sell,
          subtype: Sub.Sell,
          quantity: -20,
          price: 50,
          amount: -1000,
        }),
      ],
    });
    const result = await syncInvestments(l.db, await l.target(), { historyDays: HISTORY_DAYS, today: TODAY });
    expect(result).toMatchObject({ transactionsAdded: 2, openingPositions: 1 });
    // The 30 legacy shares Plaid still reports were never traded inside the history.
    expect(result.differences).toEqual([
      { accountId: l.account.id, symbol: 'XYZ', plaidQuantity: '30', ledgerQuantity: '0' },
    ]);

    const { rows, cash } = await l.stored();
    // Dated before the window (2023-07-01) by more than the wash-sale window.
    expect(
      rows.map((r) => [
        r.type,
        r.trade_date,
        r.quantity && new Decimal(r.quantity).toFixed(),
        r.amount && new Decimal(r.amount).toFixed(),
      ]),
    ).toEqual([
      ['buy', '2023-05-31', '15', '-750'],
      ['deposit', '2023-05-31', null, '750'],
      ['buy', '2025-03-03', '5', '-200'],
      ['sell', '2025-04-01', '20', '1000'],
    ]);
    // The opening moves no cash: −200 + 1,000.
    expect(cash.toFixed()).toBe('800');
    const gains = await l.caller.transactions.realizedGains({
      from: '2023-01-01',
      to: TODAY,
      accountId: l.account.id,
    });
    // FIFO takes the 15 opening shares first (at the sale's price: no gain), then the 5 bought at 40.
    expect(gains.lines.map((g) => [g.quantity.toFixed(), cents(g.gain)])).toEqual([
      ['15', '0.00'],
      ['5', '50.00'],
    ]);

    // The whole history again (as after a lost investments_synced_through): the sale is known.
    const again = await syncInvestments(
      l.db,
      { ...(await l.target()), investmentsSyncedThrough: null },
      { historyDays: HISTORY_DAYS, today: TODAY },
    );
    expect(again).toMatchObject({ transactionsAdded: 0, openingPositions: 0 });
    expect((await l.stored()).rows).toHaveLength(4);
  });
  it('skips a short sale the account does not allow, and waits for a closed account to reopen', async () => {
    const l = await linked();
    const xyz = makeSecurity({ ticker: 'XYZ', name: 'XYZ Inc', type: 'equity', closePrice: 50 });
    const short = l.txn({
      security_id: xyz.security_id,
      date: '2025-04-01',
      name: 'SELL SHORT XYZ',
      type: Type.Sell,
      subtype: Sub.SellShort,
      quantity: -10,
      price: 50,
      amount: -500,
    });
    plaid.fake.setInvestments(l.fake.itemId, {
      securities: [xyz],
      holdings: [l.holding(xyz, -10, 50)],
      transactions: [short],
    });
    const result = await syncInvestments(l.db, await l.target(), { historyDays: HISTORY_DAYS, today: TODAY });
    expect(result).toMatchObject({ transactionsAdded: 0, skipped: 1, openingPositions: 0 });
    expect(result.warnings).toEqual([expect.stringContaining('does not allow short positions')]);
    expect((await l.stored()).rows).toEqual([]);
    expect(result.differences).toEqual([
      { accountId: l.account.id, symbol: 'XYZ', plaidQuantity: '-10', ledgerQuantity: '0' },
    ]);

    await l.db('accounts').where('id', l.account.id).update({ closed_at: new Date() });
    const closed = await syncInvestments(
      l.db,
      { ...(await l.target()), investmentsSyncedThrough: null },
      { historyDays: HISTORY_DAYS, today: TODAY },
    );
    expect(closed).toMatchObject({ transactionsAdded: 0, skipped: 1, differences: [] });
    expect(closed.warnings).toEqual([expect.stringContaining('is closed')]);
  });
});
