/**
 * `POST /webhooks/plaid` on the real HTTP server, with webhooks signed by the fake Plaid server's
 * ES256 key: verified ones enqueue syncs or change status; unverified ones (bad signature, wrong
 * body, expired, no header) get 401 and change nothing.
 */
import { describe, expect, it } from 'vitest';
import { setPlaidSettings } from '../../src/services/plaid/config.js';
import { newUser } from '../support/accounts-factories.js';
import { generateWebhookKey } from '../support/fake-plaid/webhooks.js';
import { startTestServer } from '../support/http.js';
import { usePlaid } from '../support/plaid.js';
import { linkItem } from '../support/plaid-flows.js';

describe('POST /webhooks/plaid', () => {
  const plaid = usePlaid();

  async function setUp() {
    const fixture = await newUser();
    const linked = await linkItem(fixture.caller, plaid.fake);
    // The first sync ran: nothing queued.
    await fixture.db('agent_tasks').where({ id: linked.taskId }).update({ status: 'succeeded' });
    return { ...fixture, linked };
  }

  async function post(url: string, body: string, jwt?: string) {
    const response = await fetch(`${url}/webhooks/plaid`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(jwt ? { 'plaid-verification': jwt } : {}) },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const webhook = (itemId: string, type: string, code: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      webhook_type: type,
      webhook_code: code,
      item_id: itemId,
      environment: 'sandbox',
      ...extra,
    });

  const queuedSyncs = (db: Awaited<ReturnType<typeof setUp>>['db']) =>
    db('agent_tasks').where({ type: 'plaid_sync', status: 'queued' });

  it('a verified SYNC_UPDATES_AVAILABLE enqueues one sync, however often it arrives', async () => {
    const { db, linked } = await setUp();
    await using server = await startTestServer();
    const body = webhook(linked.fake.itemId, 'TRANSACTIONS', 'SYNC_UPDATES_AVAILABLE', {
      initial_update_complete: true,
      historical_update_complete: true,
    });
    const first = await post(server.url, body, await plaid.fake.signWebhook(body));
    expect(first).toEqual({ status: 200, body: { received: true, action: 'sync_enqueued' } });
    const again = await post(server.url, body, await plaid.fake.signWebhook(body));
    expect(again.status).toBe(200);
    const queued = await queuedSyncs(db);
    expect(queued).toHaveLength(1);
    expect(queued[0].input).toEqual({ plaidItemId: linked.id, reason: 'webhook' });
  });

  it('holdings and investment transaction updates enqueue a sync too', async () => {
    const { db, linked } = await setUp();
    await using server = await startTestServer();
    for (const [type, code] of [
      ['HOLDINGS', 'DEFAULT_UPDATE'],
      ['INVESTMENTS_TRANSACTIONS', 'DEFAULT_UPDATE'],
    ] as const) {
      await db('agent_tasks').where({ type: 'plaid_sync' }).update({ status: 'succeeded' });
      const body = webhook(linked.fake.itemId, type, code);
      expect((await post(server.url, body, await plaid.fake.signWebhook(body))).status).toBe(200);
      expect(await queuedSyncs(db)).toHaveLength(1);
    }
  });

  it('refuses with 401, changing nothing: a bad signature, another body, no header, an expired token', async () => {
    const { db, linked } = await setUp();
    await using server = await startTestServer();
    const body = webhook(linked.fake.itemId, 'TRANSACTIONS', 'SYNC_UPDATES_AVAILABLE');
    const before = await db('plaid_items').where({ id: linked.id }).first();
    const stranger = await generateWebhookKey();
    const cases: [string, string | undefined][] = [
      // Signed by a key Plaid never issued.
      [body, await plaid.fake.signWebhook(body, { key: stranger })],
      // A valid token for another body.
      [webhook(linked.fake.itemId, 'ITEM', 'ERROR'), await plaid.fake.signWebhook(body)],
      // No Plaid-Verification header.
      [body, undefined],
      // Not a JWT.
      [body, 'not-a-jwt'],
      // Issued six minutes ago: older than the five minutes allowed.
      [body, await plaid.fake.signWebhook(body, { iat: Math.floor(Date.now() / 1000) - 360 })],
    ];
    for (const [sent, jwt] of cases) {
      expect(await post(server.url, sent, jwt)).toEqual({
        status: 401,
        body: { error: 'unverified webhook' },
      });
    }
    expect(await queuedSyncs(db)).toEqual([]);
    expect(await db('plaid_items').where({ id: linked.id }).first()).toEqual(before);
  });

  it('ITEM ERROR with ITEM_LOGIN_REQUIRED makes the item and its accounts requires_reauth; LOGIN_REPAIRED resumes', async () => {
    const { caller, db, linked } = await setUp();
    await using server = await startTestServer();
    const body = webhook(linked.fake.itemId, 'ITEM', 'ERROR', {
      error: {
        error_type: 'ITEM_ERROR',
        error_code: 'ITEM_LOGIN_REQUIRED',
        error_message: 'the login details of this item have changed',
        display_message: null,
        status: 400,
      },
    });
    expect((await post(server.url, body, await plaid.fake.signWebhook(body))).status).toBe(200);
    const [item] = (await caller.plaid.items()).items;
    expect(item).toMatchObject({
      status: 'requires_reauth',
      lastErrorCode: 'ITEM_LOGIN_REQUIRED',
      lastErrorMessage: 'the login details of this item have changed',
    });
    expect(item!.accounts.every((a) => a.syncStatus === 'requires_reauth')).toBe(true);
    // New data cannot be fetched until the owner signs in again: no sync.
    const update = webhook(linked.fake.itemId, 'TRANSACTIONS', 'SYNC_UPDATES_AVAILABLE');
    expect((await post(server.url, update, await plaid.fake.signWebhook(update))).body.action).toBe(
      'ignored',
    );
    expect(await queuedSyncs(db)).toEqual([]);

    const repaired = webhook(linked.fake.itemId, 'ITEM', 'LOGIN_REPAIRED');
    expect((await post(server.url, repaired, await plaid.fake.signWebhook(repaired))).status).toBe(200);
    expect((await caller.plaid.items()).items[0]).toMatchObject({ status: 'idle', lastErrorCode: null });
    const queued = await queuedSyncs(db);
    expect(queued.map((t) => t.input)).toEqual([{ plaidItemId: linked.id, reason: 'relink' }]);
  });

  it('PENDING_EXPIRATION records when consent ends; USER_PERMISSION_REVOKED needs a re-link', async () => {
    const { caller, linked } = await setUp();
    await using server = await startTestServer();
    const expiring = webhook(linked.fake.itemId, 'ITEM', 'PENDING_EXPIRATION', {
      consent_expiration_time: '2026-12-01T12:00:00Z',
    });
    expect((await post(server.url, expiring, await plaid.fake.signWebhook(expiring))).status).toBe(200);
    const [item] = (await caller.plaid.items()).items;
    expect(item!.consentExpiresAt).toEqual(new Date('2026-12-01T12:00:00Z'));
    // Still syncing until then.
    expect(item!.status).toBe('idle');

    const revoked = webhook(linked.fake.itemId, 'ITEM', 'USER_PERMISSION_REVOKED', {
      error: { error_type: 'ITEM_ERROR', error_code: 'USER_PERMISSION_REVOKED', error_message: 'revoked' },
    });
    expect((await post(server.url, revoked, await plaid.fake.signWebhook(revoked))).status).toBe(200);
    expect((await caller.plaid.items()).items[0]).toMatchObject({
      status: 'requires_reauth',
      lastErrorCode: 'USER_PERMISSION_REVOKED',
    });
  });

  it('acknowledges webhooks for items it does not know, and answers 404 when Plaid is not configured', async () => {
    const { db } = await setUp();
    await using server = await startTestServer();
    const body = webhook('unknown-item', 'TRANSACTIONS', 'SYNC_UPDATES_AVAILABLE');
    expect(await post(server.url, body, await plaid.fake.signWebhook(body))).toEqual({
      status: 200,
      body: { received: true, action: 'ignored' },
    });
    expect(await queuedSyncs(db)).toEqual([]);
    setPlaidSettings(null);
    try {
      const res = await post(server.url, body, await plaid.fake.signWebhook(body));
      expect(res).toEqual({ status: 404, body: { error: 'Plaid is not configured' } });
    } finally {
      setPlaidSettings(plaid.settings);
    }
  });
});
