/**
 * Plaid's webhook verification steps (https://plaid.com/docs/api/webhooks/webhook-verification/)
 * against JWTs signed with the fake Plaid server's ES256 key.
 */
import { describe, expect, it } from 'vitest';
import { verifyPlaidWebhook } from '../src/services/plaid/webhook-verification.js';
import { generateWebhookKey, sha256Hex } from './support/fake-plaid/webhooks.js';
import { usePlaid } from './support/plaid.js';

describe('verifyPlaidWebhook', () => {
  const plaid = usePlaid();
  const body = JSON.stringify({
    webhook_type: 'TRANSACTIONS',
    webhook_code: 'SYNC_UPDATES_AVAILABLE',
    item_id: 'i',
  });
  const now = () => Math.floor(Date.now() / 1000);

  it('accepts a fresh ES256 token over the exact body, and parses the body', async () => {
    const result = await verifyPlaidWebhook(body, await plaid.fake.signWebhook(body));
    expect(result).toEqual({ ok: true, payload: JSON.parse(body) });
  });

  it('refuses what Plaid says to refuse', async () => {
    const cases: [string, string | undefined, RegExp][] = [
      [body, undefined, /missing/],
      [body, 'x.y', /not a JWT/],
      [body, await plaid.fake.signWebhook(body, { iat: now() - 301 }), /too old/],
      [body, await plaid.fake.signWebhook(body, { iat: now() + 120 }), /future/],
      [`${body} `, await plaid.fake.signWebhook(body), /body hash/],
      [body, await plaid.fake.signWebhook(body, { bodySha256: sha256Hex('other') }), /body hash/],
      [body, await plaid.fake.signWebhook(body, { key: await generateWebhookKey() }), /unknown key/],
    ];
    for (const [sent, jwt, reason] of cases) {
      const result = await verifyPlaidWebhook(sent, jwt);
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : result.reason).toMatch(reason);
    }
  });

  it('accepts a token issued 4 minutes ago', async () => {
    const result = await verifyPlaidWebhook(body, await plaid.fake.signWebhook(body, { iat: now() - 240 }));
    expect(result.ok).toBe(true);
  });

  it('learns that Plaid retired a key when a new one appears, and refuses the old one from then on', async () => {
    const old = plaid.fake.webhookKey;
    expect((await verifyPlaidWebhook(body, await plaid.fake.signWebhook(body))).ok).toBe(true);
    await plaid.fake.rotateWebhookKey();
    expect((await verifyPlaidWebhook(body, await plaid.fake.signWebhook(body))).ok).toBe(true);
    const stale = await plaid.fake.signWebhook(body, { key: old });
    expect(await verifyPlaidWebhook(body, stale)).toEqual({
      ok: false,
      reason: 'verification key has expired',
    });
  });
});
