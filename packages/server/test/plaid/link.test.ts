/**
 * Linking institutions through the procedures, with the real `plaid` client against the fake
 * Plaid server: link tokens (create and update mode), the public-token exchange (item stored with
 * its token encrypted, accounts created or matched, first sync queued), the item list, sync now,
 * removal, and Plaid switched off.
 */
import { Products } from 'plaid';
import { describe, expect, it } from 'vitest';
import { plaidAccessTokenContext } from '../../src/crypto/encrypted-fields.js';
import { setPlaidSettings } from '../../src/services/plaid/config.js';
import { newUser } from '../support/accounts-factories.js';
import { expectTRPCError } from '../support/expect-error.js';
import { TEST_KEYRING, usePlaid } from '../support/plaid.js';
import { linkItem } from '../support/plaid-flows.js';

describe('plaid link', () => {
  const plaid = usePlaid();

  it('creates a link token in create mode with the configured products, and in update mode for an item', async () => {
    const { caller, user } = await newUser();
    const created = await caller.plaid.createLinkToken();
    expect(created).toMatchObject({ mode: 'create', linkToken: expect.stringMatching(/^link-sandbox-/) });
    expect(created.expiration).toBeInstanceOf(Date);
    const createRequest = plaid.fake.calls('/link/token/create').at(-1)!.body;
    expect(createRequest).toMatchObject({
      client_name: 'Family Office',
      country_codes: ['US'],
      products: ['transactions'],
      optional_products: ['investments'],
      user: { client_user_id: user.id },
      webhook: 'https://fo.example.com/webhooks/plaid',
    });
    expect(createRequest.access_token).toBeUndefined();

    const linked = await linkItem(caller, plaid.fake);
    const update = await caller.plaid.createLinkToken({ itemId: linked.id });
    expect(update.mode).toBe('update');
    const updateRequest = plaid.fake.calls('/link/token/create').at(-1)!.body;
    // Update mode names the item by its access token, and asks for no products.
    expect(updateRequest.access_token).toBe(linked.fake.accessToken);
    expect(updateRequest.products).toBeUndefined();
  });

  it('exchanges a public token: the item with its token encrypted, its accounts mapped, the first sync queued', async () => {
    const { caller, db, user } = await newUser();
    const fakeItem = plaid.fake.createItem({ products: [Products.Transactions] });
    const result = await caller.plaid.exchangePublicToken({
      publicToken: plaid.fake.publicTokenFor(fakeItem.itemId),
    });
    expect(result.item).toMatchObject({
      institutionId: 'ins_109508',
      institutionName: 'First Platypus Bank',
      products: ['transactions'],
      status: 'idle',
      lastSyncedAt: null,
      lastErrorCode: null,
      reconciliation: null,
      consentExpiresAt: null,
    });
    expect(result.item.nextSyncAt!.getTime()).toBeGreaterThan(Date.now() + 5.9 * 3600_000);
    expect(result.item.accounts.map((a) => [a.name, a.type, a.subtype, a.mask, a.syncStatus]).sort()).toEqual(
      [
        ['Plaid Checking', 'checking', null, '0000', 'idle'],
        ['Plaid Credit Card', 'credit_card', null, '3333', 'idle'],
        ['Plaid IRA', 'retirement', 'ira', '5555', 'idle'],
        ['Plaid Mortgage', 'mortgage', null, '8888', 'idle'],
        ['Plaid Saving', 'savings', null, '1111', 'idle'],
      ],
    );

    const row = await db('plaid_items').where({ id: result.item.id }).first();
    expect(row).toMatchObject({ user_id: user.id, item_id: fakeItem.itemId, access_token_key_id: 'test' });
    expect(row.access_token_ciphertext).not.toContain(fakeItem.accessToken);
    expect(
      TEST_KEYRING.decrypt(
        { keyId: row.access_token_key_id, ciphertext: row.access_token_ciphertext },
        plaidAccessTokenContext(row.id),
      ),
    ).toBe(fakeItem.accessToken);

    const task = await caller.tasks.byId({ id: result.taskId });
    expect(task).toMatchObject({
      type: 'plaid_sync',
      status: 'queued',
      maxAttempts: 5,
      input: { plaidItemId: result.item.id, reason: 'initial' },
    });
    const accounts = await caller.accounts.list({});
    expect(accounts.items.map((a) => a.institution)).toEqual(Array(5).fill('First Platypus Bank'));
    const checking = accounts.items.find((a) => a.name === 'Plaid Checking')!;
    expect(checking).toMatchObject({ trackingMode: 'holdings', currency: 'USD' });
    expect(checking.sync.plaidItemId).toBe(fakeItem.itemId);
    expect((await caller.plaid.items()).items.map((i) => i.id)).toEqual([result.item.id]);
  });

  it('refuses an expired or used public token on its field, and writes nothing', async () => {
    const { caller, db } = await newUser();
    const err = await expectTRPCError(
      caller.plaid.exchangePublicToken({ publicToken: 'public-sandbox-unknown' }),
      'BAD_REQUEST',
    );
    expect(err.fields).toEqual(['publicToken']);
    expect(await db('plaid_items').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await db('accounts').count({ n: '*' })).toEqual([{ n: 0 }]);
  });

  it('re-links through an update-mode public token: same item, new token, a relink sync', async () => {
    const { caller, db } = await newUser();
    const linked = await linkItem(caller, plaid.fake);
    const again = await caller.plaid.exchangePublicToken({
      publicToken: plaid.fake.publicTokenFor(linked.fake.itemId),
    });
    expect(again.item.id).toBe(linked.id);
    expect(again.item.accounts).toHaveLength(5);
    expect(await db('accounts').count({ n: '*' })).toEqual([{ n: 5 }]);
    // The initial sync is still queued: asking again returns it.
    expect(again.taskId).toBe(linked.taskId);
  });

  it('refuses to link an institution login another user already linked', async () => {
    const first = await newUser();
    const second = await newUser();
    const linked = await linkItem(first.caller, plaid.fake);
    const err = await expectTRPCError(
      second.caller.plaid.exchangePublicToken({ publicToken: plaid.fake.publicTokenFor(linked.fake.itemId) }),
      'CONFLICT',
    );
    expect(err.fields).toEqual(['publicToken']);
    expect((await second.caller.plaid.items()).items).toEqual([]);
  });

  it('syncNow is idempotent while a sync is queued, also when called concurrently', async () => {
    const { caller, db } = await newUser();
    const linked = await linkItem(caller, plaid.fake);
    await db('agent_tasks')
      .where({ id: linked.taskId })
      .update({ status: 'succeeded', finished_at: db.fn.now() });
    const results = await Promise.all([1, 2, 3, 4].map(() => caller.plaid.syncNow({ id: linked.id })));
    const ids = new Set(results.map((r) => r.taskId));
    expect(ids.size).toBe(1);
    expect(results[0]!.item.id).toBe(linked.id);
    const queued = await db('agent_tasks').where({ type: 'plaid_sync', status: 'queued' });
    expect(queued).toHaveLength(1);
    expect(queued[0].input).toEqual({ plaidItemId: linked.id, reason: 'manual' });
  });

  it('removes an item: Plaid is told, the token and item go, the accounts and their history stay detached', async () => {
    const { caller, db, user } = await newUser();
    const linked = await linkItem(caller, plaid.fake);
    const checking = (await caller.accounts.list({})).items.find((a) => a.name === 'Plaid Checking')!;
    await caller.transactions.create({
      accountId: checking.id,
      type: 'deposit',
      tradeDate: '2026-11-02',
      amount: '100',
    });
    const removed = await caller.plaid.removeItem({ id: linked.id });
    expect(removed.id).toBe(linked.id);
    expect(removed.detachedAccountIds).toHaveLength(5);
    expect(plaid.fake.item(linked.fake.itemId).removed).toBe(true);
    expect(plaid.fake.calls('/item/remove').at(-1)!.body.access_token).toBe(linked.fake.accessToken);
    expect(await db('plaid_items').where({ user_id: user.id })).toEqual([]);
    expect((await db('agent_tasks').where({ id: linked.taskId }).first()).status).toBe('cancelled');
    const after = await caller.accounts.byId({ id: checking.id });
    expect(after.sync).toMatchObject({ plaidItemId: null, plaidAccountId: null, status: 'idle' });
    expect((await caller.transactions.list({ accountId: checking.id })).items).toHaveLength(1);
    expect((await caller.plaid.items()).items).toEqual([]);
    await expectTRPCError(caller.plaid.syncNow({ id: linked.id }), 'NOT_FOUND');

    // Linking the institution again continues the same accounts (matched by mask and type).
    const relinked = await linkItem(caller, plaid.fake);
    expect(relinked.id).not.toBe(linked.id);
    expect(await db('accounts').where({ user_id: user.id }).count({ n: '*' })).toEqual([{ n: 5 }]);
    const again = await caller.accounts.byId({ id: checking.id });
    expect(again.sync.plaidItemId).toBe(relinked.fake.itemId);
  });

  it('answers every plaid procedure with "Plaid is not configured" when it is not, and nothing else changes', async () => {
    const { caller } = await newUser();
    const linked = await linkItem(caller, plaid.fake);
    setPlaidSettings(null);
    try {
      const calls = [
        caller.plaid.createLinkToken(),
        caller.plaid.exchangePublicToken({ publicToken: 'public-sandbox-x' }),
        caller.plaid.items(),
        caller.plaid.removeItem({ id: linked.id }),
        caller.plaid.syncNow({ id: linked.id }),
      ];
      for (const call of calls) {
        const err = await expectTRPCError(call, 'PRECONDITION_FAILED');
        expect(err.message).toMatch(/^Plaid is not configured/);
      }
      expect((await caller.accounts.list({})).items).toHaveLength(5);
    } finally {
      setPlaidSettings(plaid.settings);
    }
    expect((await caller.plaid.items()).items).toHaveLength(1);
  });
});
