/**
 * Plaid access tokens never leave the server: the whole flow through the real HTTP server and the
 * SDK — link token, exchange, items, update mode, sync (ok and failed), webhook, removal — with
 * the server's and the worker's logs captured at trace level. The plaintext token appears in no
 * answer, no log line and no database column.
 */
import { Writable } from 'node:stream';
import { wire } from '@fo/sdk';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createUserWithSession } from '../support/auth-factories.js';
import { getTestDb } from '../support/db.js';
import { startTestServer } from '../support/http.js';
import { usePlaid } from '../support/plaid.js';
import { finished, startPlaidWorker } from '../support/plaid-flows.js';

function captureLogs() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ level: 'trace', destination }), lines };
}

describe('Plaid access tokens', () => {
  const plaid = usePlaid();

  it('appear in no procedure output, no log line and no database column', async () => {
    const db = await getTestDb();
    const { token } = await createUserWithSession(db);
    const capture = captureLogs();
    await using server = await startTestServer({ logger: capture.logger });
    const fo = server.client(token);
    const outputs: unknown[] = [];
    const keep = <T>(value: T): T => {
      outputs.push(value);
      return value;
    };

    const fake = plaid.fake.createItem();
    const secret = fake.accessToken;
    keep(await fo.plaid.createLinkToken.mutate());
    const { item, taskId } = keep(
      await fo.plaid.exchangePublicToken.mutate({ publicToken: plaid.fake.publicTokenFor(fake.itemId) }),
    );
    keep(await fo.plaid.items.query());
    keep(await fo.plaid.createLinkToken.mutate({ itemId: item.id }));
    {
      await using _w = await startPlaidWorker(db, { logger: capture.logger });
      expect((await finished(db, taskId)).status).toBe('succeeded');
      keep(await fo.tasks.byId.query({ id: taskId }));
      // A failing sync: Plaid's error travels to the item, the task and the logs.
      plaid.fake.setItemError(fake.itemId, 'ITEM_LOGIN_REQUIRED');
      const again = keep(await fo.plaid.syncNow.mutate({ id: item.id }));
      expect((await finished(db, again.taskId)).status).toBe('failed');
      keep(await fo.tasks.byId.query({ id: again.taskId }));
      keep(await fo.tasks.list.query({}));
    }
    keep(await fo.plaid.items.query());
    keep(await fo.accounts.list.query({}));
    const body = JSON.stringify({
      webhook_type: 'ITEM',
      webhook_code: 'LOGIN_REPAIRED',
      item_id: fake.itemId,
    });
    const webhook = await fetch(`${server.url}/webhooks/plaid`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'plaid-verification': await plaid.fake.signWebhook(body),
      },
      body,
    });
    keep(await webhook.json());

    // Every column of every table, while the item is stored.
    const { rows: tables } = await db.raw<{ rows: { table_name: string }[] }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    for (const { table_name } of tables) {
      const { rows } = await db.raw<{ rows: { n: number }[] }>(
        'SELECT count(*)::int AS n FROM ?? t WHERE strpos(t::text, ?) > 0',
        [table_name, secret],
      );
      expect(rows[0]!.n, `${table_name} holds the plaintext token`).toBe(0);
    }

    plaid.fake.setItemError(fake.itemId, null);
    keep(await fo.plaid.removeItem.mutate({ id: item.id }));
    // The token did reach Plaid (so the test would see a leak of it).
    expect(plaid.fake.calls('/item/remove').at(-1)!.body.access_token).toBe(secret);

    for (const output of outputs) expect(wire.stringify(output)).not.toContain(secret);
    expect(capture.lines.some((l) => l.includes('Plaid item synced'))).toBe(true);
    expect(capture.lines.some((l) => l.includes('ITEM_LOGIN_REQUIRED'))).toBe(true);
    expect(capture.lines.join('\n')).not.toContain(secret);
  });
});
